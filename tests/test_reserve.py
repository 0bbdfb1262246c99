"""Self-funded reserves (:mod:`pricing.reserve`): carrying cost, sizing and the projection.

Synthetic checks use a Poisson(0.8) count of lognormal(14, 1.5) thefts capped at USD 500m
(finite moments, a closed-form compound mean and variance); the calibrated checks use the
shipped data (``calibrate()``) and the ``small`` and ``large`` presets. Monte Carlo estimates
are compared within 4 standard errors, with every extra allowance stated where it is used.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.aggregate import GridSpec, Poisson, aggregate, compound_moments, simulate
from pricing.calibration import calibrate
from pricing.distributions import Lognormal
from pricing.lossmodel import build_loss_model
from pricing.profiles import PRESETS
from pricing.reserve import (
    SIZING_METHODS,
    ReserveSizing,
    carrying_cost,
    carrying_rate,
    project_reserve,
    size_reserve,
)

FREQ = Poisson(0.8)
SEV = Lognormal(14.0, 1.5).capped(5e8)
LEVELS = (0.9, 0.95, 0.99, 0.995, 0.999)


@pytest.fixture(scope="module")
def total():
    """Yearly aggregate of the synthetic model on a fine grid (2^15 points)."""
    return aggregate(FREQ, SEV, grid=GridSpec(log2=15, coverage=1.0 - 1e-9))


@pytest.fixture(scope="module")
def models():
    cal = calibrate()
    return {name: build_loss_model(PRESETS[name], cal) for name in ("small", "large")}


@pytest.fixture(scope="module")
def preset_totals(models):
    return {name: model.aggregate() for name, model in models.items()}


# --------------------------------------------------------------------------------------------
# Carrying cost
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["small", "large"])
def test_carrying_rate_is_cost_of_capital_less_after_tax_yield(name):
    """``coc − yield × (1 − tax)`` for each preset (small: 0.10 − 0.01 × 0.7 = 0.093); exact
    to 1e-15."""
    p = PRESETS[name]
    assert carrying_rate(p) == pytest.approx(
        p.cost_of_capital - p.reserve_yield * (1 - p.tax_rate), abs=1e-15
    )
    if name == "small":
        assert carrying_rate(p) == pytest.approx(0.093, abs=1e-15)


@pytest.mark.parametrize(
    ("coc", "yld", "tax", "expected"),
    [(0.12, 0.04, 0.25, 0.09), (0.08, 0.0, 0.3, 0.08), (0.05, 0.05, 0.0, 0.0)],
)
def test_carrying_rate_of_edited_profiles(coc, yld, tax, expected):
    """Hand-computed rates for edited profiles (a zero-tax reserve yielding the cost of
    capital costs nothing); absolute 1e-15."""
    p = dataclasses.replace(PRESETS["small"], cost_of_capital=coc, reserve_yield=yld, tax_rate=tax)
    assert carrying_rate(p) == pytest.approx(expected, abs=1e-15)


@settings(max_examples=30, deadline=None)
@given(
    a=st.floats(0, 1e11, allow_nan=False),
    b=st.floats(0, 1e11, allow_nan=False),
    c=st.floats(0, 100, allow_nan=False),
)
def test_carrying_cost_is_linear_in_the_reserve(a, b, c):
    """``cost(a + b) = cost(a) + cost(b)``, ``cost(c a) = c cost(a)``, ``cost(0) = 0``:
    relative 1e-12 (absolute 1e-6 USD)."""
    p = PRESETS["large"]
    assert carrying_cost(0.0, p) == 0.0
    assert carrying_cost(a + b, p) == pytest.approx(
        carrying_cost(a, p) + carrying_cost(b, p), rel=1e-12, abs=1e-6
    )
    assert carrying_cost(c * a, p) == pytest.approx(c * carrying_cost(a, p), rel=1e-12, abs=1e-6)
    assert carrying_cost(a, p) == pytest.approx(carrying_rate(p) * a, rel=1e-12, abs=1e-6)


@pytest.mark.parametrize("bad", [-1.0, math.inf, math.nan])
def test_carrying_cost_rejects_negative_or_non_finite_reserves(bad):
    with pytest.raises(ValueError, match="reserve"):
        carrying_cost(bad, PRESETS["small"])


# --------------------------------------------------------------------------------------------
# Sizing
# --------------------------------------------------------------------------------------------
def test_confidence_reserve_is_the_var_of_the_aggregate_and_rises_with_the_level(total):
    """The ``confidence`` reserve is exactly ``VaR_p`` of the yearly loss it is given, and
    rises with ``p`` (strictly from 0.9 to 0.999)."""
    sizes = [size_reserve(ReserveSizing("confidence", level), total) for level in LEVELS]
    for level, size in zip(LEVELS, sizes, strict=True):
        assert size.amount_usd == float(total.value_at_risk(level))
        assert "VaR" in size.basis
        assert size.floor_usd == 0.0
        assert not size.floor_binds
    amounts = [s.amount_usd for s in sizes]
    assert all(np.diff(amounts) >= 0)
    assert amounts[-1] > amounts[0]


@pytest.mark.parametrize("name", ["small", "large"])
def test_confidence_reserve_of_the_presets(preset_totals, name):
    """Same on the calibrated presets: equal to the aggregate's VaR, non-decreasing in p."""
    agg = preset_totals[name]
    amounts = [size_reserve(ReserveSizing(level=level), agg).amount_usd for level in LEVELS]
    assert amounts == [float(agg.value_at_risk(level)) for level in LEVELS]
    assert all(np.diff(amounts) >= 0)


