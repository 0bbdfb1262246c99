"""Parameter draws: seeded and reproducible, intervals around the point values, and the
recommendation's share of draws."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pricing.calibration import calibrate
from pricing.coverage import Layer, quote_layer
from pricing.lossmodel import build_loss_model
from pricing.market import DEFAULT_TERMS
from pricing.profiles import PRESETS
from pricing.strategy import StrategyAssumptions, compare, evaluate_structure
from pricing.uncertainty import compare_with_draws, draw_models, interval, quote_interval


@pytest.fixture(scope="module")
def setup():
    cal = calibrate()
    return cal, build_loss_model(PRESETS["small"], cal)


def test_interval_is_the_central_ninety_percent():
    values = np.arange(1, 101, dtype=float)
    low, high = interval(values)
    assert (low, high) == (pytest.approx(np.quantile(values, 0.05)), pytest.approx(95.05))
    assert interval(np.array([math.inf, 2.0, 2.0])) == (2.0, 2.0)
    assert all(math.isnan(v) for v in interval(np.array([math.inf])))


def test_draws_are_seeded_and_spread_around_the_estimate(setup):
    """Same seed, same models (common random numbers); the drawn rates' log-mean is within
    4 standard errors of log λ̂ and the log-sd within 35% of the one implied by the GLM's
    90% interval."""
    cal, model = setup
    a = draw_models(model, cal, 60, seed=7)
    b = draw_models(model, cal, 60, seed=7)
    assert [m.rate for m in a.models] == [m.rate for m in b.models]
    assert [m.severity_fit.params for m in a.models] == [m.severity_fit.params for m in b.models]
    logs = np.log([m.rate for m in a.models])
    ex = model.exchange_frequency
    s = (math.log(ex.ci[1]) - math.log(ex.ci[0])) / (2 * 1.6448536269514722)
    assert abs(logs.mean() - math.log(model.rate)) < 4 * s / math.sqrt(60)
    assert logs.std(ddof=1) == pytest.approx(s, rel=0.35)
    with pytest.raises(ValueError, match="draws"):
        draw_models(model, cal, 0)


def test_premium_interval_contains_the_point_premium(setup):
    """For a placeable hot layer the market premium of the point estimate lies inside the
    draws' range (with 40 draws a 90% band misses the centre only if the estimate is
    extreme), and an entered rate on line does not move."""
    cal, model = setup
    draws = draw_models(model, cal, 40, seed=3)
    layer = Layer(1e6, 4e6)
    point = quote_layer(
        model.frequency, model.severity, layer, market=DEFAULT_TERMS, cover="hot"
    ).premium
    low, high = quote_interval(draws, layer, market=DEFAULT_TERMS, cover="hot")
    assert low < point < high
    assert quote_interval(draws, layer, market_rate_on_line=0.1) == (4e5, 4e5)


def test_compare_with_draws_brackets_every_strategy(setup):
    """evaluate_structure gives back each strategy's cost and p_full on the point model
    (p_full rel 1e-9; cost rel 1e-4, as the technical premium's grid bucket follows the
    widest limit priced); every interval is ordered and the share is a fraction of draws."""
    cal, model = setup
    a = StrategyAssumptions(n_retentions=12, n_limits=12)
    base = compare(model, "jp-draft", a)
    for s in base.strategies:
        r = evaluate_structure(model, base.rule, s.retention, s.limit, s.reserve, a)
        assert r.total_cost == pytest.approx(s.total_cost, rel=1e-4)
        assert r.p_full == pytest.approx(s.p_full, rel=1e-9)
        if s.name != "insurance_only":  # sized to the target: the same reserve again
            assert r.sized_reserve == pytest.approx(s.reserve, rel=1e-9)
            assert r.sized_cost == pytest.approx(s.total_cost, rel=1e-4)
    result = compare_with_draws(base, draw_models(model, cal, 8, seed=2))
    assert result.n_draws == 8 and result.recommended_share in {k / 8 for k in range(9)}
    for s in result.strategies:
        low, high = s.total_cost_interval
        assert low <= high and 0 <= s.p_full_interval[0] <= s.p_full_interval[1] <= 1
    assert "draws of the fitted parameters" in result.recommendation()
    doc = result.to_dict()
    assert doc["recommended_share_of_draws"] == result.recommended_share


def test_draws_keep_their_yearly_losses_and_a_second_comparison_reuses_them(setup):
    """Each draw's yearly loss is computed once (``ParameterDraws.totals``) and serves every
    comparison over the draws: two targets re-evaluated under one set of draws give the same
    ranges as each under draws made afresh (same seed), and the totals are the same objects
    after both."""
    cal, model = setup
    shared = draw_models(model, cal, 6, seed=4)
    totals = shared.totals
    assert len(totals) == 6 and shared.totals is totals
    for target in (0.99, 0.995):
        point = compare(model, "hk", StrategyAssumptions(target=target), total=model.aggregate())
        kept = compare_with_draws(point, shared)
        fresh = compare_with_draws(point, draw_models(model, cal, 6, seed=4))
        assert [s.total_cost_interval for s in kept.strategies] == [
            s.total_cost_interval for s in fresh.strategies
        ]
        assert [s.p_full_interval for s in kept.strategies] == [
            s.p_full_interval for s in fresh.strategies
        ]
        assert kept.recommended_share == fresh.recommended_share
    assert all(a is b for a, b in zip(shared.totals, totals, strict=True))
