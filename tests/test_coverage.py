"""Insurance layers, towers and frictions against independent results.

Independent means: closed-form limited expected values computed here with scipy/math (not
with ``pricing``'s ``lev``), Monte Carlo of the per-occurrence layered loss, the compound
mean of the ground-up loss, and the defining arithmetic of each quantity. Tolerances are
stated next to each check.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from pricing.aggregate import NegativeBinomial, Poisson, compound_moments, simulate
from pricing.coverage import (
    InsuranceFrictions,
    Layer,
    Tower,
    expected_recovery,
    layer_loss,
    price_layer_grid,
    quote_layer,
    quote_tower,
)
from pricing.distributions import Lognormal, Lomax
from pricing.premium import PRINCIPLES, LoadingAssumptions

#: Loadings without fixed expense or minimum premium: the premium is then a monotone,
#: unfloored function of the layer's loss, so comparisons are not masked by the floor.
NO_FLOOR = LoadingAssumptions(expense_fixed_usd=0.0, minimum_premium_usd=0.0)


# --------------------------------------------------------------------------------------------
# Independent closed forms (Loss Models, Appendix A)
# --------------------------------------------------------------------------------------------
def lognormal_lev(u: float, mu: float, sigma: float) -> float:
    """E[X∧u] = exp(μ+σ²/2) Φ((ln u − μ − σ²)/σ) + u (1 − Φ((ln u − μ)/σ))."""
    if u <= 0:
        return 0.0
    if math.isinf(u):
        return math.exp(mu + sigma**2 / 2)
    z = (math.log(u) - mu) / sigma
    return math.exp(mu + sigma**2 / 2) * stats.norm.cdf(z - sigma) + u * stats.norm.sf(z)


def lomax_lev(u: float, alpha: float, theta: float) -> float:
    """E[X∧u] = θ/(α−1) (1 − (θ/(u+θ))^(α−1)) for α ≠ 1."""
    if math.isinf(u):
        return theta / (alpha - 1)
    return theta / (alpha - 1) * (1 - (theta / (u + theta)) ** (alpha - 1))


def lognormal_limited_second(u: float, mu: float, sigma: float) -> float:
    """E[(X∧u)²] = exp(2μ+2σ²) Φ((ln u − μ − 2σ²)/σ) + u² (1 − Φ((ln u − μ)/σ))."""
    if u <= 0:
        return 0.0
    if math.isinf(u):
        return math.exp(2 * mu + 2 * sigma**2)
    z = (math.log(u) - mu) / sigma
    return math.exp(2 * mu + 2 * sigma**2) * stats.norm.cdf(z - 2 * sigma) + u * u * stats.norm.sf(
        z
    )


def lognormal_sf(x: float, mu: float, sigma: float) -> float:
    return float(stats.lognorm.sf(x, s=sigma, scale=math.exp(mu)))


def lomax_sf(x: float, alpha: float, theta: float) -> float:
    return (theta / (x + theta)) ** alpha


LOGNORMAL = (16.0, 1.8)
LOMAX = (1.6, 8e6)
RETENTIONS = (0.0, 1e6, 5e6, 2e7, 1e8)
LIMITS = (1e6, 1e7, 5e7, 2e8)
#: Every finite layer of the grid above, and two unlimited ones (an unlimited lognormal layer
#: costs about 0.7 s: its second moment is a quadrature in ``pricing.distributions``).
LAYERS = [(d, l) for d in RETENTIONS for l in LIMITS] + [(0.0, math.inf), (2e7, math.inf)]


# --------------------------------------------------------------------------------------------
# Per-occurrence layer expected loss
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("d", "l"), LAYERS)
def test_lognormal_layer_expected_loss_is_lambda_times_lev_difference(d, l):
    """E[L] = λ (E[X∧(d+l)] − E[X∧d]) for share 1 and no aggregate terms (rel 1e-6).

    Also the standard deviation: for a Poisson count Var L = λ E[Y²] with
    E[Y²] = E[(X∧(d+l))²] − E[(X∧d)²] − 2d (E[X∧(d+l)] − E[X∧d]) (rel 1e-5: the unlimited
    layer's second moment is integrated up to the 1 − 1e-15 quantile)."""
    mu, sigma = LOGNORMAL
    lam = 0.7
    ceded = lognormal_lev(d + l, mu, sigma) - lognormal_lev(d, mu, sigma)
    exact = lam * ceded
    layer = Layer(retention=d, limit=l)
    loss = layer_loss(Poisson(lam), Lognormal(mu, sigma), layer)
    assert loss.expected == pytest.approx(exact, rel=1e-6)
    quote = quote_layer(Poisson(lam), Lognormal(mu, sigma), layer, NO_FLOOR)
    assert quote.expected_loss == pytest.approx(exact, rel=1e-6)
    second = (
        lognormal_limited_second(d + l, mu, sigma)
        - lognormal_limited_second(d, mu, sigma)
        - 2 * d * ceded
    )
    assert loss.std == pytest.approx(math.sqrt(lam * second), rel=1e-5)


@pytest.mark.parametrize("d", RETENTIONS)
@pytest.mark.parametrize("l", (*LIMITS, math.inf))
def test_lomax_layer_expected_loss_is_mean_count_times_lev_difference(d, l):
    """Same identity for a Lomax (Loss Models 'Pareto') severity and a negative binomial
    count (only E[N] enters the mean); rel 1e-6."""
    alpha, theta = LOMAX
    freq = NegativeBinomial(mean=0.4, size=3.0)
    exact = 0.4 * (lomax_lev(d + l, alpha, theta) - lomax_lev(d, alpha, theta))
    quote = quote_layer(freq, Lomax(alpha, theta), Layer(d, l), NO_FLOOR)
    assert quote.expected_loss == pytest.approx(exact, rel=1e-6)


@pytest.mark.parametrize(("d", "l"), [(2e6, 3e7), (2e7, math.inf)])
def test_ceded_plus_retained_is_the_compound_mean(d, l):
    """E[L] + E[retained yearly] = E[S] for share 1 and no aggregate terms (rel 1e-9: both
    sides are closed forms)."""
    freq, sev = Poisson(1.3), Lognormal(*LOGNORMAL)
    total = compound_moments(freq, sev).mean
    retained = compound_moments(freq, sev.retained(d, l)).mean
    ceded = layer_loss(freq, sev, Layer(d, l)).expected
    assert ceded + retained == pytest.approx(total, rel=1e-9)
    assert total == pytest.approx(1.3 * lognormal_lev(math.inf, *LOGNORMAL), rel=1e-12)


@pytest.mark.parametrize("share", [0.05, 0.3, 0.75])
@pytest.mark.parametrize("agg", [{}, {"agg_retention": 5e6, "agg_limit": 8e7}])
def test_share_scales_expected_loss_std_and_var_linearly(share, agg):
    """L = c · (…): mean, std and VaR scale by c exactly (rel 1e-12)."""
    freq, sev = Poisson(0.9), Lognormal(*LOGNORMAL)
    full = layer_loss(freq, sev, Layer(2e6, 5e7, **agg))
    part = layer_loss(freq, sev, Layer(2e6, 5e7, share=share, **agg))
    assert part.expected == pytest.approx(share * full.expected, rel=1e-12)
    assert part.std == pytest.approx(share * full.std, rel=1e-12)
    assert part.value_at_risk(0.99) == pytest.approx(share * full.value_at_risk(0.99), rel=1e-12)
    assert part.p_attach == full.p_attach


# --------------------------------------------------------------------------------------------
# Aggregate terms against Monte Carlo
# --------------------------------------------------------------------------------------------
MC_FREQ = Poisson(2.0)
MC_SEV = Lognormal(15.5, 1.6)
MC_D, MC_L = 2e6, 3e7
MC_YEARS = 400_000


@pytest.fixture(scope="module")
def layered_years() -> np.ndarray:
    """400,000 simulated yearly totals S_Y of the per-occurrence layer (seed 20251125)."""
    return simulate(MC_FREQ, MC_SEV.layer(MC_D, MC_L), MC_YEARS, seed=20251125)


@pytest.mark.parametrize(
    ("share", "agg_retention", "agg_limit"),
    [(1.0, 5e6, 6e7), (0.6, 1.5e7, math.inf), (0.4, 0.0, 4e7), (1.0, 3e7, 1e7)],
)
def test_aggregate_terms_against_monte_carlo(layered_years, share, agg_retention, agg_limit):
    """L = c · min((S_Y − a)+, A) by simulation: the mean within 4 standard errors, the
    standard deviation within 3%, P(attach) = P(S_Y > a) and P(exhaust) = P(S_Y ≥ a + A)
    within 4 binomial standard errors.

    S_Y has atoms at sums of full limits (a loss above d + l pays exactly l). The grid
    spreads an atom over its two neighbouring points, so at an atom (the case a = l = 3e7)
    the grid's probability lies between P(S_Y > a) and P(S_Y ≥ a); that bracket is what is
    checked (away from atoms the two ends coincide)."""
    layer = Layer(MC_D, MC_L, share=share, agg_retention=agg_retention, agg_limit=agg_limit)
    loss = layer_loss(MC_FREQ, MC_SEV, layer)
    sample = share * np.clip(layered_years - agg_retention, 0.0, agg_limit)
    se = sample.std(ddof=1) / math.sqrt(MC_YEARS)
    assert abs(loss.expected - sample.mean()) <= 4 * se
    assert loss.std == pytest.approx(sample.std(ddof=1), rel=0.03)

    def check_probability(p_model: float, at: float) -> None:
        above, at_or_above = (layered_years > at).mean(), (layered_years >= at).mean()
        se = math.sqrt(max(above * (1 - above), at_or_above * (1 - at_or_above)) / MC_YEARS)
        assert above - 4 * se <= p_model <= at_or_above + 4 * se

    if agg_retention > 0:
        check_probability(loss.p_attach, agg_retention)
    if math.isfinite(agg_limit):
        check_probability(loss.p_exhaust_aggregate, agg_retention + agg_limit)


@pytest.mark.parametrize(
    ("k", "agg_limit"), [(1, math.inf), (2, math.inf), (4, math.inf), (3, 1.5 * MC_L)]
)
def test_expected_reinstated_amount_against_monte_carlo(layered_years, k, agg_limit):
    """E[reinstated] = E[min((S_Y − a)+, k l, A)] within 4 standard errors of the simulation:
    only what is paid can be reinstated, so an aggregate limit A below k l caps it."""
    layer = Layer(
        MC_D,
        MC_L,
        agg_retention=1e6,
        agg_limit=agg_limit,
        reinstatements=k,
        reinstatement_rate=0.8,
    )
    loss = layer_loss(MC_FREQ, MC_SEV, layer)
    sample = np.clip(layered_years - 1e6, 0.0, min(k * MC_L, agg_limit))
    se = sample.std(ddof=1) / math.sqrt(MC_YEARS)
    assert abs(loss.expected_reinstated - sample.mean()) <= 4 * se
    assert loss.expected_reinstated <= loss.expected * (1 + 1e-12)


# --------------------------------------------------------------------------------------------
# Monotonicity of premiums
# --------------------------------------------------------------------------------------------
def test_quote_layer_premium_rises_with_limit_and_falls_with_retention():
    """Every principle's premium is non-decreasing in the limit and non-increasing in the
    retention (relative slack 1e-9)."""
    freq, sev = Poisson(0.8), Lognormal(*LOGNORMAL)
    limits = [1e6, 5e6, 2e7, 1e8, 5e8]
    retentions = [0.0, 1e6, 5e6, 2e7, 1e8]
    by_limit = [quote_layer(freq, sev, Layer(5e6, lim), NO_FLOOR) for lim in limits]
    by_retention = [quote_layer(freq, sev, Layer(d, 5e7), NO_FLOOR) for d in retentions]
    for principle in PRINCIPLES:
        up = [q.premiums[principle].gross_premium for q in by_limit]
        down = [q.premiums[principle].gross_premium for q in by_retention]
        for lo, hi in itertools.pairwise(up):
            assert hi >= lo * (1 - 1e-9), principle
        for hi, lo in itertools.pairwise(down):
            assert lo <= hi * (1 + 1e-9), principle


@pytest.fixture(scope="module", params=["poisson(0.8)", "negbin(26,5.9)"])
def grid_case(request):
    """A low and a high frequency: with 26 losses a year the yearly loss spans tens of limits
    and the layer grid coarsens its bucket to stay within COLUMN_POINTS."""
    if request.param == "poisson(0.8)":
        freq = Poisson(0.8)
    else:
        freq = NegativeBinomial(mean=26.0, size=5.9)
    sev = Lognormal(*LOGNORMAL)
    retentions = [0.0, 1e6, 5e6, 2e7, 1e8]
    limits = [1e6, 1e7, 5e7, 2e8]
    return freq, sev, retentions, limits, price_layer_grid(freq, sev, retentions, limits, NO_FLOOR)


def test_price_layer_grid_is_monotone_along_its_axes(grid_case):
    """Rows: retentions (premium falls); columns: limits (premium rises). Expected loss and
    expected-value premium, relative slack 1e-9."""
    *_, grid = grid_case
    for values in (grid.expected_loss, grid.premiums["expected_value"]):
        assert np.all(np.diff(values, axis=1) >= -1e-9 * values[:, 1:])
        assert np.all(np.diff(values, axis=0) <= 1e-9 * values[:-1, :])
    assert grid.expected_loss.shape == (5, 4)
    assert len(grid.frame()) == 20


def test_price_layer_grid_agrees_with_quote_layer(grid_case):
    """Expected loss rel 1e-9 (both closed forms); std within 1%; cost-of-capital and Wang
    premiums within 2% (different discretisations of the same yearly loss)."""
    freq, sev, retentions, limits, grid = grid_case
    for i, d in enumerate(retentions):
        for j, lim in enumerate(limits):
            q = quote_layer(freq, sev, Layer(d, lim), NO_FLOOR)
            where = f"{lim:g} xs {d:g}"
            assert grid.expected_loss[i, j] == pytest.approx(q.expected_loss, rel=1e-9), where
            assert grid.std[i, j] == pytest.approx(q.loss.std, rel=0.01), where
            for principle in ("cost_of_capital", "wang"):
                assert grid.premiums[principle][i, j] == pytest.approx(
                    q.premiums[principle].gross_premium, rel=0.02
                ), (where, principle)
            assert grid.p_attach[i, j] == pytest.approx(q.loss.p_attach, rel=1e-12)
            assert grid.p_exhaust[i, j] == pytest.approx(q.loss.p_exhaust_occurrence, rel=1e-12)


def test_price_layer_grid_rejects_bad_axes():
    freq, sev = Poisson(0.8), Lognormal(*LOGNORMAL)
    with pytest.raises(ValueError, match="retentions"):
        price_layer_grid(freq, sev, [-1.0], [1e6])
    with pytest.raises(ValueError, match="limits"):
        price_layer_grid(freq, sev, [0.0], [0.0])
    with pytest.raises(ValueError, match="points_per_limit"):
        price_layer_grid(freq, sev, [0.0], [1e6], points_per_limit=2)


# --------------------------------------------------------------------------------------------
# Attachment and exhaustion probabilities
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("d", "l"), [(0.0, 1e7), (1e6, 5e7), (3e7, 2e8)])
def test_attachment_and_exhaustion_probabilities_poisson(d, l):
    """p_attach = 1 − exp(−λ S_X(d)), p_exhaust = 1 − exp(−λ S_X(d+l)) (rel 1e-10)."""
    lam = 0.6
    loss = layer_loss(Poisson(lam), Lognormal(*LOGNORMAL), Layer(d, l))
    assert loss.p_attach == pytest.approx(
        1 - math.exp(-lam * lognormal_sf(d, *LOGNORMAL)), rel=1e-10
    )
    assert loss.p_exhaust_occurrence == pytest.approx(
        1 - math.exp(-lam * lognormal_sf(d + l, *LOGNORMAL)), rel=1e-10
    )
    lomax = layer_loss(Poisson(lam), Lomax(*LOMAX), Layer(d, l))
    assert lomax.p_attach == pytest.approx(1 - math.exp(-lam * lomax_sf(d, *LOMAX)), rel=1e-10)
    assert lomax.p_exhaust_occurrence == pytest.approx(
        1 - math.exp(-lam * lomax_sf(d + l, *LOMAX)), rel=1e-10
    )