@settings(max_examples=40, deadline=None)
@given(
    level=st.floats(0.51, 0.999),
    floor=st.one_of(st.just(0.0), st.floats(0.0, 2e9, allow_nan=False)),
)
def test_reserve_is_never_below_the_floor(total, level, floor):
    """``amount = max(VaR_p, floor)``; ``floor_binds`` exactly when the floor is larger."""
    var = float(total.value_at_risk(level))
    size = size_reserve(ReserveSizing("confidence", level), total, floor)
    assert size.amount_usd >= floor
    assert size.amount_usd == max(var, floor)
    assert size.floor_usd == floor
    assert size.floor_binds == (floor > var)


@pytest.mark.parametrize(
    ("amount", "floor", "expected", "binds"),
    [(5e6, 0.0, 5e6, False), (5e6, 2e6, 5e6, False), (5e6, 8e6, 8e6, True), (0.0, 0.0, 0.0, False)],
)
def test_fixed_reserve(total, amount, floor, expected, binds):
    """A fixed amount, raised to the floor when the floor is higher."""
    size = size_reserve(ReserveSizing("fixed", amount_usd=amount), total, floor)
    assert size.amount_usd == expected
    assert size.floor_binds is binds
    assert size.basis == "fixed amount"


@pytest.mark.parametrize("floor", [0.0, 1.0, 6.5e6, 4e8])
def test_regulatory_reserve_is_the_floor(total, floor):
    size = size_reserve(ReserveSizing("regulatory"), total, floor)
    assert size.amount_usd == floor
    assert size.floor_usd == floor
    assert size.floor_binds is (floor > 0)
    assert size.basis == "regulatory minimum"


def test_sizing_methods():
    assert SIZING_METHODS == ("confidence", "regulatory", "fixed")
    assert ReserveSizing() == ReserveSizing("confidence", 0.995, None)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"method": "var"}, "method"),
        ({"method": ""}, "method"),
        ({"level": 0.5}, "level"),
        ({"level": 1.0}, "level"),
        ({"level": 1.5}, "level"),
        ({"level": 0.3}, "level"),
        ({"level": math.nan}, "level"),
        ({"method": "fixed"}, "amount_usd"),
        ({"method": "fixed", "amount_usd": -1.0}, "amount_usd"),
        ({"method": "fixed", "amount_usd": math.inf}, "amount_usd"),
        ({"method": "fixed", "amount_usd": math.nan}, "amount_usd"),
    ],
)
def test_invalid_sizing_names_the_field(kwargs, field):
    with pytest.raises(ValueError, match=f"'{field}'"):
        ReserveSizing(**kwargs)


