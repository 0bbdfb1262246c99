"""Aggregate loss engine against independent results.

References: scipy.stats for the frequency laws; exact compound moments of a gamma severity
(``X_1 + … + X_n ~ Gamma(nα, θ)``, so S is a mixture of gammas); closed-form compound
distributions (geometric–exponential: Loss Models Example 9.7; Poisson–exponential as a
Poisson-weighted series of gamma cdfs); R's ``actuar::discretize`` values; the Panjer
recursion against the FFT; and Monte Carlo drawn here with numpy, not with the engine.
Tolerances are stated with each check.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from pricing.aggregate import (
    AggregateDistribution,
    AggregateWarning,
    Binomial,
    GridSpec,
    NegativeBinomial,
    Poisson,
    aggregate,
    compound_moments,
    discretize,
    fft_pmf,
    panjer_pmf,
    simulate,
)
from pricing.distributions import Gamma, Lognormal, Lomax

FREQUENCIES = [
    Poisson(2.5),
    NegativeBinomial(mean=2.5, size=1.7),
    NegativeBinomial(mean=0.4, size=0.3),
    Binomial(12, 0.2),
    Binomial(1, 0.05),
]
CAPPED_LOGNORMAL = Lognormal(15.0, 1.5).capped(2e8)
GAMMA = Gamma(0.8, 4e6)


def _ids(obj) -> str:
    return obj.describe()[:40]


def _scipy_frequency(freq):
    """The same law as a frozen scipy distribution (nbinom: n = size, p = 1/(1+β))."""
    if isinstance(freq, Poisson):
        return stats.poisson(freq.mean)
    if isinstance(freq, NegativeBinomial):
        return stats.nbinom(freq.size, 1.0 / (1.0 + freq.mean / freq.size))
    return stats.binom(freq.n, freq.p)


def _quiet(*args, **kwargs) -> AggregateDistribution:
    """``aggregate`` with its coverage/aliasing warnings silenced (tests check the numbers)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AggregateWarning)
        return aggregate(*args, **kwargs)


# ============================================================================================
# 1. Frequency specs
# ============================================================================================
@pytest.mark.parametrize("freq", FREQUENCIES, ids=_ids)
def test_frequency_pmf_and_moments_match_scipy(freq):
    """pmf to 1e-12 relative; mean, variance, third central moment to 1e-10 relative."""
    ref = _scipy_frequency(freq)
    k = np.arange(60)
    assert np.allclose(freq.pmf(k), ref.pmf(k), rtol=1e-12, atol=1e-300)
    assert freq.pmf(3) == pytest.approx(ref.pmf(3), rel=1e-12)
    assert freq.p0 == pytest.approx(ref.pmf(0), rel=1e-12)
    mean, var, skew = (float(v) for v in ref.stats(moments="mvs"))
    assert freq.mean == pytest.approx(mean, rel=1e-10)
    assert freq.variance == pytest.approx(var, rel=1e-10)
    assert freq.third_central_moment == pytest.approx(skew * var**1.5, rel=1e-10)
    assert freq.skewness == pytest.approx(skew, rel=1e-10)
    assert freq.std == pytest.approx(math.sqrt(var), rel=1e-12)


@pytest.mark.parametrize("freq", FREQUENCIES, ids=_ids)
def test_frequency_panjer_ab_satisfy_recursion(freq):
    """p_k / p_{k−1} = a + b/k for the (a, b, 0) class, to 1e-10 relative (scipy pmf)."""
    a, b = freq.panjer_ab
    ref = _scipy_frequency(freq)
    k = np.arange(1, 40 if not isinstance(freq, Binomial) else freq.n + 1)
    p = ref.pmf(k)
    prev = ref.pmf(k - 1)
    keep = prev > 1e-280
    assert np.allclose(p[keep] / prev[keep], a + b / k[keep], rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("freq", FREQUENCIES, ids=_ids)
def test_frequency_pgf_and_per_event_probability(freq):
    """pgf = Σ p_k z^k (series, 1e-12); per_event_probability inverts prob_at_least_one."""
    ref = _scipy_frequency(freq)
    k = np.arange(400)
    for z in (0.0, 0.3, 0.9, 0.5 + 0.5j):
        assert complex(freq.pgf(z)) == pytest.approx(complex(np.sum(ref.pmf(k) * z**k)), abs=1e-12)
    s = np.array([1e-6, 1e-3, 0.2, 0.7])
    e = freq.prob_at_least_one(s)
    assert np.allclose(e, 1.0 - np.real(freq.pgf(1.0 - s)), rtol=1e-12)
    assert np.allclose(freq.per_event_probability(e), s, rtol=1e-9)


def test_frequency_sampling_matches_law():
    """Sampled counts: mean within 4 standard errors (fixed seed)."""
    rng = np.random.default_rng(11)
    for freq in FREQUENCIES:
        draws = freq.sample(100_000, rng)
        assert abs(draws.mean() - freq.mean) < 4 * freq.std / math.sqrt(draws.size)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: Poisson(0.0), "mean"),
        (lambda: Poisson(-1.0), "mean"),
        (lambda: Poisson(math.nan), "mean"),
        (lambda: Poisson(math.inf), "mean"),
        (lambda: Poisson(True), "mean"),
        (lambda: Poisson("two"), "mean"),
        (lambda: NegativeBinomial(mean=0.0, size=1.0), "mean"),
        (lambda: NegativeBinomial(mean=1.0, size=0.0), "size"),
        (lambda: NegativeBinomial(mean=1.0, size=-2.0), "size"),
        (lambda: Binomial(0, 0.5), "n"),
        (lambda: Binomial(2.5, 0.5), "n"),
        (lambda: Binomial(True, 0.5), "n"),
        (lambda: Binomial(-3, 0.5), "n"),
        (lambda: Binomial(3, 0.0), "p"),
        (lambda: Binomial(3, 1.0), "p"),
        (lambda: Binomial(3, 1.5), "p"),
        (lambda: Binomial(3, math.nan), "p"),
    ],
)
def test_frequency_invalid_inputs_name_the_field(make, field):
    with pytest.raises(ValueError, match=f"'{field}'"):
        make()