# --------------------------------------------------------------------------------------------
# Reinstatements and market mode
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("k", [0, 1, 3])
@pytest.mark.parametrize("rate", [0.5, 1.0])
def test_reinstatements(k, rate):
    """k reinstatements: annual limit (k+1) l; P₀ (1 + r E[reinstated] / l) = premium
    (rel 1e-12); k = 0 has no reinstatement premium."""
    freq, sev = Poisson(1.5), Lognormal(*LOGNORMAL)
    l = 2e7
    layer = Layer(3e6, l, reinstatements=k, reinstatement_rate=rate)
    assert layer.annual_limit == (k + 1) * l
    q = quote_layer(freq, sev, layer, NO_FLOOR)
    reinstated = q.loss.expected_reinstated
    assert q.upfront_premium * (1 + rate * reinstated / l) == pytest.approx(q.premium, rel=1e-12)
    assert q.premium == q.premiums["cost_of_capital"].gross_premium
    assert q.rate_on_line == pytest.approx(q.upfront_premium / l, rel=1e-12)
    if k == 0:
        assert reinstated == 0.0
        assert q.expected_reinstatement_premium == 0.0
        assert q.upfront_premium == q.premium
    else:
        assert 0 < reinstated <= k * l
        assert q.expected_reinstatement_premium > 0
    # the reinstated amount is part of what the layer pays in a year
    assert reinstated <= q.expected_loss + 1e-9 * q.expected_loss
    # an explicit aggregate limit below (k+1) l wins
    assert Layer(3e6, l, agg_limit=1.5 * l, reinstatements=k).annual_limit == min(
        1.5 * l, (k + 1) * l
    )


