"""Insurer quote in Japanese and yen: no English label and no USD amount left on the page, and
the PDF quote sheet downloaded from the page's button renders Japanese with 円 amounts.

Every element of the page is walked (its protobuf message: labels, help, placeholders,
options, values, column headers; and the cells of every table), in the sidebar too. Words that
may stay in Latin letters are listed in :data:`ALLOWED` with the reason for each.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests import test_app_i18n_pages as walk
from tests.test_app_downloads import deferred_downloads, made

APP = str(Path(__file__).resolve().parents[1] / "app.py")
QUOTE = "app_pages/quote.py"
TIMEOUT = 300

#: Latin-letter words this page may show besides the shared allow-list (each a proper noun, a
#: code or a citation).
ALLOWED = {
    # currency and file-format codes
    "JPY",
    "CSV",
    "XLSX",
    "PDF",
    "Excel",
    # proper nouns and the names of methods (cited as their authors name them)
    "Vaultcover",
    "Wang",
    "Solvency",
    "II",
    "VaR",
    "RMSE",
    "SOC",
    "Type",
    "English",  # the language selector's own name for English
    "VC",  # the quote reference's prefix (VC-20261202-…), a code
    "Language",  # the bilingual language selector "Language / 言語"
    # formula symbols
    "E[L]",
    "CoC",
    "exp",
    "log",
}


@pytest.fixture(autouse=True)
def _clear_caches(monkeypatch):
    monkeypatch.setattr(walk, "ALLOWED", walk.ALLOWED | ALLOWED)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def english_left(at: AppTest) -> list[str]:
    """Texts with a Latin-letter word not allowed, or an amount in USD (the walk shared with
    the other pages' tests, with this page's allowances added)."""
    return walk.english_left(at)


def japanese(at: AppTest) -> AppTest:
    at.selectbox(key="ui_lang").set_value("ja").run()
    at.selectbox(key="ui_currency").set_value("JPY").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_quote() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page(QUOTE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_walk_finds_english_and_usd_on_the_english_page():
    """The check can fail: on the English, USD page it finds labels and USD amounts."""
    at = open_quote()
    left = english_left(at)
    assert "Insurer quote" in left
    assert any("USD" in s for s in left)


def test_no_english_label_and_no_usd_amount_left_in_japanese_and_yen():
    at = japanese(open_quote())
    assert at.title[0].value == "保険見積"
    assert not english_left(at), english_left(at)
    assert any("円" in m.value for m in at.metric)
    # the tower editor is typed in million yen: the stored rows (USD million) times the rate
    from pricing.regulation.fx import DEFAULT_FX

    shown = at.dataframe[0].value
    stored = at.session_state["tower_frame"]
    for column in ("retention", "limit"):
        assert shown[column].tolist() == pytest.approx(
            (stored[column] * DEFAULT_FX.rate("JPY")).tolist(), rel=1e-12
        )


def test_market_quotes_ranges_and_errors_are_japanese_too():
    """A fitted curve with its residuals, the 90% ranges and a bad quote's error, in Japanese."""
    at = japanese(open_quote())
    at.toggle(key="q_ranges").set_value(True).run()
    stored = ((2e7, 5e7, None, 0.02), (1e8, 1e8, None, 0.01))  # USD; rate on line
    at.session_state["q_market_quotes"] = stored  # what the editor's callback stores
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success, "the fit is reported"
    labels = [c.get("label", "") for c in json.loads(at.dataframe[1].proto.columns).values()]
    assert "90%区間 下限 (JPY)" in labels, labels
    low = at.dataframe[1].value["premium_low"]
    assert (low > 0).all() and (low <= at.dataframe[1].value["premium"] * 1.5).all()
    assert not english_left(at), english_left(at)
    bad = ((2e7, 5e7, None, 1.5), (1e8, None, None, 0.01))
    at.session_state["q_market_quotes"] = bad
    at.run()
    (error,) = [e.value for e in at.error]
    assert "1行目" in error and "2行目" in error, error
    assert "料率" in error and "支払限度額" in error, error


def test_the_pdf_from_the_download_button_renders_japanese_and_yen(monkeypatch):
    """The PDF the page's button hands to the browser (its deferred callable) in Japanese."""
    pypdf = pytest.importorskip("pypdf")
    registered = deferred_downloads(monkeypatch)
    at = japanese(open_quote())
    data = made(registered, ".pdf")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    flat = re.sub(r"[\s\x00]+", "", text)
    for heading in ("見積書", "引受条件", "免責事由", "保険料", "見積有効期限"):
        assert heading in flat, heading
    assert re.search(r"[\d,.]+(万|億)?円", flat), "amounts in yen"
    sheet = flat.split("前提条件")[0]  # the quote itself, before the model's technical annex
    assert not re.search(r"USD[\d,.]", sheet), "no USD amount on the quote sheet"
    assert "保険料合計" in sheet and re.search(r"保険料合計[\d,]+円", sheet), "total in yen"
    assert at.get("download_button")


