"""Loss-size families and transforms against independent results.

References: closed forms of Klugman, Panjer & Willmot, *Loss Models* (Appendix A); scipy's
own implementations; direct numerical integration ``E[X∧u] = ∫_0^u S(x) dx``; and values
from R's actuar (quoted with the R call that produced them).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from pricing.distributions import (
    GPD,
    Gamma,
    LogLogistic,
    Lognormal,
    Lomax,
    Mixture,
    Spliced,
    Weibull,
)

FAMILIES = [
    Lognormal(17.0, 1.8),
    Gamma(0.7, 3e7),
    Weibull(0.6, 5e6),
    Lomax(1.5, 2e7),
    Lomax(0.8, 2e7),
    Lomax(1.0, 2e7),
    LogLogistic(0.9, 1e7),
    LogLogistic(2.5, 1e7),
    GPD(0.7, 1e7, 1e6),
    GPD(-0.2, 1e7, 1e6),
    GPD(0.0, 1e7, 1e6),
    GPD(1.0, 1e7, 1e6),
]
SPLICED = Spliced(Lognormal(15.0, 1.5).truncated(1e6), GPD(0.9, 5e7, 2e7), 0.3)
TRANSFORMED = [
    Lognormal(17.0, 1.8).truncated(1e6),
    Lomax(0.8, 2e7).capped(1e9),
    Lognormal(17.0, 1.8).layer(1e7, 5e7),
    Lognormal(17.0, 1.8).layer(1e7),
    Lognormal(17.0, 1.8).retained(1e7, 5e7),
    Lomax(1.2, 2e7).capped(5e8).retained(2e7, 1e8),
    Lognormal(17.0, 1.8).capped(3e8).truncated(1e6).scaled(2.0),
    SPLICED,
    Mixture((Lognormal(16, 1.5).capped(5e6), Lomax(0.9, 3e7).capped(1.3e8)), (0.6, 0.4)),
]
POINTS = [3e6, 4e7, 8e8]


def lev_by_quadrature(dist, u: float) -> float:
    value, _ = integrate.quad(
        lambda x: float(dist.sf(x)), 0, u, limit=500, points=[1e6, 1e7, 2e7, 5e7, 1e8], epsabs=1e-4
    )
    return value


@pytest.mark.parametrize("dist", FAMILIES + TRANSFORMED, ids=lambda d: d.describe()[:50])
@pytest.mark.parametrize("u", POINTS)
def test_lev_matches_integral_of_survival(dist, u):
    """E[X∧u] = ∫_0^u S(x) dx (Loss Models eq. 3.8); relative 1e-7."""
    assert dist.lev(u) == pytest.approx(lev_by_quadrature(dist, u), rel=1e-7, abs=1e-3)


@pytest.mark.parametrize("dist", [*FAMILIES, SPLICED], ids=lambda d: d.describe()[:50])
def test_ppf_inverts_cdf(dist):
    q = np.array([1e-4, 0.01, 0.5, 0.9, 0.999])
    assert np.allclose(dist.cdf(dist.ppf(q)), q, rtol=1e-9, atol=1e-12)
    assert np.allclose(dist.isf(1 - q), dist.ppf(q), rtol=1e-8)


@pytest.mark.parametrize(
    ("dist", "reference"),
    [
        (Lognormal(17.0, 1.8), stats.lognorm(s=1.8, scale=math.exp(17.0))),
        (Gamma(0.7, 3e7), stats.gamma(a=0.7, scale=3e7)),
        (Weibull(0.6, 5e6), stats.weibull_min(c=0.6, scale=5e6)),
        (Lomax(3.5, 2e7), stats.lomax(c=3.5, scale=2e7)),
        (LogLogistic(4.5, 1e7), stats.fisk(c=4.5, scale=1e7)),
        (GPD(0.2, 1e7, 1e6), stats.genpareto(c=0.2, loc=1e6, scale=1e7)),
    ],
    ids=lambda v: getattr(v, "family", ""),
)
def test_closed_form_moments_match_scipy(dist, reference):
    """Raw moments E[X^k], k = 1..3, against scipy's numerical moments; relative 1e-6."""
    for k in (1, 2, 3):
        assert dist.moment(k) == pytest.approx(reference.moment(k), rel=1e-6)


def test_infinite_moments_are_reported_as_infinite():
    assert Lomax(0.8, 1.0).mean() == math.inf
    assert Lomax(1.5, 1.0).var() == math.inf
    assert LogLogistic(0.9, 1.0).mean() == math.inf
    assert GPD(1.2, 1.0).mean() == math.inf
    assert Lomax(0.8, 2e7).truncated(1e6).mean() == math.inf