def test_unlimited_reinstatements_are_free_and_unlimited():
    layer = Layer(1e6, 1e7)
    assert layer.annual_limit == math.inf
    q = quote_layer(Poisson(1.0), Lognormal(*LOGNORMAL), layer, NO_FLOOR)
    assert q.loss.expected_reinstated == 0.0 and q.upfront_premium == q.premium
    assert math.isnan(q.loss.p_exhaust_aggregate)


@pytest.mark.parametrize("share", [1.0, 0.25])
def test_market_mode_premium_is_rate_on_line_times_placed_limit(share):
    """premium = ROL · share · limit; loss ratio = E[L] / premium (rel 1e-12)."""
    freq, sev = Poisson(0.8), Lognormal(*LOGNORMAL)
    layer = Layer(5e6, 4e7, share=share)
    q = quote_layer(freq, sev, layer, market_rate_on_line=0.07)
    assert q.premium == pytest.approx(0.07 * share * 4e7, rel=1e-12)
    assert q.loss_ratio == pytest.approx(q.expected_loss / q.premium, rel=1e-12)
    assert q.rate_on_line == pytest.approx(0.07, rel=1e-12)
    doc = q.to_dict()
    assert doc["premium"] == q.premium and doc["market_rate_on_line"] == 0.07


def test_quote_layer_rejects_bad_options():
    freq, sev = Poisson(0.8), Lognormal(*LOGNORMAL)
    with pytest.raises(ValueError, match="gut_feeling"):
        quote_layer(freq, sev, Layer(0, 1e7), principle="gut_feeling")
    with pytest.raises(ValueError, match="market_rate_on_line"):
        quote_layer(freq, sev, Layer(0, 1e7), market_rate_on_line=1.5)
    with pytest.raises(ValueError, match=r"market_rate_on_line.*'limit'"):
        quote_layer(freq, sev, Layer(0, math.inf), market_rate_on_line=0.05)


