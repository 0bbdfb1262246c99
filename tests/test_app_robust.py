"""The app never shows a traceback for a user's input: the reported crashes stay fixed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pricing.data import shipped_path
from pricing.profiles import PRESETS

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 120


@pytest.fixture(autouse=True)
def _clear_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def run(page: str, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_sensitivity_with_tiny_hot_wallets():
    """Hot assets below the layer-limit widget's minimum no longer crash the page."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.number_input(key="pf_hot_share").set_value(0.0001).run()  # %: USD 130 of hot wallets
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("app_pages/sensitivity.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="sens_limit").value == pytest.approx(0.01)


def test_a_tornado_that_cannot_be_computed_is_a_message_not_a_traceback(monkeypatch):
    """A comparison the library refuses (ValueError) ends Sensitivity with the Compare page's
    message, not a traceback."""
    from app_pages import precompute

    def refused(*args, **kwargs):
        raise ValueError("no structure meets the target")

    monkeypatch.setattr(precompute, "cheapest", refused)
    at = run("app_pages/sensitivity.py")
    assert any("no structure meets the target" in e.value for e in at.error), at.error


def test_loss_model_on_an_upload_covering_one_year():
    """One year of data: no year slider to break, and the GLM's need is said in words."""
    lines = shipped_path("incidents.csv").read_text(encoding="utf-8").splitlines()
    one_year = "\n".join([lines[0], *(x for x in lines[1:] if x.startswith("2024-"))])
    at = run(
        "app_pages/model.py",
        incident_upload={"bytes": one_year.encode(), "name": "one.csv"},
    )
    assert any("year" in e.value and "at least" in e.value for e in at.error), [
        e.value for e in at.error
    ]


def test_a_control_character_in_the_name_is_refused_by_field():
    """The quote sheet's XLSX cannot hold control characters: the profile refuses them."""
    values = PRESETS["small"].to_dict() | {"name": "Bad\x01name"}
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["profile_upload"] = {
        "bytes": json.dumps(values).encode(),
        "name": "bad.json",
    }
    at.run()
    assert not at.exception
    message = at.error[0].value
    assert "bad.json was not loaded" in message and "'name'" in message
    assert "control character" in message
    at.switch_page("app_pages/quote.py").run()
    assert not at.exception, [e.value for e in at.exception]