def test_binomial_accepts_integral_float_n():
    assert Binomial(4.0, 0.25).n == 4
    assert isinstance(Binomial(np.int64(4), 0.25).n, int)


# ============================================================================================
# 2. Closed-form compound moments
# ============================================================================================
def test_compound_moments_poisson_exponential():
    """Compound Poisson with exponential(θ): E S = λθ, Var S = 2λθ², κ3 = 6λθ³ (1e-12)."""
    lam, theta = 3.0, 2.5e6
    cm = compound_moments(Poisson(lam), Gamma(1.0, theta))
    assert cm.mean == pytest.approx(lam * theta, rel=1e-12)
    assert cm.variance == pytest.approx(2 * lam * theta**2, rel=1e-12)
    assert cm.third_central == pytest.approx(6 * lam * theta**3, rel=1e-12)
    assert cm.cv == pytest.approx(math.sqrt(2 * lam) / lam, rel=1e-12)
    assert cm.skewness == pytest.approx(6 * lam / (2 * lam) ** 1.5, rel=1e-12)


def _gamma_mixture_moments(freq, alpha: float, theta: float) -> tuple[float, float, float]:
    """Brute force: S | N = n ~ Gamma(nα, θ); raw moments summed over n with scipy's pmf."""
    ref = _scipy_frequency(freq)
    n = np.arange(0, 2000)
    w = ref.pmf(n)
    shape = n * alpha
    m1 = np.sum(w * shape * theta)
    m2 = np.sum(w * shape * (shape + 1) * theta**2)
    m3 = np.sum(w * shape * (shape + 1) * (shape + 2) * theta**3)
    return m1, m2 - m1**2, m3 - 3 * m1 * m2 + 2 * m1**3


@pytest.mark.parametrize("freq", FREQUENCIES, ids=_ids)
def test_compound_moments_gamma_severity_brute_force(freq):
    """All three frequencies with a gamma severity: exact mixture of gammas, 1e-9 relative."""
    alpha, theta = 0.8, 4e6
    mean, var, third = _gamma_mixture_moments(freq, alpha, theta)
    cm = compound_moments(freq, Gamma(alpha, theta))
    assert cm.mean == pytest.approx(mean, rel=1e-9)
    assert cm.variance == pytest.approx(var, rel=1e-9)
    assert cm.third_central == pytest.approx(third, rel=1e-9)


@pytest.mark.parametrize("freq", [NegativeBinomial(mean=2.0, size=1.5), Binomial(8, 0.3)], ids=_ids)
def test_compound_moments_capped_lognormal_monte_carlo(freq):
    """NB and binomial with a capped lognormal against 400k years drawn with numpy (seed 5).

    Tolerance 5 standard errors of each sample statistic (SE from the sample itself:
    ``sd(Y)/√n`` for Y = S, (S − ES)², (S − ES)³).
    """
    sev = Lognormal(14.0, 1.2).capped(1e8)
    rng = np.random.default_rng(5)
    n_years = 400_000
    counts = _scipy_frequency(freq).rvs(n_years, random_state=rng)
    losses = np.minimum(rng.lognormal(14.0, 1.2, counts.sum()), 1e8)
    s = np.bincount(np.repeat(np.arange(n_years), counts), weights=losses, minlength=n_years)
    cm = compound_moments(freq, sev)
    dev = s - cm.mean
    for stat, exact in ((s, cm.mean), (dev**2, cm.variance), (dev**3, cm.third_central)):
        se = stat.std() / math.sqrt(n_years)
        assert abs(stat.mean() - exact) < 5 * se


