"""Market prices: the curve integral, floors, minimum retention, capacity and the audit."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from pricing.aggregate import NegativeBinomial, Poisson
from pricing.coverage import Layer, Tower, quote_layer, quote_tower
from pricing.distributions import Lognormal, Mixture, Weibull
from pricing.market import (
    DEFAULT_TERMS,
    Capacity,
    MarketCurve,
    MarketTerms,
    cover_type,
    distorted_layer_premium,
    market_premiums,
    ph_exponent,
    price_market,
)
from pricing.premium import LoadingAssumptions

FREQ = Poisson(0.3)
SEV = Mixture((Lognormal(16.0, 2.0).capped(5e7), Lognormal(17.0, 2.2).capped(8e8)), (0.8, 0.2))


def _quad(freq, sev, d, lim, curve):
    """Reference: adaptive quadrature of g(OEP) over [d, d + l], split at the caps."""
    pts = sorted({d, d + lim, *[c for c in (5e7, 8e8) if d < c < d + lim]})
    total = 0.0
    for a, b in itertools.pairwise(pts):
        total += integrate.quad(
            lambda x: float(curve.g(freq.prob_at_least_one(sev.sf(x)))), a, b, limit=400,
            epsabs=0, epsrel=1e-10,
        )[0]  # fmt: skip
    return curve.scale * total


@pytest.mark.parametrize("curve", [MarketCurve("ph", 0.5), MarketCurve("wang", 0.6, 1.3)])
@pytest.mark.parametrize("d,lim", [(1e6, 4e6), (2e7, 1e8), (4e7, 2e7), (3e8, 6e8)])
def test_curve_premium_matches_adaptive_quadrature(curve, d, lim):
    """Trapezoid on the exact-node grid vs scipy.integrate.quad: relative error < 1e-5."""
    ours = float(distorted_layer_premium(FREQ, SEV, d, lim, [curve])[0])
    assert ours == pytest.approx(_quad(FREQ, SEV, d, lim, curve), rel=1e-5)


def test_identity_curve_gives_the_expected_loss_of_the_largest_theft():
    """g(s) = s: ∫ OEP dx = E[min((M − d)+, l)] for the year's largest theft M (rel 1e-5)."""
    identity = MarketCurve("ph", 1.0)
    d, lim = 1e7, 2e8
    ours = float(distorted_layer_premium(FREQ, SEV, d, lim, [identity])[0])
    # E[M layer] = ∫ P(M > x) dx with P(M > x) = 1 − exp(−λ S(x)), by quadrature
    assert ours == pytest.approx(_quad(FREQ, SEV, d, lim, identity), rel=1e-5)
    # and it is below the layer's expected loss (several thefts a year add to it)
    el = quote_layer(FREQ, SEV, Layer(d, lim)).expected_loss
    assert ours <= el


def test_default_curve_parameters_reproduce_their_anchors():
    """PoleStar Re 2024-1 (EL 1.26%, spread 13%) and 4.54x at EL 1% for cold storage."""
    hot = DEFAULT_TERMS.cover("hot").curve
    cold = DEFAULT_TERMS.cover("cold").curve
    assert float(hot.g(0.0126)) == pytest.approx(0.13, rel=1e-12)
    assert hot.parameter == pytest.approx(ph_exponent(0.0126, 0.13))
    assert float(cold.g(0.01)) / 0.01 == pytest.approx(4.54, rel=1e-12)
    assert 0.62 < cold.parameter < 0.79


@settings(max_examples=40, deadline=None)
@given(
    d=st.floats(1e6, 5e8),
    width=st.floats(1e6, 3e8),
    kind=st.sampled_from(["cold", "hot", "provider"]),
)
def test_every_placeable_market_price_respects_its_floors(d, width, kind):
    """Premium ≥ min ROL × limit, ≥ min multiple × E[L], ≥ technical; the audit passes."""
    q = quote_layer(FREQ, SEV, Layer(d, width), market=DEFAULT_TERMS, cover=kind)
    m = q.market
    assert m is not None and m.is_valid
    if m.placeable:
        assert m.rate_on_line >= DEFAULT_TERMS.cover(kind).minimum_rate_on_line * (1 - 1e-12)
        assert m.premium >= DEFAULT_TERMS.minimum_multiple * q.expected_loss * (1 - 1e-12)
        assert m.premium >= q.technical_premium * (1 - 1e-12)
        assert q.premium == m.premium
    else:
        assert math.isnan(q.premium) and m.reason in ("retention", "capacity", "price")


