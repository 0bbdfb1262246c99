"""Client reports of a scenario and of a comparison: content, numbers and charts."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil

import pytest

from pricing.profiles import PRESETS
from pricing.report import (
    comparison_report_pdf,
    readable_scenario_table,
    scenario_report_pdf,
    usd_text,
)
from pricing.scenario import Scenario, evaluate, scenario_table

pypdf = pytest.importorskip("pypdf")
BASE = Scenario("Base case", PRESETS["small"], client="東京の取引所")
HK = dataclasses.replace(BASE, name="HK rule", regime="hk")


@pytest.fixture(scope="module")
def results():
    return evaluate(BASE), evaluate(HK)


def text_of(data: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return re.sub(r"[\s\x00]+", " ", " ".join(p.extract_text() for p in pages))


def test_usd_text_rounds_and_names_the_currency():
    assert usd_text(1234.4) == "USD 1,234"
    assert usd_text(12_345_678) == "USD 12.35 m"
    assert usd_text(2.5e9) == "USD 2.50 bn"
    assert usd_text(float("nan")) == "–" and usd_text(None) == "–"


def test_scenario_report_has_recommendation_costs_minimum_sources_and_assumptions(results):
    result = results[0]
    text = text_of(scenario_report_pdf(result, charts=False, sensitivity=False))
    c = result.comparison
    best = c.get(c.recommended)
    for needed in (
        "Recommendation",
        "Why",
        "Cost and protection by strategy",
        "Regulatory minimum",
        "Formula:",
        "Sources:",
        "Assumptions and data sources",
        "Dispute probability",
        f"{best.total_cost:,.0f}",
        usd_text(c.rule.amount_usd),
        "not law",
    ):
        assert needed in text, needed
    assert "東京の取引所" in text.replace(" ", "")
    assert "None" not in text
    assert re.search(r"https?://", text), "sources are printed as links"


def test_comparison_report_lists_both_scenarios_and_what_differs(results):
    text = text_of(comparison_report_pdf(list(results)))
    assert "Base case" in text and "HK rule" in text
    assert "* regime" in text and "Assumptions that differ" in text
    assert "strategy.frictions" not in text
    shown = readable_scenario_table(scenario_table(list(results)))
    minimum = shown.set_index("measure").loc["regulatory minimum (USD)"]
    assert minimum["HK rule"] in text and minimum["Base case"] in text


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="kaleido needs Debian's chromium")
def test_full_report_embeds_the_frontier_and_heatmap_and_the_sensitivity(results):
    data = scenario_report_pdf(results[0])
    images = [i for p in pypdf.PdfReader(io.BytesIO(data)).pages for i in p.images]
    assert len(images) == 2
    assert "Sensitivity" in text_of(data) and "Swing" in text_of(data)


# --------------------------------------------------------------------------------------------
# The quote at market, the 90% ranges, Japanese and yen
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def towered():
    from pricing.coverage import Layer, Tower

    tower = Tower((Layer(0.0, 2e6, name="Layer 1"), Layer(2e6, 10e6, name="Layer 2")))
    return evaluate(dataclasses.replace(BASE, name="With a tower", tower=tower))


def test_report_prices_the_tower_at_market_beside_the_technical_premium(towered):
    from pricing.coverage import quote_tower
    from pricing.market import DEFAULT_TERMS, cover_type

    s, m = towered.scenario, towered.model
    kinds = [
        str(cover_type(x.retention, m.hot_cap, s.profile.third_party_provider))
        for x in s.tower.layers
    ]
    quote = quote_tower(
        m.frequency, m.severity, s.tower, s.loadings, s.principle, None, DEFAULT_TERMS, kinds
    )
    low, top = quote.quotes
    assert not low.placeable and top.placeable  # first-dollar cover is not written
    text = text_of(scenario_report_pdf(towered, charts=False, sensitivity=False))
    assert "Insurance quote: technical and market premium" in text
    assert usd_text(top.technical_premium) in text and usd_text(top.market.premium) in text
    assert "not placeable" in text and "below the market's minimum" in text


def test_report_carries_the_90_percent_ranges_when_drawn(results):
    text = text_of(scenario_report_pdf(results[0], charts=False, sensitivity=False, draws=3))
    assert "Parameter uncertainty (90% ranges)" in text
    assert re.search(r"USD [\d.,]+( m| bn)? – USD [\d.,]+( m| bn)?", text), "cost ranges in USD"
    assert re.search(r"\d+% of 3 draws", text)
    assert re.search(r"\d+\.\d\d% – \d+\.\d\d%", text), "protection ranges"
    plain = text_of(scenario_report_pdf(results[0], charts=False, sensitivity=False))
    assert "Parameter uncertainty" not in plain, "no ranges unless computed"


def test_report_in_japanese_and_yen(towered, results):
    from pricing.pdfdoc import CJK_FONTS
    from pricing.regulation.fx import DEFAULT_FX

    if not any(__import__("pathlib").Path(f).is_file() for f in CJK_FONTS):
        pytest.skip("no CJK font")
    data = scenario_report_pdf(towered, charts=False, sensitivity=False, lang="ja", currency="JPY")
    flat = text_of(data).replace(" ", "")
    for heading in (
        "推奨",
        "戦略別のコストと保護水準",
        "規制上の最低額",
        "保険見積：技術的保険料と市場保険料",
    ):
        assert heading in flat, heading
    c = towered.comparison
    best = c.get(c.recommended)
    from pricing.i18n import fmt_amount

    assert fmt_amount(best.total_cost * DEFAULT_FX.rate("JPY"), "JPY", "ja") in flat
    table = flat.split("戦略別のコストと保護水準")[1].split("規制上の最低額")[0]
    assert "USD" not in table, "the strategy table is in yen"
    both = text_of(comparison_report_pdf([towered, results[1]], lang="ja", currency="JPY"))
    assert "比較したシナリオ" in both.replace(" ", "")
    flat_both = both.replace(" ", "")
    assert "(JPY)" in flat_both or "（JPY）" in flat_both or "億円" in flat_both
    assert "USD" not in flat_both