def test_compound_moments_infinite_when_severity_moments_are():
    """Lomax shape ≤ 1: all inf; shape 1.5: finite mean, inf variance; 2.5: inf third only."""
    freq = Poisson(2.0)
    cm = compound_moments(freq, Lomax(0.9, 1e7))
    assert cm.mean == cm.variance == cm.third_central == math.inf
    assert cm.cv == cm.skewness == math.inf
    cm = compound_moments(freq, Lomax(1.5, 1e7))
    assert cm.mean == pytest.approx(2.0 * 1e7 / 0.5, rel=1e-12)
    assert cm.variance == math.inf and cm.cv == math.inf
    cm = compound_moments(freq, Lomax(2.5, 1e7))
    # E X² = 2θ²/((α−1)(α−2)); compound Poisson Var = λ E X².
    assert cm.variance == pytest.approx(2.0 * 2 * 1e14 / (1.5 * 0.5), rel=1e-10)
    assert cm.third_central == math.inf and cm.skewness == math.inf
    agg = _quiet(freq, Lomax(0.9, 1e7), grid=GridSpec(log2=10, coverage=1 - 1e-3))
    assert agg.mean() == agg.tvar(0.99) == math.inf
    assert agg.stop_loss(1e9) == math.inf
    assert not agg.is_valid