# --------------------------------------------------------------------------------------------
# Projection
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("contribution", [None, 0.0, 2e6])
def test_projection_shapes_and_monotone_exhaustion(models, contribution):
    """``p_exhausted`` (a running 'ever short' indicator) never falls, probabilities lie in
    [0, 1], balances stay within [0, target] and contributions within the yearly cap."""
    model = models["small"]
    initial = 5e6
    proj = project_reserve(
        model.frequency,
        model.severity,
        initial,
        years=10,
        contribution_usd=contribution,
        n_sims=20_000,
        seed=3,
    )
    assert proj.years == 10 and proj.n_sims == 20_000
    for arr in (proj.p_exhausted, proj.expected_shortfall, proj.mean_balance):
        assert arr.shape == (10,)
    assert np.all(np.diff(proj.p_exhausted) >= 0)
    assert np.all((proj.p_exhausted >= 0) & (proj.p_exhausted <= 1))
    assert proj.p_exhausted[-1] > 0  # ten years of a small exchange: some paths run dry
    assert np.all(proj.expected_shortfall >= 0)
    assert np.all((proj.mean_balance >= 0) & (proj.mean_balance <= initial * (1 + 1e-12)))
    cap = math.inf if contribution is None else contribution
    assert np.all(proj.expected_contributions <= cap + 1e-9)
    if contribution == 0.0:
        assert np.all(proj.expected_contributions == 0)
    table = proj.table()
    assert list(table.columns) == [
        "year",
        "p_exhausted_by_year",
        "expected_shortfall",
        "mean_balance",
        "expected_contribution",
    ]
    assert table["year"].tolist() == list(range(1, 11))