def test_capping_makes_an_infinite_mean_finite():
    """E[min(X, c)] for Lomax α = 0.8: θ/(α−1)[1 − (θ/(c+θ))^(α−1)] (Loss Models A.2.3.1)."""
    a, th, c = 0.8, 2e7, 1e9
    expected = th / (a - 1) * (1 - (th / (c + th)) ** (a - 1))
    capped = Lomax(a, th).capped(c)
    assert capped.mean() == pytest.approx(expected, rel=1e-12)
    assert math.isfinite(capped.var())


def test_actuar_reference_values():
    """Values printed by R 4.2.2 with actuar 3.3.2 (``options(digits = 10)``)::

        levlnorm(1e8, 17, 1.8)               # 40547517.76
        levpareto(1e9, 0.8, 2e7)             # 119540189.7
        levllogis(5e7, 0.9, scale = 1e7)     # 18519812.27
        levweibull(1e7, 0.6, 5e6)            # 4186169.574
        levgamma(1e7, 0.7, scale = 3e7)      # 7240266.611

    Tolerance: relative 1e-9, the precision of the printed digits.
    """
    assert Lognormal(17, 1.8).lev(1e8) == pytest.approx(40547517.76, rel=1e-9)
    assert Lomax(0.8, 2e7).lev(1e9) == pytest.approx(119540189.7, rel=1e-9)
    assert LogLogistic(0.9, 1e7).lev(5e7) == pytest.approx(18519812.27, rel=1e-9)
    assert Weibull(0.6, 5e6).lev(1e7) == pytest.approx(4186169.574, rel=1e-9)
    assert Gamma(0.7, 3e7).lev(1e7) == pytest.approx(7240266.611, rel=1e-9)


def test_truncated_is_the_conditional_law():
    base = Lognormal(15.0, 2.0)
    t = 1e6
    cond = base.truncated(t)
    x = np.array([2e6, 1e7, 1e8])
    assert np.allclose(cond.sf(x), base.sf(x) / base.sf(t))
    assert cond.cdf(t) == 0
    # E[X | X > t] = (E[X] − E[X∧t]) / S(t) + t
    assert cond.mean() == pytest.approx((base.mean() - base.lev(t)) / base.sf(t) + t, rel=1e-10)
    # E[X^2; X > t] = exp(2μ + 2σ²) Φ((μ + 2σ² − ln t)/σ) for the lognormal.
    mu, s = 15.0, 2.0
    m2 = math.exp(2 * mu + 2 * s * s) * stats.norm.cdf((mu + 2 * s * s - math.log(t)) / s)
    assert cond.moment(2) == pytest.approx(m2 / base.sf(t), rel=1e-7)


def test_layer_and_retained_add_up_to_the_ground_up_loss():
    """For every outcome x: layer(x) + retained(x) = x, so the means add up exactly."""
    base = Lomax(1.3, 2e7).capped(2e9)
    d, l = 1e7, 2e8
    x = base.rvs(10_000, np.random.default_rng(3))
    ceded = np.clip(x - d, 0, l)
    kept = x - ceded
    assert base.layer(d, l).mean() + base.retained(d, l).mean() == pytest.approx(
        base.mean(), rel=1e-12
    )
    # Quantile functions map the same uniforms to the same split.
    u = np.random.default_rng(4).random(1000)
    xs = base.ppf(u)
    assert np.allclose(base.layer(d, l).ppf(u) + base.retained(d, l).ppf(u), xs)
    assert np.allclose(base.layer(d, l).ppf(u), np.clip(xs - d, 0, l))
    assert kept.max() <= max(x.max() - l, d) + 1e-6


def test_scaling_multiplies_quantiles_and_lev():
    for dist in [*FAMILIES, SPLICED, Lognormal(17, 1.8).capped(300000000.0).truncated(1000000.0)]:
        c = 3.0
        q = np.array([0.1, 0.5, 0.99])
        assert np.allclose(dist.scaled(c).ppf(q), c * dist.ppf(q), rtol=1e-9)
        assert dist.scaled(c).lev(4e7 * c) == pytest.approx(c * dist.lev(4e7), rel=1e-9)


def test_spliced_pieces():
    """Mass below the splice point is 1 − w; above it the tail is the GPD scaled by w."""
    w = SPLICED.tail_weight
    u = SPLICED.splice_at
    assert SPLICED.cdf(u - 1e-6) == pytest.approx(1 - w, abs=1e-9)
    assert SPLICED.sf(1e8) == pytest.approx(w * SPLICED.tail.sf(1e8), rel=1e-12)
    assert SPLICED.cdf(1e6) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    "bad",
    [
        lambda: Lognormal(17, 0),
        lambda: Lognormal(math.nan, 1),
        lambda: Gamma(-1, 1),
        lambda: Weibull(1, 0),
        lambda: Lomax(0, 1),
        lambda: LogLogistic(1, -2),
        lambda: GPD(0.5, 0),
        lambda: GPD(0.5, 1, -1),
        lambda: Lognormal(17, 1).capped(0),
        lambda: Lognormal(17, 1).layer(-1, 5),
        lambda: Spliced(Lognormal(15, 1), GPD(0.5, 1e7, 1e7), 1.5),
    ],
)
def test_invalid_parameters_name_the_field(bad):
    with pytest.raises(ValueError, match="must"):
        bad()