# ============================================================================================
# 3. Discretisation
# ============================================================================================
def test_discretize_exponential_matches_actuar():
    """actuar::discretize(pexp(x), method = "unbiased", lev = levexp(x), from = 0, to = 3,
    step = 1) gives 0.3678794 0.3995764 0.1469959 (1e-6); the last point holds the rest."""
    f = discretize(Gamma(1.0, 1.0), 1.0, 4)
    assert f[:3] == pytest.approx([0.367879, 0.399576, 0.146996], abs=1e-6)
    # closed form f_0 = 1 − (1 − e^{−1}) = e^{−1}; last = E[X∧3] − E[X∧2] = e^{−2} − e^{−3}
    assert f[0] == pytest.approx(math.exp(-1), rel=1e-12)
    assert f[3] == pytest.approx(math.exp(-2) - math.exp(-3), rel=1e-12)
    assert f.sum() == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize(
    "sev",
    [CAPPED_LOGNORMAL, GAMMA, Lomax(1.3, 2e7), Lomax(0.7, 2e7), Lognormal(16.0, 2.0)],
    ids=_ids,
)
@pytest.mark.parametrize(("h", "n"), [(1e6, 50), (2.5e5, 2000)])
def test_discretize_probabilities_and_limited_mean(sev, h, n):
    """Non-negative, sum 1 (1e-12), and Σ x f = E[X∧(n−1)h] (1e-9 relative)."""
    f = discretize(sev, h, n)
    x = h * np.arange(n)
    assert f.shape == (n,)
    assert np.all(f >= 0)
    assert f.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.dot(x, f) == pytest.approx(sev.lev((n - 1) * h), rel=1e-9)
    # the limited mean at each interior grid point: Σ min(x, jh) f = E[X∧jh]
    for j in (1, n // 3, n - 2):
        assert np.dot(np.minimum(x, j * h), f) == pytest.approx(sev.lev(j * h), rel=1e-9)


def test_discretize_keeps_mean_when_support_ends_in_grid():
    """Capped lognormal (cap 2e8) on a grid reaching 2.5e8: discrete mean = E[X] (1e-9)."""
    f = discretize(CAPPED_LOGNORMAL, 1e6, 251)
    assert np.dot(1e6 * np.arange(251), f) == pytest.approx(CAPPED_LOGNORMAL.mean(), rel=1e-9)
    assert np.all(f[201:] == 0)  # nothing beyond the cap's neighbouring grid point


@pytest.mark.parametrize(("bucket", "n", "field"), [(0.0, 10, "bucket"), (1.0, 1, "n")])
def test_discretize_invalid(bucket, n, field):
    with pytest.raises(ValueError, match=f"'{field}'"):
        discretize(GAMMA, bucket, n)


# ============================================================================================
# 4. FFT vs Panjer, and known compound distributions
# ============================================================================================
@pytest.mark.parametrize("freq", FREQUENCIES, ids=_ids)
@pytest.mark.parametrize("sev", [CAPPED_LOGNORMAL, GAMMA], ids=_ids)
def test_fft_agrees_with_panjer(freq, sev):
    """Same grid, light-tailed severities: FFT and Panjer agree to 1e-10 absolute per point."""
    spec = GridSpec(log2=12)
    fft = aggregate(freq, sev, "fft", grid=spec)
    pan = aggregate(freq, sev, "panjer", grid=spec)
    assert fft.bucket == pan.bucket
    assert np.max(np.abs(fft.pmf - pan.pmf)) < 1e-10
    assert fft.tail_mass == pytest.approx(pan.tail_mass, abs=1e-10)
    # and the low-level functions on a fixed grid with a long severity (no truncation at m)
    f = discretize(sev, 2e6, 256)
    assert np.max(np.abs(fft_pmf(freq, f, 256, padding=2) - panjer_pmf(freq, f, 256))) < 1e-10


def test_panjer_refuses_unstable_binomial():
    """Binomial(1, 0.875): S = X w.p. p, else 0, so g = (1 − p) δ_0 + p f exactly. The Panjer
    recursion (a = −7) amplifies rounding by ≈ 1.6 per step on this coarse grid (before the
    fix it returned probabilities up to 87 with tail_mass 0); it must refuse, and the FFT must
    give the exact answer (1e-14 absolute)."""
    freq, sev = Binomial(1, 0.875), Lognormal(12.0, 0.5).capped(1e7)
    spec = GridSpec(log2=8)
    with pytest.raises(ValueError, match="unstable"):
        aggregate(freq, sev, "panjer", grid=spec)
    fft = aggregate(freq, sev, grid=spec)
    exact = 0.875 * discretize(sev, fft.bucket, spec.m)
    exact[0] += 0.125
    assert np.max(np.abs(fft.pmf - exact)) < 1e-14
    # the same model with p ≤ 1/2 is stable, and Panjer then matches the exact answer too
    pan = aggregate(Binomial(1, 0.5), sev, "panjer", grid=spec)
    exact = 0.5 * discretize(sev, pan.bucket, spec.m)
    exact[0] += 0.5
    assert np.max(np.abs(pan.pmf - exact)) < 1e-14


def test_geometric_exponential_closed_form():
    """NB(size 1) with exponential(θ): S = 0 w.p. 1/(1+β), else exponential, mean θ(1+β).

    The first-order moment-matched grid's cdf at x = kh is the average of the exact cdf over
    (kh, (k+1)h), i.e. F(kh + h/2) + O(h²): checked to 2e-5, and bracketed by F(kh) and
    F((k+1)h) (each 1e-9).
    """
    beta, theta = 3.0, 1e6
    agg = aggregate(NegativeBinomial(mean=beta, size=1.0), Gamma(1.0, theta), grid=GridSpec(12))
    h = agg.bucket

    def exact(x):
        return 1.0 - beta / (1.0 + beta) * np.exp(-np.asarray(x) / (theta * (1.0 + beta)))

    x = h * np.round(np.array([0.0, 1e6, 3e6, 1e7, 3e7]) / h)
    grid = agg.cdf(x)
    assert np.max(np.abs(grid - exact(x + h / 2))) < 2e-5
    assert np.all(grid >= exact(x) - 1e-9)
    assert np.all(grid <= exact(x + h) + 1e-9)
    # the mean is the closed form, and the grid mean is right too (light tail, covered grid)
    assert agg.mean() == pytest.approx(beta * theta, rel=1e-12)
    assert agg.grid_moments().mean == pytest.approx(beta * theta, rel=1e-5)


def test_poisson_exponential_series():
    """Compound Poisson–exponential: F(x) = e^{−λ} + Σ_k Poisson(k; λ) Gamma(k, θ).cdf(x).

    Grid cdf at kh against the exact cdf at kh + h/2 (see above), tolerance 1e-5 (h/θ≈0.006).
    """
    lam, theta = 2.0, 1e6
    agg = aggregate(Poisson(lam), Gamma(1.0, theta), grid=GridSpec(log2=12))
    h = agg.bucket
    k = np.arange(1, 200)
    w = stats.poisson.pmf(k, lam)

    def exact(x):
        return math.exp(-lam) + np.sum(w * stats.gamma.cdf(x, k, scale=theta))

    for x in h * np.round(np.array([0.0, 5e5, 2e6, 5e6, 1e7]) / h):
        assert agg.cdf(x) == pytest.approx(exact(x + h / 2), abs=1e-5)
        assert exact(x) - 1e-9 <= agg.cdf(x) <= exact(x + h) + 1e-9


# ============================================================================================
# 5. Monte Carlo against FFT
# ============================================================================================
def test_monte_carlo_matches_fft():
    """200k simulated years (seed 2024): VaR at 0.95/0.99 within 3%, TVaR_0.99 within 5%;
    MC mean within 4 standard errors of the closed form; the MC audit passes."""
    freq, sev = Poisson(3.0), Lognormal(15.0, 1.2)
    fft = aggregate(freq, sev, grid=GridSpec(log2=14))
    mc = aggregate(freq, sev, "mc", n_sims=200_000, seed=2024)
    assert mc.method == "mc" and mc.n_sims == 200_000 and math.isnan(mc.bucket)
    for p in (0.95, 0.99):
        assert mc.value_at_risk(p) == pytest.approx(fft.value_at_risk(p), rel=0.03)
    assert mc.tvar(0.99) == pytest.approx(fft.tvar(0.99), rel=0.05)
    assert abs(mc.grid_moments().mean - fft.mean()) < 4 * fft.std() / math.sqrt(200_000)
    assert mc.is_valid
    assert mc.cdf(1e12) == pytest.approx(1.0, abs=1e-9)
    assert mc.sf(-1.0) == pytest.approx(1.0, abs=1e-9)


def test_simulate_is_reproducible_and_chunk_independent_in_law():
    freq, sev = NegativeBinomial(mean=2.0, size=2.0), GAMMA
    a = simulate(freq, sev, 5000, seed=3)
    b = simulate(freq, sev, 5000, seed=3)
    assert np.array_equal(a, b)
    calls = []
    c = simulate(freq, sev, 5000, seed=3, chunk_claims=1000, progress=calls.append)
    assert calls[-1] == 1.0 and len(calls) > 1 and np.all(np.diff(calls) > 0)
    # different chunking: another sample of the same law (means within 5 SE of each other)
    se = compound_moments(freq, sev).std / math.sqrt(5000)
    assert abs(a.mean() - c.mean()) < 5 * math.sqrt(2) * se
    with pytest.raises(ValueError, match="'n_years'"):
        simulate(freq, sev, 0)


# ============================================================================================
# 6. TVaR with the analytic tail
# ============================================================================================
def test_tvar_heavy_tail_on_a_short_grid():
    """Capped Lomax(1.1): a 2^10 grid holding 1 − 1e-3 still gives TVaR_0.99 within 1% of a
    2^18 reference, because the tail beyond VaR enters through the closed-form mean."""
    freq, sev = Poisson(2.0), Lomax(1.1, 1e7).capped(1e9)
    coarse = _quiet(freq, sev, grid=GridSpec(log2=10, coverage=1 - 1e-3))
    fine = aggregate(freq, sev, grid=GridSpec(log2=18))
    assert coarse.tail_mass > 1e-5  # the coarse grid really misses part of the tail
    assert fine.tail_mass < 1e-7
    assert coarse.tvar(0.99) == pytest.approx(fine.tvar(0.99), rel=0.01)
    assert coarse.value_at_risk(0.99) == pytest.approx(fine.value_at_risk(0.99), rel=0.01)
    # a TVaR from the grid alone (tail mass dropped) is off by more than the tolerance,
    # so the check above does test the analytic tail
    v = coarse.value_at_risk(0.99)
    beyond = coarse.x > v
    naive = v + np.dot(coarse.x[beyond] - v, coarse.pmf[beyond]) / 0.01
    assert abs(naive / fine.tvar(0.99) - 1) > 0.01
    assert coarse.mean() == fine.mean() == pytest.approx(2.0 * sev.mean(), rel=1e-12)


@pytest.mark.parametrize("sev", [Lognormal(15.0, 1.0), GAMMA], ids=_ids)
@pytest.mark.parametrize("level", [0.95, 0.99, 0.995])
def test_bernoulli_frequency_var_tvar_closed_form(sev, level):
    """Binomial(1, p): S = X w.p. p else 0. For level > 1 − p, VaR = F_X^{-1}(1 − (1−level)/p)
    and TVaR = VaR + p (E X − E[X∧VaR]) / (1 − level); 0.5% relative (grid step ≈ 1e-3 VaR)."""
    p = 0.1
    agg = aggregate(Binomial(1, p), sev, grid=GridSpec(log2=14))
    var_exact = float(sev.ppf(1.0 - (1.0 - level) / p))
    tvar_exact = var_exact + p * (sev.mean() - float(sev.lev(var_exact))) / (1.0 - level)
    assert agg.value_at_risk(level) == pytest.approx(var_exact, rel=0.005)
    assert agg.tvar(level) == pytest.approx(tvar_exact, rel=0.005)
    # below 1 − p the atom at 0 holds the level: VaR = 0 and TVaR = E S / (1 − level)
    assert agg.value_at_risk(0.5) == 0.0
    assert agg.tvar(0.5) == pytest.approx(p * sev.mean() / 0.5, rel=1e-9)


# ============================================================================================
# 7. Mean, stop loss and aggregate layers
# ============================================================================================
def test_mean_and_layers():
    """mean() is the closed form even on a short grid; ceded + retained = total (1e-9)."""
    freq, sev = NegativeBinomial(mean=2.0, size=1.0), Lognormal(16.0, 1.8).capped(1e9)
    agg = _quiet(freq, sev, grid=GridSpec(log2=9, coverage=0.99))
    exact = 2.0 * sev.mean()
    assert agg.tail_mass > 1e-4  # short grid
    assert agg.mean() == pytest.approx(exact, rel=1e-12)
    assert agg.grid_moments().mean < exact * (1 - 1e-4)  # what the grid alone would say
    assert agg.stop_loss(0.0) == pytest.approx(exact, rel=1e-12)
    assert agg.expected_ceded(0.0) == pytest.approx(exact, rel=1e-12)
    for a, l in [(0.0, 5e7), (2e7, 1e8), (1e8, 3e8)]:
        total = agg.expected_ceded(a, l) + agg.lev(a) + agg.stop_loss(a + l)
        assert total == pytest.approx(exact, rel=1e-9)
    ceded_l = [agg.expected_ceded(2e7, l) for l in (1e7, 5e7, 1e8, 5e8, math.inf)]
    assert np.all(np.diff(ceded_l) > 0)
    ceded_a = [agg.expected_ceded(a, 1e8) for a in (0.0, 1e7, 5e7, 2e8)]
    assert np.all(np.diff(ceded_a) < 0)
    # E[S∧v] is increasing, ≤ v and ≤ E S; stop loss is decreasing
    v = np.array([0.0, 1e6, 1e7, 1e8, 1e9, 1e11])
    lev = agg.lev(v)
    assert np.all(np.diff(lev) >= 0) and np.all(lev <= v + 1e-6) and np.all(lev <= exact)
    assert np.all(np.diff(agg.stop_loss(v)) <= 0)


def test_lev_matches_direct_sum_on_a_full_grid():
    """E[S∧v] on the grid: direct Σ min(x, v) pmf (tail mass counted at min(v, m h)), 1e-12.

    Beyond the grid that is a documented lower bound, short by at most (v − m h)·tail_mass.
    """
    agg = aggregate(Poisson(1.5), CAPPED_LOGNORMAL, grid=GridSpec(log2=12))
    for v in (0.0, 3.3e6, agg.x[700], 1e9):
        tail_at = min(v, agg.grid_end)
        direct = np.dot(np.minimum(agg.x, v), agg.pmf) + tail_at * agg.tail_mass
        assert agg.lev(v) == pytest.approx(min(direct, agg.mean()), rel=1e-12, abs=1e-6)
        assert agg.lev(v) <= agg.mean()
        assert agg.mean() - agg.lev(v) >= -1e-6
    gap = (1e9 - agg.grid_end) * agg.tail_mass
    assert agg.mean() - agg.lev(1e9) <= gap + 1e-6 * agg.mean()


# ============================================================================================
# 8. OEP, AEP and return periods
# ============================================================================================
@pytest.mark.parametrize("freq", FREQUENCIES, ids=_ids)
def test_oep_closed_form_and_inverse(freq):
    """OEP = 1 − P_N(F_X(x)) by series over scipy's pmf (1e-10); for Poisson
    1 − exp(−λ S_X(x)) (1e-12); occurrence_quantile inverts it (1e-8)."""
    sev = Lomax(1.3, 2e7)
    agg = _quiet(freq, sev, grid=GridSpec(log2=8))
    x = np.array([1e6, 1e7, 1e8, 1e9, 1e10])
    sx = stats.lomax.sf(x, 1.3, scale=2e7)
    n = np.arange(400)
    series = np.array([1.0 - np.sum(_scipy_frequency(freq).pmf(n) * (1 - s) ** n) for s in sx])
    assert np.allclose(agg.oep(x), series, rtol=1e-10, atol=1e-15)
    if isinstance(freq, Poisson):
        assert np.allclose(agg.oep(x), -np.expm1(-freq.mean * sx), rtol=1e-12)
    for p in (0.99, 0.996, 0.999):
        q = agg.occurrence_quantile(p)
        assert agg.oep(q) == pytest.approx(1.0 - p, rel=1e-8)
    # below P(N = 0) no loss at all is the answer
    assert agg.occurrence_quantile(freq.p0 * 0.5) == 0.0


@pytest.mark.parametrize("freq", FREQUENCIES, ids=_ids)
def test_occurrence_quantiles_of_an_array_are_each_level_alone(freq):
    """Levels searched together give each level's own answer (1e-12), 0 below P(N = 0), and
    a bad level among them is refused by value."""
    agg = _quiet(freq, Lomax(1.3, 2e7), grid=GridSpec(log2=8))
    levels = [freq.p0 * 0.5, 0.9, 0.99, 0.996, 0.999]
    together = agg.occurrence_quantile(levels)
    alone = [agg.occurrence_quantile(p) for p in levels]
    assert together.shape == (5,) and together[0] == 0.0
    assert np.allclose(together, alone, rtol=1e-12, atol=0)
    table = agg.return_period_table((10, 100, 1000))
    assert np.allclose(
        table["oep_loss"],
        [agg.occurrence_quantile(1 - 1 / t) for t in (10, 100, 1000)],
        rtol=1e-12,
    )
    with pytest.raises(ValueError, match=r"1\.5"):
        agg.occurrence_quantile([0.5, 1.5])


def test_return_period_table_and_curves():
    agg = aggregate(Poisson(2.0), CAPPED_LOGNORMAL, grid=GridSpec(log2=12))
    table = agg.return_period_table()
    assert list(table.columns) == ["return_period", "probability", "aep_loss", "tvar", "oep_loss"]
    assert np.allclose(table["probability"], 1.0 / table["return_period"], rtol=1e-15)
    for col in ("aep_loss", "tvar"):
        assert np.all(np.diff(table[col]) > 0)
    # the largest single loss stops at the cap (2e8)
    assert np.all(np.diff(table["oep_loss"]) >= 0) and table["oep_loss"].max() == 2e8
    assert np.all(table["tvar"] >= table["aep_loss"])
    assert np.all(table["aep_loss"] >= table["oep_loss"] - agg.bucket)  # S ≥ max X_i
    row = table.iloc[2]  # 100 years
    assert row["aep_loss"] == agg.value_at_risk(0.99)
    assert row["tvar"] == agg.tvar(0.99)
    # exceedance curves: AEP = sf on the grid; OEP ≤ AEP (the max is at most the sum). The
    # grid's sf at kh stands for the exact one near kh + h/2, so compare OEP one step right.
    aep = agg.exceedance_curve("aep")
    oep = agg.exceedance_curve("oep")
    assert np.allclose(aep["probability"], agg.sf(agg.x), rtol=0, atol=1e-15)
    assert np.allclose(aep["probability"], 1.0 - agg.cdf(agg.x), atol=1e-12)
    assert np.all(agg.oep(agg.x + agg.bucket) <= aep["probability"].to_numpy() + 1e-9)
    assert np.allclose(oep["probability"], agg.oep(agg.x), rtol=0, atol=0)
    assert agg.aep(5e7) == agg.sf(5e7)
    with pytest.raises(ValueError, match="periods"):
        agg.return_period_table([1.0])
    with pytest.raises(ValueError, match="'kind'"):
        agg.exceedance_curve("pml")


def test_beyond_the_grid_is_unknown():
    """Past the grid with mass there: cdf/sf NaN, VaR raises, the table gives NaN."""
    agg = _quiet(Poisson(2.0), Lomax(1.1, 1e7), grid=GridSpec(log2=8, coverage=0.99))
    assert agg.tail_mass > 0
    assert math.isnan(agg.cdf(agg.grid_end)) and math.isnan(agg.sf(agg.grid_end * 2))
    assert agg.coverage == pytest.approx(1 - agg.tail_mass)
    with pytest.raises(ValueError, match="beyond the grid"):
        agg.value_at_risk(1 - agg.tail_mass / 2)
    table = agg.return_period_table([10, 1e6])
    assert math.isnan(table["aep_loss"].iloc[1]) and math.isnan(table["tvar"].iloc[1])
    assert math.isfinite(table["aep_loss"].iloc[0])


def test_audit_and_identity():
    agg = aggregate(Poisson(2.0), CAPPED_LOGNORMAL, grid=GridSpec(log2=12))
    audit = agg.audit()
    assert audit["valid"].all() and agg.is_valid
    assert audit.loc[("aggregate", "mean"), "rel_error"] < 1e-4
    again = aggregate(Poisson(2.0), CAPPED_LOGNORMAL, grid=GridSpec(log2=12))
    assert again == agg and hash(again) == hash(agg)
    assert again != aggregate(Poisson(2.1), CAPPED_LOGNORMAL, grid=GridSpec(log2=12))
    with pytest.raises(ValueError):
        agg.pmf[0] = 1.0  # read-only


# ============================================================================================
# 9. Properties over random valid models
# ============================================================================================
frequencies = st.one_of(
    st.builds(Poisson, st.floats(0.05, 15.0)),
    st.builds(NegativeBinomial, st.floats(0.05, 15.0), st.floats(0.2, 30.0)),
    st.builds(Binomial, st.integers(1, 40), st.floats(0.01, 0.9)),
)
severities = st.one_of(
    st.builds(
        lambda ml, sl, cap: Lognormal(ml, sl).capped(cap),
        st.floats(12.0, 17.0),
        st.floats(0.3, 2.5),
        st.floats(1e7, 1e9),
    ),
    st.builds(Gamma, st.floats(0.3, 5.0), st.floats(1e5, 1e7)),
    st.builds(Lomax, st.floats(1.3, 4.0), st.floats(1e6, 5e7)),
)


@settings(max_examples=30, deadline=None)
@given(freq=frequencies, sev=severities, log2=st.integers(8, 11))
def test_properties_of_the_grid_result(freq, sev, log2):
    """pmf ≥ 0, sums with tail_mass to 1 (1e-12); VaR monotone; TVaR ≥ VaR ≥ 0; mean = E N E X
    (1e-9, with E X from the severity itself); FFT within the tail mass of Panjer in L1."""
    spec = GridSpec(log2=log2)
    fft = _quiet(freq, sev, grid=spec)
    assert np.all(fft.pmf >= 0)
    assert fft.pmf.sum() <= 1.0 + 1e-12
    assert fft.pmf.sum() + fft.tail_mass == pytest.approx(1.0, abs=1e-12)
    assert fft.mean() == pytest.approx(freq.mean * sev.mean(), rel=1e-9)
    levels = np.array([0.0, 0.5, 0.9, 0.99, 0.999])
    levels = levels[levels < fft.coverage - 1e-9]
    var = fft.value_at_risk(levels)
    assert np.all(var >= 0) and np.all(np.diff(var) >= 0)
    tvar = np.array([fft.tvar(p) for p in levels])
    assert np.all(tvar >= var - 1e-9 * np.maximum(var, 1.0))
    assert np.all(np.diff(tvar) >= -1e-9 * tvar[1:])
    assert tvar[0] == pytest.approx(fft.mean(), rel=1e-9)  # TVaR_0 = E S
    try:
        pan = _quiet(freq, sev, "panjer", grid=spec)
    except ValueError as err:  # refused only for the unstable binomial recursion (a < 0)
        assert "unstable" in str(err) and isinstance(freq, Binomial) and freq.p > 0.5
        return
    assert pan.bucket == fft.bucket
    # FFT differs from the exact recursion only by the mass folded back from ≥ 2m h, which
    # is at most the mass beyond the grid, plus rounding.
    assert np.abs(fft.pmf - pan.pmf).sum() <= pan.tail_mass + 1e-10


@settings(max_examples=30, deadline=None)
@given(
    freq=frequencies,
    alpha=st.floats(0.3, 4.0),
    h=st.floats(0.05, 2.0),
    n=st.integers(2, 300),
)
def test_properties_of_discretize(freq, alpha, h, n):
    """Any grid: f ≥ 0, Σ f = 1 (1e-12), Σ x f = E[X∧(n−1)h] (1e-9); Panjer ≈ FFT (1e-10)."""
    sev = Gamma(alpha, 1.0)
    f = discretize(sev, h, n)
    assert np.all(f >= 0)
    assert f.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.dot(h * np.arange(n), f) == pytest.approx(sev.lev((n - 1) * h), rel=1e-9)
    m = 64
    g_fft = fft_pmf(freq, f[:m], m, padding=4)
    try:
        g_pan = panjer_pmf(freq, f[:m], m)
        # padding 4: the transform has 16 m points; what folds back is P(S ≥ 16 m h)
        folded = max(1.0 - panjer_pmf(freq, f[:m], 16 * m).sum(), 0.0)
    except ValueError as err:  # see test_panjer_refuses_unstable_binomial
        assert "unstable" in str(err) and isinstance(freq, Binomial) and freq.p > 0.5
        return
    assert np.max(np.abs(g_fft - g_pan)) <= folded + 1e-10


# ============================================================================================
# 10. Invalid inputs
# ============================================================================================
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"log2": 2}, "log2"),
        ({"log2": 25}, "log2"),
        ({"log2": 10.0}, "log2"),
        ({"log2": True}, "log2"),
        ({"coverage": 1.5}, "coverage"),
        ({"coverage": 1.0}, "coverage"),
        ({"coverage": 0.5}, "coverage"),
        ({"bucket": 0.0}, "bucket"),
        ({"bucket": -5.0}, "bucket"),
        ({"bucket": math.inf}, "bucket"),
        ({"padding": 5}, "padding"),
        ({"padding": -1}, "padding"),
    ],
)
def test_gridspec_invalid(kwargs, field):
    with pytest.raises(ValueError, match=f"'{field}'"):
        GridSpec(**kwargs)


