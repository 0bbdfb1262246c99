"""The comparison says why a strategy's layer is not placeable: the reason code the engine
took from the market premium computation, checked against pricing the same layer on its own
(:func:`pricing.coverage.quote_layer`, the second method the app used before)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pricing.calibration import CalibrationSpec, calibrate
from pricing.coverage import Layer, quote_layer
from pricing.data import load_exposure, load_incidents
from pricing.lossmodel import build_loss_model
from pricing.market import DEFAULT_TERMS, REASONS
from pricing.profiles import PRESETS
from pricing.strategy import StrategyAssumptions, compare


@pytest.fixture(scope="module")
def model():
    cal = calibrate(CalibrationSpec(), load_incidents(), load_exposure())
    return build_loss_model(PRESETS["small"], cal)


def alone(model, a: StrategyAssumptions, retention: float, limit: float) -> str:
    """The market's reason for ``limit xs retention`` priced on its own."""
    quote = quote_layer(
        model.frequency,
        model.severity,
        Layer(retention=retention, limit=limit),
        a.loadings,
        a.principle,
        market=a.market,
        cover=str(model.cover_type(retention)),
    )
    return quote.market.reason


def test_placeable_strategies_carry_no_reason(model):
    result = compare(model, "jp-2027", StrategyAssumptions())
    assert all(s.placeable for s in result.strategies)
    assert [s.unplaceable_reason for s in result.strategies] == ["", "", ""]


def test_a_market_without_first_dollar_cover_below_any_retention_says_retention(model):
    """A minimum retention of USD 1tn: no layer of the grid can be written."""
    a = StrategyAssumptions(market=replace(DEFAULT_TERMS, minimum_retention_usd=1e12))
    result = compare(model, "jp-2027", a)
    insured = [s for s in result.strategies if s.limit > 0]
    assert insured, "the comparison still shows the insured strategies"
    for s in insured:
        assert not s.placeable
        assert s.unplaceable_reason == "retention" == alone(model, a, s.retention, s.limit)
        assert "first-dollar" in REASONS[s.unplaceable_reason]
    reserve_only = result.get("reserve_only")
    assert reserve_only.placeable and reserve_only.unplaceable_reason == ""