# --------------------------------------------------------------------------------------------
# Frictions
# --------------------------------------------------------------------------------------------
def test_expected_recovery_arithmetic():
    """Hand computation: 20% disputed, 1% default with 40% recovery, 6 months at 5%."""
    fr = InsuranceFrictions(
        dispute_probability=0.2,
        payment_delay_months=6,
        insurer_default_probability=0.01,
        recovery_rate=0.4,
    )
    r = expected_recovery(1_000_000.0, fr, funding_rate=0.05)
    assert r.covered == 1_000_000.0
    assert r.disputed == pytest.approx(200_000.0, rel=1e-12)
    assert r.credit_loss == pytest.approx(800_000.0 * 0.01 * 0.6, rel=1e-12)
    assert r.recovered == pytest.approx(795_200.0, rel=1e-12)
    assert r.bridging_cost == pytest.approx(795_200.0 * 0.05 * 0.5, rel=1e-12)
    assert fr.payment_factor == pytest.approx(0.8 * (1 - 0.01 * 0.6), rel=1e-12)
    assert r.recovered == pytest.approx(r.covered * fr.payment_factor, rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    covered=st.floats(0, 1e10),
    dispute=st.floats(0, 1),
    delay=st.floats(0, 120),
    default=st.floats(0, 1),
    recovery=st.floats(0, 1),
    funding=st.floats(0, 0.3),
)
def test_recovery_parts_add_up(covered, dispute, delay, default, recovery, funding):
    """recovered + disputed + credit_loss = covered (abs 1e-9 of covered); all parts >= 0."""
    fr = InsuranceFrictions(dispute, delay, default, recovery)
    r = expected_recovery(covered, fr, funding)
    assert r.recovered + r.disputed + r.credit_loss == pytest.approx(covered, abs=1e-9 * covered)
    assert min(r.recovered, r.disputed, r.credit_loss, r.bridging_cost) >= 0
    assert r.recovered == pytest.approx(covered * fr.payment_factor, abs=1e-9 * covered)


