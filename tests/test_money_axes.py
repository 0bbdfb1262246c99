"""Readable amounts on a projector (issue 13): log money axes labelled in the display currency
at round amounts (USD 10m, 10億円), the Insurer portfolio charts in the house look, the return
period table of Exchange profile rounded in the unit amounts are typed in, and the banner naming
a regime parameter by its label.

Tick labels are checked by reading them back: each label is parsed into an amount (its unit
suffix: k, m, bn, tn or 万, 億, 兆) independently of how it was written, and must equal the
tick's position times the axis unit.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pricing import plots
from pricing.calibration import CalibrationSpec, calibrate
from pricing.data import ATTACK_VECTORS, load_exposure, load_incidents
from pricing.i18n import tr
from pricing.lossmodel import build_loss_model
from pricing.plots._base import money_tick, money_ticks
from pricing.portfolio import build_portfolio, load_book, run_portfolio
from pricing.portfolio.plots import portfolio_exceedance_chart
from pricing.profiles import PRESETS
from pricing.regulation.fx import DEFAULT_FX
from tests.app_charts import chart_specs

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 300
JPY = DEFAULT_FX.rate("JPY")
_EN = {"": 1.0, "k": 1e3, "m": 1e6, "bn": 1e9, "tn": 1e12}
_JA = {"": 1.0, "万": 1e4, "億": 1e8, "兆": 1e12}


def parse(label: str, currency: str, lang: str) -> float:
    """The amount a tick label reads as (``USD 10m`` -> 1e7, ``1,000万円`` -> 1e7)."""
    if lang == "ja":
        suffix = "円" if currency == "JPY" else f" {currency}"
        assert label.endswith(suffix), label
        found = re.fullmatch(r"([\d,.]+)(万|億|兆)?", label.removesuffix(suffix))
        assert found, label
        return float(found[1].replace(",", "")) * _JA[found[2] or ""]
    found = re.fullmatch(rf"{currency} ([\d,.]+)(k|m|bn|tn)?", label)
    assert found, label
    return float(found[1].replace(",", "")) * _EN[found[2] or ""]


def round_amount(value: float) -> bool:
    """1 to 9 times a power of ten."""
    mantissa = value / 10 ** math.floor(math.log10(value) + 1e-9)
    return abs(mantissa - round(mantissa)) < 1e-9 and 1 <= round(mantissa) <= 9


@pytest.mark.parametrize(
    ("amount", "currency", "lang", "label"),
    [
        (1e7, "USD", "en", "USD 10m"),
        (1e9, "USD", "en", "USD 1bn"),
        (1e5, "USD", "en", "USD 100k"),
        (5e8, "HKD", "en", "HKD 500m"),
        (1e12, "JPY", "en", "JPY 1tn"),
        (1e8, "JPY", "ja", "1億円"),
        (1e7, "JPY", "ja", "1,000万円"),
        (1e11, "JPY", "ja", "1,000億円"),
        (1e12, "JPY", "ja", "1兆円"),
        (1e6, "USD", "ja", "100万 USD"),
    ],
)
def test_a_round_amount_reads_with_its_currency_and_unit(amount, currency, lang, label):
    assert money_tick(amount, currency, lang) == label
    assert parse(label, currency, lang) == pytest.approx(amount, rel=1e-12)


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("per_unit", [1.0, 1e6, 1e8])
@pytest.mark.parametrize(
    ("lo", "hi"),
    [(3e5, 4e9), (7e4, 1.3e13), (2e8, 3e10), (1.1e5, 9e5), (3e6, 4e6), (1e3, 2e15)],
)
def test_ticks_are_round_amounts_inside_the_range(lo, hi, per_unit, lang):
    ticks = money_ticks(lo, hi, "JPY", lang, per_unit)
    amounts = [v * per_unit for v in ticks["tickvals"]]
    assert ticks["tickmode"] == "array"
    assert 2 <= len(amounts) <= 7
    assert all(lo * (1 - 1e-9) <= a <= hi * (1 + 1e-9) for a in amounts)
    assert all(round_amount(a) for a in amounts), amounts
    assert amounts == sorted(amounts)
    read = [parse(text, "JPY", lang) for text in ticks["ticktext"]]
    assert read == pytest.approx(amounts, rel=1e-12)
    if hi / lo >= 1e3:  # a wide range: powers of ten only, evenly spaced
        steps = np.diff(np.log10(amounts))
        assert np.allclose(steps, steps[0]) and steps[0] == pytest.approx(round(steps[0]))


def test_a_range_too_narrow_for_two_round_amounts_keeps_plotlys_ticks():
    assert money_ticks(3.1e6, 3.9e6) == {}
    assert money_ticks(0.0, 1e6) == {} and money_ticks(1e6, math.inf) == {}


def check_axis(axis, data: np.ndarray, currency: str, lang: str, per_unit: float) -> None:
    """A log money axis: round amounts in the currency, at least two inside the data."""
    assert axis.type == "log" and axis.tickmode == "array"
    amounts = np.asarray(axis.tickvals, dtype=float) * per_unit
    read = [parse(text, currency, lang) for text in axis.ticktext]
    assert read == pytest.approx(amounts.tolist(), rel=1e-12)
    shown = data[np.isfinite(data) & (data > 0)] * per_unit
    inside = amounts[(amounts >= shown.min() * (1 - 1e-9)) & (amounts <= shown.max() * (1 + 1e-9))]
    assert len(inside) >= 2


def trace_values(fig, axis: str) -> np.ndarray:
    return np.concatenate([np.asarray(getattr(t, axis), dtype=float) for t in fig.data])


@pytest.fixture(scope="module")
def calibration():
    return calibrate(CalibrationSpec(), load_incidents(), load_exposure())


@pytest.mark.parametrize(
    "display",
    [plots.USD, plots.Display("JPY", "ja"), plots.Display("JPY", "en"), plots.Display("HKD", "ja")],
    ids=["USD-en", "JPY-ja", "JPY-en", "HKD-ja"],
)
def test_the_exceedance_chart_reads_in_the_display_currency(calibration, display):
    agg = build_loss_model(PRESETS["small"], calibration).aggregate()
    fig = plots.exceedance_with_layer_chart(agg, 1e6, 5e6, display=display)
    check_axis(fig.layout.xaxis, trace_values(fig, "x"), display.currency, display.lang, 1.0)
    # the axis is still the amount in the currency: the 1-in-200 line sits at the USD loss × rate
    curve = agg.exceedance_curve("aep")
    drawn = fig.data[0]
    assert drawn.x[0] == pytest.approx(curve["loss"][curve["loss"] > 0].iloc[0] * display.rate)


def test_the_loss_history_and_fit_charts_label_usd(calibration):
    frame = load_incidents().frame
    timeline = plots.incident_timeline(frame, ATTACK_VECTORS)
    check_axis(timeline.layout.yaxis, trace_values(timeline, "y"), "USD", "en", 1.0)
    fit = calibration.severity.best
    qq = plots.qq_chart(fit.qq_data(), fit.family)
    check_axis(qq.layout.xaxis, trace_values(qq, "x"), "USD", "en", 1.0)
    check_axis(qq.layout.yaxis, trace_values(qq, "y"), "USD", "en", 1.0)


@pytest.mark.parametrize(("lang", "currency", "per_unit"), [("en", "USD", 1e6), ("ja", "JPY", 1e8)])
def test_the_portfolio_exceedance_axis_reads_in_the_currency(lang, currency, per_unit):
    result = run_portfolio(
        build_portfolio(load_book("data/example_book.csv"), calibrate()), 2_000, seed=1, workers=0
    )
    fig = portfolio_exceedance_chart(result, lang=lang, currency=currency)
    check_axis(fig.layout.xaxis, trace_values(fig, "x"), currency, lang, per_unit)
    assert (fig.layout.yaxis.dtick, fig.layout.yaxis.exponentformat) == (1, "power")
    part = result.aep[(result.aep["probability"] > 0) & (result.aep["loss_usd"] > 0)]
    rate = DEFAULT_FX.rate(currency) if currency != "USD" else 1.0
    assert np.allclose(fig.data[0].x, part["loss_usd"] * rate / per_unit, rtol=1e-12)
    title = tr("loss in a year, {currency} (log scale)", lang).format(currency=currency)
    assert fig.layout.xaxis.title.text.replace("<br>", " " if lang == "en" else "") == title


# -- the app (AppTest) --------------------------------------------------------------------------
@pytest.fixture
def _app_env(tmp_path, monkeypatch):
    monkeypatch.setenv("VAULTCOVER_DB", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("VAULTCOVER_USER", "ana")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def open_app(lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    if lang == "ja":
        at.selectbox(key="ui_lang").set_value("ja").run()
        at.selectbox(key="ui_currency").set_value("JPY").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.usefixtures("_app_env")
def test_portfolio_charts_use_the_house_look_of_every_other_chart():
    at = open_app()
    profile = chart_specs(at)  # Exchange profile: the figure's own template and font
    assert profile and {s["layout"]["font"]["family"] for s in profile} == {plots.FONT["family"]}
    at.switch_page("app_pages/portfolio.py").run()
    at.number_input(key="pt_years").set_value(2_000)
    next(b for b in at.button if b.proto.is_form_submitter).click().run()
    assert not at.exception, [e.value for e in at.exception]
    found = chart_specs(at)
    assert len(found) == 3
    for spec in found:  # drawn as built: no Streamlit theme over the house font and colours
        assert spec["layout"]["font"]["family"] == plots.FONT["family"]
    exceedance = next(s for s in found if s["layout"]["xaxis"].get("type") == "log")
    assert exceedance["layout"]["xaxis"]["ticktext"][0].startswith("USD ")


def return_periods(at: AppTest):
    return next(d for d in at.dataframe if "aep_loss" in d.value.columns)


@pytest.mark.usefixtures("_app_env")
def test_return_period_table_is_rounded_in_the_typing_unit(calibration):
    """Default profile (the small preset): the table is the library's, in USD million on the
    English page and in 億円 on the Japanese one, with at most two decimals, still numbers."""
    table = build_loss_model(PRESETS["small"], calibration).aggregate().return_period_table()
    at = open_app()
    assert any("Losses by return period (USD million)" in h.value for h in at.subheader)
    shown = return_periods(at)
    config = json.loads(shown.proto.columns)
    for column in ("aep_loss", "tvar", "oep_loss"):
        assert shown.value[column].tolist() == pytest.approx((table[column] / 1e6).tolist())
        assert re.fullmatch(r"%,\.[0-2]f", config[column]["type_config"]["format"])
    at.selectbox(key="ui_lang").set_value("ja").run()
    at.selectbox(key="ui_currency").set_value("JPY").run()
    assert any("再現期間別の損失（億円）" in h.value for h in at.subheader)
    shown = return_periods(at)
    for column in ("aep_loss", "tvar", "oep_loss"):
        assert shown.value[column].dtype.kind == "f"  # numbers: the table sorts
        assert shown.value[column].tolist() == pytest.approx((table[column] * JPY / 1e8).tolist())
    tvar = shown.value["tvar"]
    assert tvar.max() < 1e4  # 億円, not yen to the unit (1,020,500,000)


def banner(at: AppTest) -> str:
    return next((i.value for i in at.info if "**3,000,000,000**" in i.value), "")


@pytest.mark.usefixtures("_app_env")
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_banner_names_a_regime_parameter_by_its_label(lang):
    """One run of the app with the inputs as the session stores them (a second run of a
    translated selector fails in AppTest, see tests/test_app_i18n.japanese)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["_inputs"] = {
        "ui_lang": lang,
        "ui_currency": "JPY" if lang == "ja" else "USD",
        "rp_jp-2027_floor_jpy": 3e9,
        "rp_in-kind_delay_days": 45.0,
    }
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    text = banner(at)
    assert "floor\\_jpy" not in text and "delay\\_days" not in text
    floor, days = tr("floor of the reserve", lang), tr("days from the theft to the buy-back", lang)
    assert (floor != "floor of the reserve") == (lang == "ja")
    assert f"jp-2027: {floor} (JPY): **3,000,000,000**" in text
    assert f"{tr('Compensation in kind', lang)}: {days}: **45**" in text
