"""Library notes with their amounts (pricing.notes.Note): the English USD text unchanged for
the CLI and exports, the same facts written in Japanese and yen on the pages."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pricing.calibration import CalibrationSpec, calibrate
from pricing.data import load_exposure, load_incidents, select_losses
from pricing.i18n import fmt_amount
from pricing.lossmodel import build_loss_model
from pricing.notes import Note
from pricing.profiles import PRESETS
from pricing.regulation.fx import DEFAULT_FX

APP = str(Path(__file__).resolve().parents[1] / "app.py")
JPY = DEFAULT_FX.rate("JPY")


def yen(usd: float) -> str:
    return fmt_amount(usd * JPY, "JPY", "ja", 2)


def test_a_note_is_the_library_s_english_text_and_survives_pickling():
    note = Note(
        "A_ref = {amount}, γ = {gamma} (assumption)",
        amounts={"amount": 2.5e9},
        words={"gamma": "0.5"},
    )
    assert note == "A_ref = USD 2,500,000,000, γ = 0.5 (assumption)"
    back = pickle.loads(pickle.dumps(note))  # st.cache_data pickles results
    assert back == note and back.amounts == {"amount": 2.5e9} and back.words == {"gamma": "0.5"}
    assert back.render("ja", yen) == f"A_ref = {yen(2.5e9)}、γ = 0.5（仮定）"


def test_the_threshold_reason_of_a_selection_is_written_in_yen():
    selection = select_losses(load_incidents(), load_exposure(), threshold=1e6)
    reasons = [reason for reason, _ in selection.excluded]
    note = next(r for r in reasons if "reporting threshold" in r)
    assert note == "at or below the reporting threshold of USD 1,000,000"  # as before
    assert isinstance(note, Note)
    assert note.render("ja", yen) == f"報告閾値 {yen(1e6)} 以下"


def test_the_assumption_table_keeps_its_notes():
    model = build_loss_model(
        PRESETS["small"], calibrate(CalibrationSpec(), load_incidents(), load_exposure())
    )
    table = pickle.loads(pickle.dumps(model.assumption_table()))
    notes = [b for b in table["basis"] if isinstance(b, Note)]
    assert [n.template for n in notes] == [
        "A_ref = {amount}, γ = {gamma} (assumption)",
        "fitted to losses above {amount}",
    ]
    assert notes[1] == f"fitted to losses above USD {model.severity_fit.threshold:,.0f}"


@pytest.fixture(autouse=True)
def _clear_caches(tmp_path, monkeypatch):
    monkeypatch.setenv("VAULTCOVER_DB", f"sqlite:///{tmp_path / 'scenarios.db'}")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def test_the_loss_model_page_writes_the_notes_in_japanese_and_yen():
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.selectbox(key="ui_lang").set_value("ja").run()
    at.selectbox(key="ui_currency").set_value("JPY").run()
    at.switch_page("app_pages/model.py").run()
    assert not at.exception
    texts = [e.value for e in (*at.info, *at.caption, *at.markdown)]
    assert any(f"報告閾値 {yen(1e6)} 以下" in text for text in texts), texts
    basis = next(df.value for df in at.dataframe if "basis" in df.value.columns)["basis"]
    assert f"{yen(1e6)} を超える損失で推定" in list(basis)
