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