@pytest.mark.parametrize(
    "field",
    [
        "dispute_probability",
        "payment_delay_months",
        "insurer_default_probability",
        "recovery_rate",
    ],
)
def test_invalid_frictions_name_the_field(field):
    with pytest.raises(ValueError, match=field):
        InsuranceFrictions(**{field: -0.1})


# --------------------------------------------------------------------------------------------
# Validation, towers
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("retention", -1.0),
        ("retention", math.inf),
        ("limit", 0.0),
        ("share", 0.0),
        ("share", 1.5),
        ("agg_retention", -5.0),
        ("agg_limit", 0.0),
        ("reinstatements", -1),
        ("reinstatements", 1.5),
        ("reinstatement_rate", 3.0),
    ],
)
def test_layer_rejects_bad_fields_naming_them(field, value):
    values = {"retention": 1e6, "limit": 1e7, "name": "primary"} | {field: value}
    with pytest.raises(ValueError, match=f"'{field}'") as info:
        Layer(**values)
    assert "primary" in str(info.value)


def test_layer_from_dict_names_unknown_fields():
    assert Layer.from_dict({"retention": 1e6, "limit": 1e7}).label == "10m xs 1m"
    with pytest.raises(ValueError, match="deductible"):
        Layer.from_dict({"retention": 1e6, "limit": 1e7, "deductible": 5})


