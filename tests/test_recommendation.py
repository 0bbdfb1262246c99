"""The recommendation says what the structure is, what binds, and what insurance is credited."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from pricing.calibration import calibrate
from pricing.lossmodel import build_loss_model
from pricing.market import MarketTerms
from pricing.profiles import PRESETS
from pricing.strategy import StrategyAssumptions, StrategyResult, compare, reserve_floor

GRID = {"n_retentions": 14, "n_limits": 14}


@pytest.fixture(scope="module")
def models():
    cal = calibrate()
    return {name: build_loss_model(PRESETS[name], cal) for name in ("small", "large")}


def _result(limit: float, reserve: float, floor: float) -> StrategyResult:
    return StrategyResult(
        name="hybrid", retention=1e6, limit=limit, reserve=reserve, components={}, p_full=1.0,
        p_full_prompt=1.0, expected_shortfall=0.0, var_uncompensated=0.0, meets_target=True,
        customer_assets_usd=1e9, revenue_usd=1e8, floor=floor,
    )  # fmt: skip


def test_kind_names_the_structure_not_the_optimiser():
    assert _result(0.0, 5e7, 2e7).kind == "reserve only"
    assert _result(1e7, 2e7, 2e7).kind == "insurance"
    assert _result(1e7, 3e7, 2e7).kind == "hybrid"


def test_insurance_credit_and_headline_minimum_are_explained(models):
    """Large exchange under Hong Kong: insurance counts; the recommended layer's credit is
    the headline minimum less its reserve floor, and the text says the reserve sits below the
    headline minimum because of it."""
    c = compare(models["large"], "hk", StrategyAssumptions(**GRID))
    best = c.get(c.recommended)
    text = c.recommendation()
    assert text.startswith(f"Recommended: {best.kind},")
    if best.limit > 0:
        floor = float(reserve_floor(c.rule, best.retention, best.limit))
        assert best.floor == pytest.approx(floor, rel=1e-12)
        credit = c.rule.amount_usd - floor
        assert credit > 0
        assert f"credited with USD {credit:,.0f}" in text
        assert "below the headline minimum" in text
    assert ("protection target binds" in text) != ("regulatory minimum binds" in text)


def test_unplaceable_strategies_are_never_recommended(models):
    """With capacity so small that only tiny layers fit, every strategy the comparison
    reports as placeable has a finite premium, and the recommendation is placeable."""
    terms = MarketTerms()
    tight = replace(terms, capacity=replace(terms.capacity, per_insured_usd=2e6))
    c = compare(models["small"], "jp-draft", StrategyAssumptions(market=tight, **GRID))
    assert c.get(c.recommended).placeable
    assert np.all(np.isinf(c.total_cost[:, 1:]) | (c.limits[None, 1:] <= 2e6))
    for s in c.strategies:
        assert math.isfinite(s.total_cost) == s.placeable


def test_technical_pricing_stays_available(models):
    """market=None prices at the technical premium and may then pick first-dollar cover
    (no minimum retention), as before."""
    a = StrategyAssumptions(market=None, **GRID)
    c = compare(models["small"], "jp-draft", a)
    ins = c.get("insurance_only")
    assert ins.retention == 0 and ins.components["premium"] == ins.technical_premium


def test_the_recommendation_in_japanese_and_yen_states_the_same_facts(models):
    """In English the words are the library's own sentence; in Japanese the same structure,
    cost, reserve and credit are written in yen (each amount is the USD figure at the dated
    rate), and no USD amount or English sentence is left."""
    from pricing.i18n import fmt_amount
    from pricing.regulation.fx import DEFAULT_FX
    from pricing.strategy.words import recommendation_text

    c = compare(models["large"], "hk", StrategyAssumptions(**GRID))
    assert recommendation_text(c) == c.recommendation()

    def yen(usd: float) -> str:
        return fmt_amount(DEFAULT_FX.from_usd(usd, "JPY"), "JPY", "ja")

    text = recommendation_text(c, "ja", yen)
    best = c.get(c.recommended)
    assert yen(best.total_cost) in text and yen(best.reserve) in text
    if best.limit > 0:
        assert yen(best.limit) in text and yen(best.retention) in text
    assert "USD" not in text and "Recommended" not in text and "推奨" in text