@settings(max_examples=60, deadline=None)
@given(
    meanlog=st.floats(10, 22),
    sdlog=st.floats(0.2, 3.0),
    cap=st.floats(1e6, 1e11),
    d=st.floats(0, 1e9),
    l=st.floats(1e5, 1e10),
)
def test_layer_properties(meanlog, sdlog, cap, d, l):
    """0 ≤ E[layer] ≤ min(limit, E[X]); layer + retained = ground-up; cdf monotone in [0, 1]."""
    base = Lognormal(meanlog, sdlog).capped(cap)
    ceded = base.layer(d, l).mean()
    assert -1e-6 <= ceded <= min(l, base.mean()) * (1 + 1e-9) + 1e-6
    assert ceded + base.retained(d, l).mean() == pytest.approx(base.mean(), rel=1e-9, abs=1e-6)
    grid = np.linspace(0, 2 * cap, 50)
    cdf = base.cdf(grid)
    assert np.all(np.diff(cdf) >= -1e-15) and cdf.min() >= 0 and cdf.max() <= 1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(1e-6, 1 - 1e-6), min_size=1, max_size=8))
def test_mixture_quantiles_searched_together_are_each_level_searched_alone(levels):
    """ppf of an array bisects every level at once; a level stops when its own bracket is
    within 1e-12 (relative), so each answer is the one the level gets alone, to that
    tolerance (numpy's array and scalar paths may differ in the last bit), and inverts the
    cdf: F(x⁻) ≤ q ≤ F(x)."""
    mix = Mixture((Lognormal(16, 1.5).capped(5e6), Lomax(0.9, 3e7).capped(1.3e8)), (0.6, 0.4))
    together = mix.ppf(np.array(levels))
    alone = np.array([mix.ppf(q) for q in levels])
    assert together.shape == (len(levels),)
    assert np.allclose(together, alone, rtol=1e-12, atol=0)
    assert np.all(mix.cdf(together * (1 + 1e-11)) >= np.array(levels))
    assert np.all(mix.cdf(together * (1 - 1e-11)) <= np.array(levels))


#: A capped-loss mixture of the engine's shape (three attack routes, each a truncated
#: lognormal capped by what it can reach) and the laws the reserve projection draws from it.
ROUTES = Mixture(
    tuple(Lognormal(15.7, 1.8).truncated(3.6e5).capped(cap) for cap in (6.5e6, 6.8e7, 1.1e8)),
    (0.73, 0.05, 0.22),
)
DRAWN = {
    "mixture of capped routes": ROUTES,
    "continuous mixture": Mixture(
        (Lognormal(16, 1.5), Lomax(0.9, 3e7), Weibull(0.6, 5e6)), (0.5, 0.3, 0.2)
    ),
    "retained under 2e7 xs 1e6": ROUTES.retained(1e6, 2e7),
    "layer 2e7 xs 1e6": ROUTES.layer(1e6, 2e7),
    "capped mixture": ROUTES.capped(3e7),
    "disputed or retained": Mixture((ROUTES.retained(1e6, 2e7), ROUTES), (0.9, 0.1)),
}


@pytest.mark.parametrize("law", DRAWN.values(), ids=DRAWN.keys())
def test_draws_follow_the_law_within_the_dkw_band(law):
    """200,000 draws (seed 11; a mixture by composition, a cap, layer or retained part as a
    draw of its base mapped) against the law's own cdf: sup |F_n − F| over 400 of its
    quantiles and its atoms is within the Dvoretzky-Kiefer-Wolfowitz band
    sqrt(ln(2/α) / 2n) for α = 1e-6 (Massart's constant), which holds with atoms too."""
    n = 200_000
    x = np.sort(np.asarray(law.rvs(n, np.random.default_rng(11))))
    at = np.unique(np.concatenate([law.ppf(np.linspace(5e-4, 1 - 5e-4, 400)), [1e6, 2.1e7]]))
    ecdf = np.searchsorted(x, at, side="right") / n
    assert np.max(np.abs(ecdf - law.cdf(at))) < math.sqrt(math.log(2 / 1e-6) / (2 * n))


def test_draws_of_a_mixture_depend_only_on_the_seed_and_keep_their_shape():
    a = ROUTES.rvs((300, 4), np.random.default_rng(5))
    assert a.shape == (300, 4)
    assert np.array_equal(a, ROUTES.rvs((300, 4), np.random.default_rng(5)))
    assert np.array_equal(a.ravel(), ROUTES.rvs(1200, np.random.default_rng(5)))