def test_tower_rejects_overlapping_layers_naming_them():
    with pytest.raises(ValueError, match=r"excess.*primary"):
        Tower((Layer(0, 1e7, name="primary"), Layer(5e6, 2e7, name="excess")))
    with pytest.raises(ValueError, match="at least one layer"):
        Tower(())


def test_quote_tower_one_row_per_layer_and_totals():
    freq, sev = Poisson(0.8), Lognormal(*LOGNORMAL)
    tower = Tower(
        (
            Layer(3e7, 7e7, name="second excess"),
            Layer(0, 1e7, name="primary"),
            Layer(1e7, 2e7, share=0.5, name="first excess"),
        )
    )
    assert [lay.name for lay in tower.layers] == ["primary", "first excess", "second excess"]
    tq = quote_tower(freq, sev, tower, NO_FLOOR, market_rates_on_line=[None, 0.05, None])
    table = tq.table()
    assert len(table) == 3
    assert list(table["layer"]) == ["primary", "first excess", "second excess"]
    assert list(table["principle"]) == ["cost_of_capital", "market", "cost_of_capital"]
    assert tq.total_premium == pytest.approx(table["premium"].sum(), rel=1e-12)
    assert tq.total_premium == pytest.approx(sum(q.premium for q in tq.quotes), rel=1e-12)
    assert tq.total_expected_loss == pytest.approx(table["expected_loss"].sum(), rel=1e-12)
    # stacked layers with share 1 add up to the layer they span (the middle one has share 0.5)
    whole = layer_loss(freq, sev, Layer(0, 1e8)).expected
    middle = layer_loss(freq, sev, Layer(1e7, 2e7)).expected
    assert tq.total_expected_loss + 0.5 * middle == pytest.approx(whole, rel=1e-9)
    with pytest.raises(ValueError, match="one rate"):
        quote_tower(freq, sev, tower, market_rates_on_line=[0.05])