def test_aggregate_invalid_arguments():
    with pytest.raises(ValueError, match="'method'"):
        aggregate(Poisson(1.0), GAMMA, method="bad")
    with pytest.raises(ValueError, match="'frequency'"):
        aggregate(stats.poisson(1.0), GAMMA)
    with pytest.raises(ValueError, match="'severity'"):
        aggregate(Poisson(1.0), stats.gamma(1.0))
    with pytest.raises(ValueError, match="underflows"):
        aggregate(Poisson(2000.0), GAMMA, "panjer", grid=GridSpec(log2=8, bucket=1e5))


def test_result_methods_invalid_arguments():
    agg = aggregate(Poisson(1.0), GAMMA, grid=GridSpec(log2=10))
    for bad in (1.0, -0.1, 1.5, math.nan):
        with pytest.raises(ValueError, match="'p'"):
            agg.value_at_risk(bad)
        with pytest.raises(ValueError, match="'p'"):
            agg.tvar(bad)
        with pytest.raises(ValueError, match="'p'"):
            agg.occurrence_quantile(bad)
    with pytest.raises(ValueError, match="'p'"):
        agg.value_at_risk(np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="'retention'"):
        agg.expected_ceded(-1.0, 1e6)
    with pytest.raises(ValueError, match="'limit'"):
        agg.expected_ceded(0.0, 0.0)


def test_align_to_puts_the_cap_on_the_grid_so_nothing_is_smeared_above_it():
    """One possible loss (Binomial(1, 0.3)) capped at c = USD 7.3m: S never exceeds c, so
    P(S > c) = 0 exactly. With ``align_to=c`` the cap is a grid point and the grid agrees
    (1e-12); without it the atom at c is split with the next point above and P(S > c) is
    of the order of the atom's mass p·S_X(c)."""
    cap = 7.3e6
    sev = Lognormal(15.0, 1.0).capped(cap)
    freq = Binomial(1, 0.3)
    aligned = aggregate(freq, sev, grid=GridSpec(log2=10, coverage=1 - 1e-8, align_to=cap))
    ratio = cap / aligned.bucket
    assert ratio == pytest.approx(round(ratio), abs=1e-9)
    assert aligned.sf(cap) < 1e-12
    plain = aggregate(freq, sev, grid=GridSpec(log2=10, bucket=cap / 97.5))
    assert plain.sf(cap) > 1e-3 * 0.3 * float(sev.base.sf(cap))


def test_align_to_must_be_a_positive_amount():
    with pytest.raises(ValueError, match="align_to"):
        GridSpec(align_to=-1.0)
