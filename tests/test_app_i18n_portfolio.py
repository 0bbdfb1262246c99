"""Insurer portfolio in 日本語 and JPY: no English label and no USD amount left on the page
after a run, and every figure shown is the USD result times the shipped, dated rate.

The walk is the one of :mod:`tests.test_app_i18n_pages` (every element's protobuf, table
cells, chart titles, axes, legends, annotations and hover templates), with this page's own
allow-list: exchange and provider names are data (passed as the user's names), and the book
editor's coded cells are the book CSV's format (the user types them as the file has them).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pricing.regulation.fx import DEFAULT_FX
from tests import test_app_i18n_pages as walk
from tests.app_charts import chart_specs

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "app_pages/portfolio.py"
JPY = DEFAULT_FX.rate("JPY")
YEARS = 2_000
#: Latin letters this page may show besides the shared allow-list, each with its reason.
ALLOWED = {
    "Liminal",  # a provider named as an example (its compromise), like Ginco and Safe
    *("AEP", "OEP"),  # the exceedance curves' names, as practitioners write them
    "Dask",  # the engine the simulation runs on (a product name)
    "tcp",  # the scheduler address's protocol (the value of the address input)
}
#: The book editor's coded cells: the book CSV's own values (standard, hot_and_cold, jp).
DATA_COLUMNS = {"security_level", "provider_controls", "jurisdiction"}


@pytest.fixture(autouse=True)
def _store(tmp_path, monkeypatch):
    monkeypatch.setenv("VAULTCOVER_DB", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("VAULTCOVER_USER", "ana")
    monkeypatch.setattr(walk, "ALLOWED", walk.ALLOWED | ALLOWED)
    monkeypatch.setattr(walk, "DATA_COLUMNS", walk.DATA_COLUMNS | DATA_COLUMNS)
    # a chart's rendering theme ("streamlit"), a setting and no text
    monkeypatch.setattr(walk, "IGNORED_KEYS", walk.IGNORED_KEYS | {"theme"})
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def open_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=walk.TIMEOUT).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_book(at: AppTest) -> AppTest:
    at.number_input(key="pt_years").set_value(YEARS)
    at.button[-1].click().run()  # the form's submit button
    assert not at.exception, [e.value for e in at.exception]
    return at


def names(at: AppTest) -> tuple[str, ...]:
    """The book's exchange and provider names (data), longest first, and the user."""
    result, _ = at.session_state["pt_result"]
    return (*sorted({*result.names, *result.by_provider["provider"]}, key=len, reverse=True), "ana")


def chart(at: AppTest, title: str) -> dict:
    return next(spec for spec in chart_specs(at) if title in spec["layout"]["title"]["text"])


def test_the_walk_finds_english_and_usd_on_the_english_portfolio_page():
    at = run_book(open_page())
    left = walk.english_left(at, names(at))
    assert "Insurer portfolio" in left  # the title
    assert "Accumulation by provider: insurer's yearly loss on its clients" in left  # a chart
    assert "Exposure (USD)" in left  # a table's header
    assert "retention (USD)" in left and "limit (USD)" in left  # the book editor's headers
    assert any(re.search(r"USD [\d,.]+ m", s) for s in left)  # an amount in USD


def test_portfolio_in_japanese_and_yen_has_no_english_and_no_usd():
    at = run_book(walk.japanese(open_page()))
    assert at.title[0].value == "保険会社ポートフォリオ"
    left = walk.english_left(at, names(at))
    assert not left, left
    assert any("ポートフォリオ：シミュレーション年数" in i.value for i in at.info)  # the banner
    # the scenario of every client hit, in yen too
    at.checkbox(key="pt_scenario_all").check().run()
    assert "全顧客が被害" in at.markdown[-1].value
    left = walk.english_left(at, names(at))
    assert not left, left


def test_portfolio_figures_are_the_usd_result_at_the_shipped_rate():
    """The English page's run, shown in yen: metrics, tables and charts are the USD result
    times the rate; a run in Japanese gives the same result (same seed and years)."""
    at = run_book(open_page())
    result, _ = at.session_state["pt_result"]
    english = {m.label: m.value for m in at.metric}
    assert english["Mean yearly loss"] == f"USD {result.mean / 1e6:,.2f} m"
    at = walk.japanese(at)
    shown = [m.value for m in at.metric]
    expected = [result.mean, result.var[0.995], result.tvar[0.995], result.diversification_benefit]
    for value, usd in zip(shown, expected, strict=True):
        assert walk.yen(value) == pytest.approx(usd * JPY, rel=5e-3), value  # 3 figures shown

    accumulation = next(d.value for d in at.dataframe if "外部事業者" in d.value.columns)
    assert accumulation["外部事業者"].tolist() == result.by_provider["provider"].tolist()
    for column, header in (
        ("exposure", "エクスポージャー（JPY）"),
        ("pml_995", "200年に1度（JPY）"),
    ):
        assert accumulation[header].tolist() == pytest.approx(
            (result.by_provider[column] * JPY).tolist(), rel=1e-12
        )
    summary = next(d.value for d in at.dataframe if "指標" in d.value.columns)
    assert summary["金額（JPY）"].tolist() == pytest.approx(
        (result.summary()["usd"] * JPY).tolist(), rel=1e-12
    )
    assert "VaR 0.995（200年に1度）" in summary["指標"].tolist()
    allocation = next(d.value for d in at.dataframe if "単独 TVaR（JPY）" in d.value.columns)
    assert allocation["単独 TVaR（JPY）"].tolist() == pytest.approx(
        (result.allocation["standalone_tvar"] * JPY).tolist(), rel=1e-12
    )

    # the charts in 億円 (10^8 yen)
    bars = chart(at, "外部事業者別の集積")
    assert bars["layout"]["yaxis"]["title"]["text"] == "億円"
    assert walk.numbers(bars["data"][2]["y"]) == pytest.approx(
        (result.by_provider["pml_995"] * JPY / 1e8).tolist(), rel=1e-9
    )
    curve = chart(at, f"シミュレーション {YEARS:,}年")
    part = result.aep[(result.aep["probability"] > 0) & (result.aep["loss_usd"] > 0)]
    assert walk.numbers(curve["data"][0]["x"]) == pytest.approx(
        (part["loss_usd"] * JPY / 1e8).tolist(), rel=1e-9
    )

    # the same run in Japanese is the same result
    run_book(at)
    again, _ = at.session_state["pt_result"]
    assert again.mean == result.mean and again.tvar == result.tvar
    assert walk.yen(at.metric[0].value) == pytest.approx(result.mean * JPY, rel=5e-3)