def test_rate_on_line_falls_as_attachment_rises_for_equal_widths():
    """Equal-width layers up the tower: the curve ROL strictly falls, the market ROL never
    rises (it may sit on the minimum rate on line)."""
    terms = MarketTerms(capacity=Capacity(per_insured_usd=5e9, by_attachment=((0.0, 5e9),)))
    width = 5e7
    starts = np.arange(5e6, 8e8, width)
    curves, market = [], []
    for d in starts:
        m = price_market(FREQ, SEV, d, width, 0.0, 0.0, "cold", terms)
        curves.append(m.curve_premium / width)
        market.append(m.rate_on_line)
    assert np.all(np.diff(curves) < 0)
    assert np.all(np.diff(market) <= 1e-15)


def test_first_dollar_cover_is_not_placeable():
    m = price_market(FREQ, SEV, 0.0, 1e7, 1e5, 2e5, "hot")
    assert not m.placeable and m.reason == "retention"
    assert "no first-dollar cover" in m.reason_text
    # 5% of a USD 400m limit = USD 20m: a USD 10m retention is below it
    m = price_market(FREQ, SEV, 1e7, 4e8, 1e5, 2e5, "cold")
    assert not m.placeable and "20,000,000" in m.reason_text


def test_capacity_gate_and_scarcity_load():
    """Below half the capacity no load; at capacity +50%; beyond it not placeable."""
    cap = DEFAULT_TERMS.capacity
    assert cap.load(2e8, 0.0)[0] == 0.0
    assert cap.load(6e8, 0.0)[0] == pytest.approx(0.5)
    assert cap.load(4.5e8, 0.0)[0] == pytest.approx(0.5 * 0.5**2)
    full = price_market(FREQ, SEV, 5e7, 6e8, 1e5, 2e5, "cold")
    assert full.placeable and full.scarcity_load == pytest.approx(0.5)
    assert full.premium == pytest.approx(1.5 * full.premium / (1 + full.scarcity_load))
    over = price_market(FREQ, SEV, 5e7, 6.5e8, 1e5, 2e5, "cold")
    assert not over.placeable and over.reason == "capacity" and math.isinf(over.premium)
    assert "capacity" in over.reason_text


def test_capacity_by_attachment_tiers():
    cap = Capacity(per_insured_usd=6e8, by_attachment=((0.0, 6e8), (1e9, 2e8)))
    assert list(cap.available([0.0, 5e8, 1e9, 5e9])) == [6e8, 6e8, 2e8, 2e8]
    terms = MarketTerms(capacity=cap)
    assert price_market(FREQ, SEV, 1.2e9, 1.5e8, 0, 0, "cold", terms).placeable
    assert not price_market(FREQ, SEV, 1.2e9, 3e8, 0, 0, "cold", terms).placeable


def test_tower_uses_capacity_cumulatively():
    """Three USD 250m layers: the third takes the tower past USD 600m and cannot be placed."""
    tower = Tower(tuple(Layer(2e7 + k * 2.5e8, 2.5e8) for k in range(3)))
    tq = quote_tower(FREQ, SEV, tower, market=DEFAULT_TERMS)
    loads = [q.market.scarcity_load for q in tq.quotes]
    assert loads[0] == 0.0 and loads[1] > 0
    assert [q.placeable for q in tq.quotes] == [True, True, False]


def test_minimum_premium_and_multiple_bind_where_they_should():
    out = market_premiums(1e3, 1e3, 0.0, 5e6, 1e6, "cold", DEFAULT_TERMS)
    assert str(out["basis"]) == "minimum_premium" and float(out["premium"]) == 50_000.0
    out = market_premiums(1e5, 8e5, 0.0, 5e6, 1e8, "cold", DEFAULT_TERMS)
    assert str(out["basis"]) == "minimum_multiple" and float(out["premium"]) == 1.6e6


def test_cover_type_rule():
    kinds = cover_type([0.0, 1e6, 5e6, 1e7], 5e6, False)
    assert list(kinds) == ["hot", "hot", "cold", "cold"]
    assert list(cover_type([1e7], 5e6, True)) == ["provider"]