def test_market_quotes_calibrate_the_curve_that_prices_the_tower():
    """The page's tower premiums with two entered quotes are the library's: the curve fitted
    to those quotes (least squares on log rate on line), then the tower priced with it."""
    from app_pages import common
    from pricing.calibration import CalibrationSpec, calibrate
    from pricing.coverage import quote_tower
    from pricing.lossmodel import build_loss_model
    from pricing.market import DEFAULT_TERMS, cover_type
    from pricing.market_quotes import MarketQuote, fit_market_curve
    from pricing.premium import LoadingAssumptions
    from pricing.profiles import PRESETS

    at = open_quote()
    before = at.dataframe[1].value["market_premium"].tolist()
    stored = ((2e6, 3e6, None, 0.2), (5e6, 5e6, 2e5, None))  # the second by its premium
    at.session_state["q_market_quotes"] = stored
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    shown = at.dataframe[1].value
    residuals = at.dataframe[-1].value  # the fit's residuals, under the quote editor
    assert len(residuals) == 2

    profile = PRESETS["small"]
    model = build_loss_model(profile, calibrate(CalibrationSpec()))
    quotes = (MarketQuote(2e6, 3e6, 0.2, line=1), MarketQuote(5e6, 5e6, 0.04, line=2))
    fit = fit_market_curve(model.frequency, model.severity, quotes)
    tower, rates = common.tower_from_rows(common.default_tower(profile))
    kinds = [
        str(cover_type(x.retention, model.hot_cap, profile.third_party_provider))
        for x in tower.layers
    ]
    expected = quote_tower(
        model.frequency,
        model.severity,
        tower,
        LoadingAssumptions(),
        "cost_of_capital",
        list(rates),
        fit.terms(DEFAULT_TERMS),
        kinds,
    )
    for q, premium in zip(expected.quotes, shown["market_premium"], strict=True):
        assert premium == pytest.approx(q.market.premium, rel=1e-9)
    assert shown["market_premium"].tolist() != pytest.approx(before), "the fit moved the prices"
    assert residuals["log_residual"].to_numpy() == pytest.approx(fit.residuals, abs=1e-9)


def test_a_bad_quote_is_named_by_row_and_column_next_to_the_editor():
    at = open_quote()
    at.session_state["q_market_quotes"] = ((2e6, 3e6, 1e6, 0.2), (5e6, 5e6, 9e6, None))
    at.run()
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert "Row 1: **premium** give either the premium or the rate on line" in error
    assert "Row 2: **premium** is more than the limit" in error
    assert at.dataframe[1].value["market_premium"].notna().all(), "the default curve still prices"


def test_the_tower_editor_round_trips_through_the_display_currency(monkeypatch):
    """Rows shown in million yen and an edit typed in million yen come back in USD million."""
    from app_pages import common, locale
    from app_pages import quote_market as qm
    from pricing.profiles import PRESETS
    from pricing.regulation.fx import DEFAULT_FX

    monkeypatch.setattr(locale, "currency", lambda: "JPY")
    rate = DEFAULT_FX.rate("JPY")
    stored = common.default_tower(PRESETS["small"])
    shown = qm.tower_for_display(stored)
    assert shown["retention"].tolist() == pytest.approx((stored["retention"] * rate).tolist())
    assert shown["share"].tolist() == stored["share"].tolist()
    edits = {"edited_rows": {0: {"limit": 1570.0}}, "added_rows": [{"retention": 3140.0}]}
    back = common.apply_edits(stored, qm.edits_to_usd(edits))
    assert back.loc[0, "limit"] == pytest.approx(1570.0 / rate)
    assert back.loc[2, "retention"] == pytest.approx(3140.0 / rate)
    assert back.loc[1, "limit"] == stored.loc[1, "limit"]


def test_a_layer_beyond_the_market_capacity_is_not_placeable_and_says_why_in_japanese():
    """The large exchange's starting tower asks more limit than one insured can buy (USD 600m):
    both layers are shown not placeable, with the capacity reason in Japanese and yen, and the
    tower premium leaves them out."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.radio(key="pf_preset").set_value("large").run()
    at.switch_page(QUOTE).run()
    at = japanese(at)
    table = at.dataframe[1].value
    assert not table["placeable"].any()
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 3, "one per layer, and the layer in detail"
    assert warnings[0].startswith("**レイヤー1**") and warnings[1].startswith("**レイヤー2**")
    for text in warnings:
        assert "引受不可" in text and "キャパシティ" in text and "円" in text, text
        assert "USD" not in text
    premium = next(m for m in at.metric if m.label.startswith("タワーの保険料"))
    assert premium.value == "0円"
    assert not english_left(at), english_left(at)
