"""Premium principles against closed forms and their defining properties."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.distributions import Lognormal
from pricing.premium import (
    PRINCIPLES,
    LoadingAssumptions,
    LossMoments,
    risk_premiums,
    technical_premium,
    wang_premium,
)


def layer_moments(base, d, l, level=0.995):
    layer = base.layer(d, l)
    return LossMoments(
        mean=layer.mean(),
        std=layer.var() ** 0.5,
        var_capital=float(layer.ppf(level)),
        sf=layer.sf,
        upper=l,
    )


@pytest.mark.parametrize(("mu", "s", "lam"), [(15.0, 1.5, 0.3), (17.0, 2.2, 0.5), (14.0, 0.8, 0.1)])
@pytest.mark.parametrize(("d", "l"), [(0.0, 5e7), (2e6, 2e7), (1e8, 1e9)])
def test_wang_premium_of_a_lognormal_layer_is_a_shifted_lognormal_layer(mu, s, lam, d, l):
    """Wang's transform of a lognormal(μ, σ) is lognormal(μ + λσ, σ) (Wang 1996, §4), so the
    transformed layer premium is E[X′∧(d+l)] − E[X′∧d] of the shifted law. Relative 1e-5 (the
    trapezoid rule on about 8,000 points)."""
    base = Lognormal(mu, s)
    shifted = Lognormal(mu + lam * s, s)
    exact = shifted.lev(d + l) - shifted.lev(d)
    assert wang_premium(base.layer(d, l).sf, l, lam) == pytest.approx(exact, rel=1e-5)


def test_wang_with_zero_shift_is_the_expected_loss():
    layer = Lognormal(16.0, 1.7).layer(1e6, 3e7)
    assert wang_premium(layer.sf, 3e7, 0.0) == pytest.approx(layer.mean(), rel=1e-6)


def test_principles_closed_forms():
    m = layer_moments(Lognormal(16.0, 1.7), 1e6, 3e7)
    load = LoadingAssumptions(theta=0.4, kappa=0.3, wang_lambda=0.2, cost_of_capital=0.06)
    p = risk_premiums(m, load)
    assert p["expected_value"] == pytest.approx(1.4 * m.mean)
    assert p["std_dev"] == pytest.approx(m.mean + 0.3 * m.std)
    assert p["cost_of_capital"] == pytest.approx(m.mean + 0.06 * (m.var_capital - m.mean))
    assert all(value >= m.mean for value in p.values())


def test_technical_premium_adds_expenses_and_applies_the_minimum():
    m = layer_moments(Lognormal(16.0, 1.7), 1e6, 3e7)
    load = LoadingAssumptions(expense_fixed_usd=10_000, expense_ratio=0.25, minimum_premium_usd=0)
    tp = technical_premium(m, 3e7, load, "expected_value")
    assert tp.gross_premium == pytest.approx((1.5 * m.mean + 10_000) / 0.75)
    assert tp.rate_on_line == pytest.approx(tp.gross_premium / 3e7)
    assert tp.loss_ratio == pytest.approx(m.mean / tp.gross_premium)
    assert not tp.minimum_applied
    floor = dataclasses.replace(load, minimum_premium_usd=1e9)
    high = technical_premium(m, 3e7, floor, "expected_value")
    assert high.gross_premium == 1e9 and high.minimum_applied


@pytest.mark.parametrize(
    "field",
    ["theta", "kappa", "cost_of_capital", "expense_ratio", "minimum_premium_usd", "capital_level"],
)
def test_invalid_loadings_name_the_field(field):
    with pytest.raises(ValueError, match=field):
        LoadingAssumptions(**{field: -1.0})


def test_unknown_principle():
    m = layer_moments(Lognormal(16.0, 1.7), 1e6, 3e7)
    with pytest.raises(ValueError, match="not one of"):
        technical_premium(m, 3e7, LoadingAssumptions(), "gut_feeling")


@settings(max_examples=40, deadline=None)
@given(d=st.floats(0, 5e8), l=st.floats(1e6, 5e8), extra=st.floats(1e5, 1e8))
def test_premium_rises_with_limit_and_falls_with_retention(d, l, extra):
    base = Lognormal(16.0, 2.0)
    load = LoadingAssumptions(minimum_premium_usd=0, expense_fixed_usd=0)
    for principle in PRINCIPLES:
        p = technical_premium(layer_moments(base, d, l), l, load, principle).gross_premium
        wider = technical_premium(
            layer_moments(base, d, l + extra), l + extra, load, principle
        ).gross_premium
        higher = technical_premium(
            layer_moments(base, d + extra, l), l, load, principle
        ).gross_premium
        assert wider >= p * (1 - 1e-6), principle
        assert higher <= p * (1 + 1e-6), principle