def test_projection_matches_a_path_by_path_recursion():
    """The vectorised projection equals a plain loop over each path on the same simulated
    losses (``simulate`` with the same seed, years laid out path by path); relative 1e-12.
    Target above the initial amount and a yearly cap on contributions exercise the refill."""
    n, years, seed = 400, 4, 11
    initial, target, cap = 2e6, 3e6, 1e6
    proj = project_reserve(
        FREQ,
        SEV,
        initial,
        years=years,
        target_usd=target,
        contribution_usd=cap,
        n_sims=n,
        seed=seed,
    )
    losses = simulate(FREQ, SEV, n * years, seed=seed).reshape(n, years)
    hit = np.zeros((n, years), dtype=bool)
    short = np.zeros((n, years))
    bal = np.zeros((n, years))
    paid_in = np.zeros((n, years))
    for i in range(n):
        b, ever = initial, False
        for t in range(years):
            s = losses[i, t]
            short[i, t] = max(s - b, 0.0)
            b = max(b - s, 0.0)
            ever = ever or short[i, t] > 0
            paid_in[i, t] = min(max(target - b, 0.0), cap)
            b += paid_in[i, t]
            hit[i, t], bal[i, t] = ever, b
    np.testing.assert_allclose(proj.p_exhausted, hit.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(proj.expected_shortfall, short.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(proj.mean_balance, bal.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(proj.expected_contributions, paid_in.mean(axis=0), rtol=1e-12)
    assert proj.target_usd == target and proj.contribution_usd == cap


@pytest.mark.parametrize("which", ["synthetic", "small", "large"])
def test_enormous_reserve_is_never_exhausted(models, which):
    """A reserve far above any possible year (USD 10 trillion against caps of at most
    USD 10.2bn per theft) never runs dry: no shortfall, no contribution."""
    freq, sev = (
        (FREQ, SEV) if which == "synthetic" else (models[which].frequency, models[which].severity)
    )
    proj = project_reserve(freq, sev, 1e13, years=5, n_sims=20_000, seed=5)
    assert np.all(proj.p_exhausted == 0)
    assert np.all(proj.expected_shortfall == 0)
    # Balance returns to the target every year; rounding of 1e13 − losses + losses only.
    np.testing.assert_allclose(proj.mean_balance, 1e13, rtol=1e-12)


@pytest.mark.parametrize("contribution", [None, 0.0])
@pytest.mark.parametrize("which", ["synthetic", "small"])
def test_zero_reserve_shortfall_is_the_mean_loss(models, which, contribution):
    """With nothing in reserve (and nothing to refill it to), every loss is a shortfall:
    each year's ``E[shortfall]`` equals the compound mean ``λ E[X]`` within 4 standard errors
    ``sqrt(Var S / n)`` (closed-form variance), and ``P(exhausted by year t)`` equals the
    chance of at least one theft in t years, ``1 − P(N = 0)^t``, within 4 binomial standard
    errors."""
    freq, sev = (
        (FREQ, SEV) if which == "synthetic" else (models[which].frequency, models[which].severity)
    )
    n = 40_000
    proj = project_reserve(
        freq, sev, 0.0, years=3, contribution_usd=contribution, n_sims=n, seed=17
    )
    moments = compound_moments(freq, sev)
    se = math.sqrt(moments.variance / n)
    assert np.all(np.abs(proj.expected_shortfall - moments.mean) <= 4 * se)
    assert np.all(proj.mean_balance == 0) and np.all(proj.expected_contributions == 0)
    p0 = float(freq.pmf(0))
    p = 1 - p0 ** np.arange(1, 4)
    assert np.all(np.abs(proj.p_exhausted - p) <= 4 * np.sqrt(p * (1 - p) / n))


@pytest.mark.parametrize("level", [0.9, 0.99])
def test_one_year_exhaustion_is_the_aggregate_exceedance_probability(total, level):
    """One year: ``p_exhausted = P(S > K)`` and ``E[shortfall] = E[(S − K)+]`` against the
    FFT aggregate. Tolerance: 4 Monte Carlo standard errors plus a grid allowance. Moment
    matching moves each loss by less than one bucket h (≈ USD 15k here) and a year has at most
    about 10 losses, so ``|Ŝ − S| < 10h``: the probability allowance is the FFT mass within
    10h of ``K``, the shortfall allowance ``10h · P(S > K − 10h)``."""
    n = 200_000
    k = float(total.value_at_risk(level))
    proj = project_reserve(FREQ, SEV, k, years=1, n_sims=n, seed=23)
    p = float(total.sf(k))
    h = total.bucket
    grid = float(total.cdf(k + 10 * h) - total.cdf(k - 10 * h))
    assert abs(proj.p_exhausted[0] - p) <= 4 * math.sqrt(p * (1 - p) / n) + grid
    # E[(S − K)+] and its standard error from the grid (the grid holds all but 1e-9).
    excess = np.maximum(total.x - k, 0.0)
    es = float(total.stop_loss(k))
    sd = math.sqrt(max(float(np.sum(total.pmf * excess**2)) - es**2, 0.0))
    assert abs(proj.expected_shortfall[0] - es) <= 4 * sd / math.sqrt(n) + 10 * h * float(
        total.sf(k - 10 * h)
    )


def test_projection_progress_reaches_one():
    seen: list[float] = []
    project_reserve(FREQ, SEV, 1e6, years=2, n_sims=1_000, seed=1, progress=seen.append)
    assert seen and seen[-1] == pytest.approx(1.0)
    assert all(np.diff(seen) > 0)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"years": 0}, "years"),
        ({"years": 51}, "years"),
        ({"years": 2.5}, "years"),
        ({"years": True}, "years"),
        ({"years": "3"}, "years"),
        ({"initial_usd": -1.0}, "initial_usd"),
        ({"initial_usd": math.inf}, "initial_usd"),
        ({"initial_usd": math.nan}, "initial_usd"),
        ({"target_usd": -5.0}, "target_usd"),
        ({"target_usd": math.nan}, "target_usd"),
        ({"contribution_usd": -1.0}, "contribution_usd"),
        ({"contribution_usd": math.inf}, "contribution_usd"),
    ],
)
def test_invalid_projection_inputs_name_the_field(kwargs, field):
    args = {"initial_usd": 1e6} | kwargs
    initial = args.pop("initial_usd")
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        project_reserve(FREQ, SEV, initial, n_sims=100, **args)