def test_mixture_quantile_inverts_its_cdf_between_atoms():
    """Continuous stretch: F(ppf(q)) = q; at an atom (a cap) the quantile is the atom."""
    mix = Mixture((Lognormal(16, 1.5).capped(5e6), Lomax(0.9, 3e7).capped(1.3e8)), (0.6, 0.4))
    q = np.array([0.01, 0.2, 0.7, 0.9])
    x = mix.ppf(q)
    assert np.allclose(mix.cdf(x), q, rtol=1e-9)
    assert mix.ppf(0.5) == pytest.approx(5e6)  # inside the atom of the capped lognormal
    assert mix.ppf(0.99) == pytest.approx(1.3e8)  # inside the atom at the larger cap
    assert mix.mean() == pytest.approx(
        0.6 * Lognormal(16, 1.5).lev(5e6) + 0.4 * Lomax(0.9, 3e7).lev(1.3e8), rel=1e-12
    )
    with pytest.raises(ValueError, match="sum to 1"):
        Mixture((Lognormal(1, 1),), (0.5,))


# -- closed-form cdf, survival function and quantiles against scipy.stats ---------------------
SCIPY_LAWS = [
    (Lognormal(17.0, 1.8), lambda d: stats.lognorm(s=d.sdlog, scale=math.exp(d.meanlog))),
    (Lognormal(-2.0, 0.3), lambda d: stats.lognorm(s=d.sdlog, scale=math.exp(d.meanlog))),
    (Gamma(0.7, 3e7), lambda d: stats.gamma(a=d.shape, scale=d.scale)),
    (Gamma(4.0, 1e5), lambda d: stats.gamma(a=d.shape, scale=d.scale)),
    (Weibull(0.6, 5e6), lambda d: stats.weibull_min(c=d.shape, scale=d.scale)),
    (Weibull(3.0, 2.0), lambda d: stats.weibull_min(c=d.shape, scale=d.scale)),
    (Lomax(1.5, 2e7), lambda d: stats.lomax(c=d.shape, scale=d.scale)),
    (Lomax(0.7, 1e3), lambda d: stats.lomax(c=d.shape, scale=d.scale)),
    (LogLogistic(0.9, 1e7), lambda d: stats.fisk(c=d.shape, scale=d.scale)),
    (LogLogistic(2.5, 10.0), lambda d: stats.fisk(c=d.shape, scale=d.scale)),
    *[
        (g, lambda d: stats.genpareto(c=d.shape, loc=d.threshold, scale=d.scale))
        for g in (GPD(0.7, 1e7, 1e6), GPD(-0.3, 1e6, 2e6), GPD(0.0, 1e6, 0.0), GPD(1e-13, 5, 1))
    ],
]
EDGE_X = np.array(
    [-1.0, 0.0, 1e-300, 1e-3, 0.5, 1.0, 2.0, 1e3, 1e6, 2e6, 5.3e6, 1e7, 1e9, 1e15, 1e300, np.inf]
)
EDGE_X = np.append(EDGE_X, np.nan)
EDGE_Q = np.array([-0.1, 0.0, 1e-300, 1e-12, 0.1, 0.5, 0.995, 1 - 1e-12, 1.0, 1.5, np.nan])


def _agree(mine: object, ref: object) -> bool:
    a, b = np.asarray(mine, dtype=float), np.asarray(ref, dtype=float)
    with np.errstate(invalid="ignore"):
        close = (a == b) | (np.abs(a - b) <= 1e-15 * np.abs(b))
    return bool(np.all(np.where(np.isnan(b), np.isnan(a), close)))


@pytest.mark.parametrize(("dist", "law"), SCIPY_LAWS, ids=lambda v: getattr(v, "describe", str)())
def test_closed_form_cdf_and_quantiles_equal_scipy_stats(dist, law) -> None:
    """cdf, sf, ppf and isf are computed with scipy.special (no scipy.stats at start-up): the
    same formulas as scipy.stats, so the same numbers to the last bit (1e-15 relative allowed),
    including outside the support, at q = 0 and 1, NaN for q outside [0, 1] and for NaN."""
    ref = law(dist)
    with np.errstate(all="ignore"):
        for name, points in (("cdf", EDGE_X), ("sf", EDGE_X), ("ppf", EDGE_Q), ("isf", EDGE_Q)):
            expected = getattr(ref, name)(points)
            assert _agree(getattr(dist, name)(points), expected), name
            for value, want in zip(points, expected, strict=True):
                got = getattr(dist, name)(float(value))
                assert isinstance(got, float)
                assert _agree(got, want), (name, value)