# --------------------------------------------------------------------------------------------
# Properties over random valid layers
# --------------------------------------------------------------------------------------------
@st.composite
def layers(draw):
    limit = draw(st.floats(1e5, 1e9))
    agg_limit = draw(st.one_of(st.just(math.inf), st.floats(1e5, 3e9)))
    return Layer(
        retention=draw(st.floats(0, 2e8)),
        limit=limit,
        share=draw(st.floats(0.01, 1.0)),
        # below half the limit, so a year with an exhausting loss always attaches
        agg_retention=draw(st.one_of(st.just(0.0), st.floats(0, 0.5 * limit))),
        agg_limit=agg_limit,
        reinstatements=draw(st.one_of(st.none(), st.integers(0, 4))),
        reinstatement_rate=draw(st.floats(0, 2)),
    )


PROPERTY_SEVERITY = Lognormal(15.5, 1.7)
PROPERTY_FREQ = Poisson(0.9)
PROPERTY_TOTAL = compound_moments(PROPERTY_FREQ, PROPERTY_SEVERITY).mean


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layer=layers())
def test_layer_properties(layer):
    """0 ≤ E[L] ≤ E[S]; P(exhaust) ≤ P(attach); VaR ≤ share × annual limit; reinstated ≤
    paid; every risk premium ≥ E[L] (relative slack 1e-9 where two numbers are compared)."""
    q = quote_layer(PROPERTY_FREQ, PROPERTY_SEVERITY, layer, NO_FLOOR)
    loss = q.loss
    assert 0 <= loss.expected <= PROPERTY_TOTAL * (1 + 1e-9)
    assert loss.std >= 0
    assert 0 <= loss.p_exhaust_occurrence <= loss.p_attach + 1e-9
    assert loss.p_attach <= 1
    for level in (0.9, 0.995):
        assert 0 <= loss.value_at_risk(level) <= layer.share * layer.annual_limit
    # only paid amounts are reinstated (E[L] carries the share, the reinstated amount not)
    assert layer.share * loss.expected_reinstated <= loss.expected * (1 + 1e-9)
    for name, tp in q.premiums.items():
        assert tp.risk_premium >= loss.expected * (1 - 1e-9), name
        assert tp.gross_premium >= tp.risk_premium, name


def test_layer_loss_refuses_rather_than_answers_unresolved(monkeypatch):
    """A layer the window grids cannot resolve within the size limit raises (never a silent
    figure): forced here by a tolerance no grid can meet."""
    import pricing.coverage as coverage
    from pricing.aggregate.grid import GridResolutionError

    monkeypatch.setattr(coverage, "LAYER_RTOL", 0.0)
    monkeypatch.setattr(coverage, "LAYER_MAX_LOG2", coverage.LAYER_MIN_LOG2 + 2)
    layer = Layer(0.0, math.inf, agg_retention=5e7, agg_limit=2e8)
    with pytest.raises(GridResolutionError, match="cannot resolve"):
        layer_loss(Poisson(0.05), Lognormal(17.0, 1.8), layer)