def test_invalid_terms_are_named():
    with pytest.raises(ValueError, match="PH exponent"):
        MarketCurve("ph", 1.5)
    with pytest.raises(ValueError, match="by_attachment"):
        Capacity(by_attachment=((1e6, 5e8),))
    with pytest.raises(ValueError, match="minimum_multiple"):
        MarketTerms(minimum_multiple=0.5)
    with pytest.raises(ValueError, match="cover type"):
        price_market(FREQ, SEV, 1e6, 1e7, 0, 0, "warm")


def test_tvar_capital_removes_the_step_at_half_a_percent():
    """Cost-of-capital premium with TVaR capital is continuous across P(attach) = 0.5%, and
    above E[L] for a remote layer (where the VaR capital is 0)."""
    freq, sev = NegativeBinomial(mean=0.2, size=3.0), Weibull(0.45, 2e7)
    load = LoadingAssumptions(expense_fixed_usd=0, expense_ratio=0, minimum_premium_usd=0)
    var_load = LoadingAssumptions(
        expense_fixed_usd=0, expense_ratio=0, minimum_premium_usd=0, capital_measure="var"
    )
    # the retention where P(attach) = 0.5%
    d0 = float(sev.isf(freq.per_event_probability(0.005)))
    below = quote_layer(freq, sev, Layer(d0 * 0.98, 1e8), load)
    above = quote_layer(freq, sev, Layer(d0 * 1.02, 1e8), load)
    ratio = above.premium / below.premium
    assert 0.8 < ratio <= 1.0
    remote = quote_layer(freq, sev, Layer(d0 * 3, 1e8), load)
    assert remote.loss.value_at_risk(0.995) == 0.0
    # TVaR = E[L] / (1 − p) once P(L > 0) ≤ 1 − p: premium = E[L] (1 + CoC (1/0.005 − 1))
    assert remote.premium == pytest.approx(remote.expected_loss * (1 + 0.06 * 199), rel=1e-9)
    assert quote_layer(freq, sev, Layer(d0 * 3, 1e8), var_load).premium == pytest.approx(
        remote.expected_loss, rel=1e-12
    )


def test_no_layer_of_a_grid_is_priced_below_its_floors():
    """Every placeable layer of a retention × limit grid: ROL ≥ its cover type's minimum,
    premium ≥ 2 × E[L] and ≥ the technical premium; unplaceable layers are exactly those below
    the minimum retention or beyond capacity."""
    from pricing.coverage import price_layer_grid
    from pricing.market import market_grid

    d = np.array([0.0, 5e5, 2e6, 3e7, 2e8])
    lim = np.array([1e6, 1e7, 1e8, 5e8, 7e8])
    priced = price_layer_grid(FREQ, SEV, d, lim)
    tech = priced.premiums["cost_of_capital"]
    kinds = cover_type(d, 5e7, False)
    out = market_grid(FREQ, SEV, d, lim, priced.expected_loss, tech, kinds, DEFAULT_TERMS)
    ok = np.isfinite(out["premium"])
    min_rol = np.array([DEFAULT_TERMS.cover(k).minimum_rate_on_line for k in kinds])[:, None]
    rol = out["premium"] / lim[None, :]
    assert np.all(rol[ok] >= (min_rol * np.ones_like(rol))[ok] * (1 - 1e-12))
    assert np.all(out["premium"][ok] >= 2 * priced.expected_loss[ok] * (1 - 1e-12))
    assert np.all(out["premium"][ok] >= tech[ok] * (1 - 1e-12))
    low = d[:, None] < np.maximum(1e6, 0.05 * lim[None, :])
    assert np.array_equal(~ok, low | (lim[None, :] > 6e8))


def test_a_premium_above_the_limit_is_not_placeable():
    """USD 50,000 minimum premium on a USD 40,000 layer: rate on line over 100%, so the market
    does not write it (reason 'price') rather than quoting a meaningless price."""
    m = price_market(FREQ, SEV, 2e8, 4e4, 1.0, 0.0, "cold")
    assert not m.placeable and m.reason == "price" and "above the limit" in m.reason_text
    assert m.is_valid
