"""Frequency GLMs (Poisson and NB2 with an exposure offset) against independent results.

References used here:

- direct ``scipy.optimize`` maximisation of the same Poisson and NB2 log-likelihoods
  (Cameron & Trivedi, *Regression Analysis of Count Data*, eqs. 3.3 and 3.27);
- the closed form of the Poisson MLE without covariates: ``rate = Σn / ΣE`` and
  ``se(log rate) = 1/√Σn``;
- the Poisson score equations ``Σ μ̂ = Σ n`` and ``Σ t μ̂ = Σ t n``;
- seeded simulations with a known rate, trend and dispersion (the tolerance of each is stated
  in the test and sized from the Monte Carlo standard error).
"""

from __future__ import annotations

import doctest
import itertools
import json
import math
import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import optimize, special, stats

from pricing import frequency
from pricing.frequency import FrequencyFit, fit_frequency, overdispersion_tests
from pricing.scaling import ExchangeFrequency, SizeAssumptions, exchange_rate

YEARS = np.arange(2011, 2026)  # 15 data years; the trend is centred on 2025
EXPOSURE = np.linspace(20.0, 140.0, len(YEARS))  # exchanges tracked
RATE = 0.08  # true incidents per exchange-year in 2025
TREND = 0.10  # true change in the log rate per year

# A fixed, realistic-looking history for the deterministic checks.
FIXED_COUNTS = np.array([1, 0, 2, 1, 3, 2, 4, 6, 5, 3, 7, 8, 6, 9, 11])
FIXED_EXPOSURE = np.array([12, 15, 20, 28, 35, 45, 60, 75, 90, 100, 110, 115, 120, 125, 130.0])
# The same exposure with clearly overdispersed counts.
OVERDISPERSED_COUNTS = np.array([0, 3, 0, 1, 7, 0, 2, 12, 1, 0, 9, 2, 15, 1, 4])


def frame(counts, exposure=None, years=None) -> pd.DataFrame:
    counts = np.asarray(counts)
    years = np.arange(2011, 2011 + len(counts)) if years is None else np.asarray(years)
    exposure = np.full(len(counts), 50.0) if exposure is None else np.asarray(exposure, float)
    return pd.DataFrame({"year": years, "n_incidents": counts, "exposure": exposure})


def simulate(rng, alpha=0.0, years=YEARS, exposure=EXPOSURE, rate=RATE, trend=TREND):
    """Yearly counts with mean ``E_t rate exp(trend (t − t_last))``; NB2 when ``alpha > 0``."""
    mu = exposure * rate * np.exp(trend * (years - years[-1]))
    if alpha == 0:
        n = rng.poisson(mu)
    else:
        size = 1.0 / alpha  # numpy: failures before `size` successes, mean size (1-p)/p = mu
        n = rng.negative_binomial(size, size / (size + mu))
    return frame(n, exposure, years)


# --------------------------------------------------------------------------------------------
# Recovery of known parameters from simulated data
# --------------------------------------------------------------------------------------------
def test_poisson_recovers_rate_trend_and_standard_errors():
    """200 simulated 15-year Poisson panels.

    Tolerances: mean estimates within 4 Monte Carlo standard errors of the truth; the mean
    GLM standard error within 15% of the spread of the estimates; 90% rate-CI coverage in
    [0.85, 0.95] (the binomial SD of a coverage over 200 panels is 0.021).
    """
    rng = np.random.default_rng(20240601)
    est, se, covered = [], [], 0
    for _ in range(200):
        fit = fit_frequency(simulate(rng), model="poisson")
        est.append(fit.coef)
        se.append(fit.se)
        low, high = fit.rate_ci(2025)
        covered += low <= RATE <= high
    est, se = np.array(est), np.array(se)
    truth = np.array([math.log(RATE), TREND])
    mc_se = est.std(axis=0, ddof=1) / math.sqrt(len(est))
    assert np.all(np.abs(est.mean(axis=0) - truth) < 4 * mc_se)
    np.testing.assert_allclose(se.mean(axis=0), est.std(axis=0, ddof=1), rtol=0.15)
    assert 0.85 <= covered / 200 <= 0.95


def test_negbin_recovers_rate_trend_and_dispersion():
    """200 simulated 30-year NB2 panels with ``α = 0.5``.

    Tolerances: mean intercept and trend within 4 Monte Carlo standard errors; the median ML
    ``α`` in [0.35, 0.65] (ML ``α`` is biased downwards in short series; 30 years keeps the
    bias near −0.03); 90% rate-CI coverage in [0.85, 0.95].
    """
    rng = np.random.default_rng(7)
    years = np.arange(1996, 2026)
    exposure = np.linspace(20.0, 140.0, len(years))
    est, alphas, covered = [], [], 0
    for _ in range(200):
        data = simulate(rng, alpha=0.5, years=years, exposure=exposure, trend=0.05)
        fit = fit_frequency(data, model="negbin")
        est.append(fit.coef)
        alphas.append(fit.dispersion)
        low, high = fit.rate_ci(2025)
        covered += low <= RATE <= high
    est = np.array(est)
    mc_se = est.std(axis=0, ddof=1) / math.sqrt(len(est))
    assert np.all(np.abs(est.mean(axis=0) - [math.log(RATE), 0.05]) < 4 * mc_se)
    assert 0.35 <= np.median(alphas) <= 0.65
    assert 0.85 <= covered / 200 <= 0.95


# --------------------------------------------------------------------------------------------
# Agreement with direct maximum likelihood and closed forms
# --------------------------------------------------------------------------------------------
def poisson_loglik(beta, X, y, exposure):
    eta = np.log(exposure) + X @ beta
    return float(np.sum(y * eta - np.exp(eta) - special.gammaln(y + 1)))


def test_poisson_glm_matches_direct_scipy_mle():
    """Params to 1e-5 relative, loglik to 1e-8 absolute, covariance equal to the inverse
    Fisher information ``(Xᵀ diag(μ) X)⁻¹`` to 1e-6 relative."""
    y, expo = FIXED_COUNTS, FIXED_EXPOSURE
    X = np.column_stack([np.ones(len(y)), YEARS - 2025.0])

    def negll_and_grad(beta):
        mu = expo * np.exp(X @ beta)
        return -poisson_loglik(beta, X, y, expo), -(X.T @ (y - mu))

    opt = optimize.minimize(
        negll_and_grad, x0=[-3.0, 0.0], jac=True, method="BFGS", options={"gtol": 1e-11}
    )
    fit = fit_frequency(frame(y, expo), model="poisson")
    np.testing.assert_allclose(fit.coef, opt.x, rtol=1e-5)
    assert fit.loglik == pytest.approx(-opt.fun, abs=1e-8)
    mu = expo * np.exp(X @ fit.coef)
    np.testing.assert_allclose(fit.cov_matrix, np.linalg.inv(X.T @ (mu[:, None] * X)), rtol=1e-6)
    assert fit.aic == pytest.approx(-2 * fit.loglik + 4, rel=1e-12)
    assert fit.bic == pytest.approx(-2 * fit.loglik + 2 * math.log(15), rel=1e-12)


def test_poisson_score_equations_hold_for_fitted_values():
    """With an intercept and a trend, ``Σ μ̂ = Σ n`` and ``Σ t μ̂ = Σ t n`` (rel 1e-7)."""
    fit = fit_frequency(frame(FIXED_COUNTS, FIXED_EXPOSURE), model="poisson")
    mu, t = np.array(fit.fitted), YEARS - 2025.0
    assert mu.sum() == pytest.approx(FIXED_COUNTS.sum(), rel=1e-7)
    assert (t * mu).sum() == pytest.approx((t * FIXED_COUNTS).sum(), rel=1e-7)


def test_poisson_without_trend_is_the_closed_form():
    """``rate = Σn / ΣE`` (rel 1e-10), ``se(log rate) = 1/√Σn`` (rel 1e-8), the same rate in
    every year, and the CI ``rate · exp(±z/√Σn)`` (rel 1e-8)."""
    fit = fit_frequency(frame(FIXED_COUNTS, FIXED_EXPOSURE), model="poisson", trend=False)
    total = FIXED_COUNTS.sum()
    rate = total / FIXED_EXPOSURE.sum()
    assert fit.param_names == ("intercept",)
    assert fit.rate(2025) == pytest.approx(rate, rel=1e-10)
    assert fit.rate(2031) == pytest.approx(rate, rel=1e-10)
    assert fit.se[0] == pytest.approx(1 / math.sqrt(total), rel=1e-8)
    z = stats.norm.ppf(0.95)
    low, high = fit.rate_ci(2025, 0.90)
    assert low == pytest.approx(rate * math.exp(-z / math.sqrt(total)), rel=1e-8)
    assert high == pytest.approx(rate * math.exp(z / math.sqrt(total)), rel=1e-8)


def nb2_loglik(theta, X, y, exposure):
    """NB2 log-likelihood in ``(β, log α)``, Var = μ + α μ²."""
    beta, alpha = theta[:-1], math.exp(theta[-1])
    mu = exposure * np.exp(X @ beta)
    r = 1.0 / alpha
    return float(
        np.sum(
            special.gammaln(y + r)
            - special.gammaln(r)
            - special.gammaln(y + 1)
            + r * np.log(r / (r + mu))
            + y * np.log(mu / (r + mu))
        )
    )


def test_negbin_matches_direct_scipy_mle():
    """Coefficients to 1e-4 relative, ``α`` to 1e-3 relative, loglik to 1e-6 absolute."""
    y, expo = OVERDISPERSED_COUNTS, FIXED_EXPOSURE
    X = np.column_stack([np.ones(len(y)), YEARS - 2025.0])
    opt = optimize.minimize(
        lambda th: -nb2_loglik(th, X, y, expo),
        x0=[-3.0, 0.0, 0.0],
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 20_000, "maxfev": 40_000},
    )
    fit = fit_frequency(frame(y, expo), model="negbin")
    assert fit.model == "negbin"
    np.testing.assert_allclose(fit.coef, opt.x[:-1], rtol=1e-4)
    assert fit.dispersion == pytest.approx(math.exp(opt.x[-1]), rel=1e-3)
    assert fit.loglik == pytest.approx(-opt.fun, abs=1e-6)
    assert fit.size == pytest.approx(1 / fit.dispersion)
    assert fit.aic == pytest.approx(-2 * fit.loglik + 2 * 3, rel=1e-12)
    assert fit.dispersion_se is not None and fit.dispersion_se > 0


def test_profile_likelihood_fallback_agrees_with_statsmodels_alpha():
    """The fallback used when statsmodels' NB fit fails gives the same ``α`` (rel 1e-3), and 0
    on underdispersed counts (the Poisson boundary)."""
    X = np.column_stack([np.ones(15), YEARS - 2025.0])
    offset = np.log(FIXED_EXPOSURE)
    fit = fit_frequency(frame(OVERDISPERSED_COUNTS, FIXED_EXPOSURE), model="negbin")
    alpha = frequency._profile_alpha(OVERDISPERSED_COUNTS, X, offset)
    assert alpha == pytest.approx(fit.dispersion, rel=1e-3)
    underdispersed = np.round(FIXED_EXPOSURE * 0.06).astype(int)
    assert frequency._profile_alpha(underdispersed, X, offset) == 0.0


def test_fit_falls_back_to_the_profile_likelihood_when_statsmodels_nb_fails(monkeypatch):
    """Same ``α`` (rel 1e-3) and coefficients (rel 1e-4) through the fallback path."""
    data = frame(OVERDISPERSED_COUNTS, FIXED_EXPOSURE)
    direct = fit_frequency(data, model="negbin")

    class Failing:
        def __init__(self, *args, **kwargs):
            pass

        def fit(self, *args, **kwargs):
            raise np.linalg.LinAlgError("singular matrix")

    monkeypatch.setattr(frequency.glm, "NegativeBinomial", Failing)
    fallback = fit_frequency(data, model="negbin")
    assert fallback.dispersion == pytest.approx(direct.dispersion, rel=1e-3)
    np.testing.assert_allclose(fallback.coef, direct.coef, rtol=1e-4)
    assert fallback.dispersion_se is None


# --------------------------------------------------------------------------------------------
# Overdispersion tests and the automatic model choice
# --------------------------------------------------------------------------------------------
def test_overdispersion_test_rejects_on_strongly_overdispersed_data():
    """NB2 with ``α = 1`` and 3–40 expected thefts a year: LR p < 0.05 for all 20 seeds (the
    largest p seen was 3e-10); the Cameron–Trivedi cross-check, less powerful in 15 years,
    rejects in at least 12 of 20 (14 seen)."""
    lr_p, ct_p = [], []
    for seed in range(20):
        data = simulate(np.random.default_rng(seed), alpha=1.0, rate=0.3)
        lr, ct = overdispersion_tests(data)
        lr_p.append(lr.pvalue)
        ct_p.append(ct.pvalue)
    assert max(lr_p) < 0.05
    assert sum(p < 0.05 for p in ct_p) >= 12


def test_overdispersion_test_rarely_rejects_on_poisson_data():
    """100 Poisson panels: the LR test rejects at 5% in at most 10% of them (nominal 5%; in 15
    years it is conservative, about 1%); the chi-bar-square point mass at LR = 0 holds at least
    half of the panels (≈ 0.7 seen: more than the asymptotic ½ in short series)."""
    rng = np.random.default_rng(99)
    rejected, at_zero = 0, 0
    for _ in range(100):
        lr, _ = overdispersion_tests(simulate(rng))
        rejected += lr.pvalue < 0.05
        at_zero += lr.statistic == 0.0
        assert (lr.pvalue == 1.0) == (lr.statistic == 0.0)
    assert rejected <= 10
    assert at_zero >= 50


def test_lr_pvalue_is_the_chi_bar_square():
    """``p = ½ P(χ²₁ > LR)`` to 1e-12 from the stored log-likelihoods."""
    fit = fit_frequency(frame(OVERDISPERSED_COUNTS, FIXED_EXPOSURE))
    lr = 2 * (fit.loglik_negbin - fit.loglik_poisson)
    assert fit.overdispersion_stat == pytest.approx(lr, rel=1e-12)
    assert fit.overdispersion_pvalue == pytest.approx(0.5 * stats.chi2.sf(lr, 1), rel=1e-12)


def test_auto_chooses_negbin_on_overdispersed_data():
    fit = fit_frequency(simulate(np.random.default_rng(3), alpha=1.0, rate=0.3))
    assert fit.model == "negbin" and fit.requested == "auto"
    assert fit.dispersion > 0 and fit.aic_negbin < fit.aic_poisson
    assert fit.aic == fit.aic_negbin
    assert "Negative binomial chosen" in fit.explanation
    assert frequency._format_p(fit.overdispersion_pvalue) in fit.explanation
    assert "AIC" in fit.explanation


def test_auto_chooses_poisson_on_poisson_data():
    fit = fit_frequency(simulate(np.random.default_rng(4)))
    assert fit.overdispersion_pvalue >= 0.05
    assert fit.model == "poisson" and fit.dispersion == 0.0 and fit.size == math.inf
    assert fit.aic == fit.aic_poisson
    assert "Poisson chosen" in fit.explanation
    assert frequency._format_p(fit.overdispersion_pvalue) in fit.explanation


def test_explanation_when_aic_and_test_disagree():
    """2 < LR < 2.71: NB has the lower AIC, yet p > 5%, so Poisson is kept and the text says so
    (seed 18 of the Poisson simulation gives LR ≈ 2.09, p ≈ 0.074)."""
    fit = fit_frequency(simulate(np.random.default_rng(18)))
    assert 2 < fit.overdispersion_stat < stats.chi2.ppf(0.9, 1)
    assert fit.model == "poisson" and fit.aic_negbin < fit.aic_poisson
    assert "not significant" in fit.explanation


def test_requested_model_is_used_and_explained():
    data = frame(OVERDISPERSED_COUNTS, FIXED_EXPOSURE)
    pois = fit_frequency(data, model="poisson")
    assert pois.model == "poisson" and pois.requested == "poisson"
    assert "as requested" in pois.explanation
    assert "automatic choice would be the negative binomial" in pois.explanation
    # Underdispersed counts: a requested NB collapses onto the Poisson fit (α = 0).
    flat = frame(np.round(FIXED_EXPOSURE * 0.06).astype(int), FIXED_EXPOSURE)
    nb = fit_frequency(flat, model="negbin")
    ref = fit_frequency(flat, model="poisson")
    assert nb.model == "negbin" and nb.dispersion == 0.0
    np.testing.assert_allclose(nb.coef, ref.coef, rtol=1e-12)
    assert nb.aic == pytest.approx(ref.aic + 2)
    assert "α = 0" in nb.explanation and nb.to_dict(2026)["size"] is None


# --------------------------------------------------------------------------------------------
# Predictions, intervals, records
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("counts", [FIXED_COUNTS, OVERDISPERSED_COUNTS])
def test_rate_ci_contains_rate_and_widens_with_level(counts):
    fit = fit_frequency(frame(counts, FIXED_EXPOSURE))
    for year in (2015, 2025, 2027):
        rate = fit.rate(year)
        widths = []
        for level in (0.5, 0.8, 0.9, 0.99):
            low, high = fit.rate_ci(year, level)
            assert low < rate < high
            # log-symmetric: the rate is the geometric mean of the bounds (rel 1e-12)
            assert math.sqrt(low * high) == pytest.approx(rate, rel=1e-12)
            widths.append((low, high))
        for (lo1, hi1), (lo2, hi2) in itertools.pairwise(widths):
            assert lo2 < lo1 and hi1 < hi2
    with pytest.raises(ValueError, match="level"):
        fit.rate_ci(2025, 1.0)


def test_rate_extrapolates_the_trend_and_accepts_arrays():
    fit = fit_frequency(frame(FIXED_COUNTS, FIXED_EXPOSURE), model="poisson")
    b0, b1 = fit.coef
    assert fit.centre_year == 2025
    assert fit.rate(2025) == pytest.approx(math.exp(b0), rel=1e-14)
    assert fit.rate(2028) == pytest.approx(math.exp(b0 + 3 * b1), rel=1e-14)
    rates = fit.rate(np.array([2025, 2028]))
    np.testing.assert_allclose(rates, [fit.rate(2025), fit.rate(2028)], rtol=1e-14)
    assert fit.expected_count(2026, 180.0) == pytest.approx(180.0 * fit.rate(2026), rel=1e-14)
    np.testing.assert_allclose(fit.fitted, FIXED_EXPOSURE * fit.rate(YEARS), rtol=1e-10)
    with pytest.raises(ValueError, match="exposure"):
        fit.expected_count(2026, -1.0)


def test_summary_comparison_and_cli_record():
    fit = fit_frequency(frame(OVERDISPERSED_COUNTS, FIXED_EXPOSURE))
    table = fit.summary()
    assert list(table["parameter"]) == ["intercept", "trend", "alpha"]
    assert table["estimate"].iloc[2] == fit.dispersion
    assert table["exp_estimate"].iloc[0] == pytest.approx(fit.rate(2025), rel=1e-12)
    comp = fit.comparison()
    assert list(comp["model"]) == ["poisson", "negbin"]
    assert comp.loc[comp["chosen"], "aic"].item() == pytest.approx(fit.aic)
    record = fit.to_dict(2026)
    assert {"model", "rate", "ci", "dispersion", "aic"} <= set(record)
    assert record["rate"] == pytest.approx(fit.rate(2026))
    assert record["size"] == pytest.approx(1 / fit.dispersion)
    json.dumps(record, allow_nan=False)  # valid JSON, no NaN/Infinity
    pois = fit_frequency(frame(FIXED_COUNTS, FIXED_EXPOSURE), model="poisson")
    assert list(pois.summary()["parameter"]) == ["intercept", "trend"]
    assert pois.to_dict(2026)["dispersion"] == 0.0 and pois.to_dict(2026)["size"] is None
    table = pois.data_table()
    assert list(table.columns) == ["year", "n_incidents", "exposure", "fitted", "pearson_residual"]
    # Pearson χ²/df from the residuals (rel 1e-12)
    chi2 = float((table["pearson_residual"] ** 2).sum())
    assert pois.pearson_dispersion == pytest.approx(chi2 / (15 - 2), rel=1e-12)


def test_fit_is_plain_data_hashable_and_picklable():
    fit = fit_frequency(frame(OVERDISPERSED_COUNTS, FIXED_EXPOSURE))
    again = pickle.loads(pickle.dumps(fit))
    assert again == fit and hash(again) == hash(fit)
    allowed = (str, int, float, bool, type(None), tuple, frequency.OverdispersionTest)

    def plain(value):
        if isinstance(value, tuple):
            return all(plain(v) for v in value)
        return isinstance(value, allowed)

    for name in FrequencyFit.__dataclass_fields__:
        assert plain(getattr(fit, name)), name


def test_doc_examples_run():
    result = doctest.testmod(frequency, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 3 and result.failed == 0


# --------------------------------------------------------------------------------------------
# Exchange level
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def nb_fit() -> FrequencyFit:
    return fit_frequency(frame(OVERDISPERSED_COUNTS, FIXED_EXPOSURE))


def test_exchange_rate_is_the_power_law(nb_fit):
    """Exact ratios (rel 1e-12): assets ×4 → ×4^γ, hot share ×½ → ×½^δ, the CI scaled the
    same, and the reference exchange gets the average-exchange rate."""
    a = SizeAssumptions(size_elasticity=0.7, hot_share_elasticity=0.3)
    ref = exchange_rate(nb_fit, 2026, a.reference_assets_usd, a.reference_hot_share, a)
    assert ref.rate == pytest.approx(nb_fit.rate(2026), rel=1e-12)
    assert ref.ci == pytest.approx(nb_fit.rate_ci(2026), rel=1e-12)
    big = exchange_rate(nb_fit, 2026, 4 * a.reference_assets_usd, a.reference_hot_share, a)
    assert big.rate / ref.rate == pytest.approx(4**0.7, rel=1e-12)
    assert big.ci[0] / ref.ci[0] == pytest.approx(4**0.7, rel=1e-12)
    assert big.ci[1] / ref.ci[1] == pytest.approx(4**0.7, rel=1e-12)
    cold = exchange_rate(nb_fit, 2026, 4 * a.reference_assets_usd, a.reference_hot_share / 2, a)
    assert cold.rate / big.rate == pytest.approx(0.5**0.3, rel=1e-12)
    assert cold.factor == pytest.approx(4**0.7 * 0.5**0.3, rel=1e-12)
    flat = SizeAssumptions(size_elasticity=0.0, hot_share_elasticity=0.0)
    assert exchange_rate(nb_fit, 2026, 3e11, 0.9, flat).rate == pytest.approx(
        nb_fit.rate(2026), rel=1e-12
    )
    # Defaults: γ = δ = 0.5, reference USD 1e9 and 5% hot.
    default = exchange_rate(nb_fit, 2026, 9e9, 0.2)
    assert default.rate / nb_fit.rate(2026) == pytest.approx(3.0 * 2.0, rel=1e-12)
    json.dumps(default.to_dict(), allow_nan=False)


def test_exchange_count_distribution_moments(nb_fit):
    """NB: mean ``λ``, variance ``λ(1 + αλ)``, size ``1/α`` (rel 1e-10); Poisson: var = mean."""
    ex = exchange_rate(nb_fit, 2026, 5e9, 0.03)
    dist = ex.distribution()
    assert dist.mean() == pytest.approx(ex.rate, rel=1e-10)
    assert dist.var() == pytest.approx(ex.rate * (1 + nb_fit.dispersion * ex.rate), rel=1e-10)
    assert ex.size == pytest.approx(1 / nb_fit.dispersion) and isinstance(ex, ExchangeFrequency)
    pois = fit_frequency(frame(FIXED_COUNTS, FIXED_EXPOSURE), model="poisson")
    pex = exchange_rate(pois, 2026, 5e9, 0.03)
    assert pex.distribution().var() == pytest.approx(pex.rate, rel=1e-12)
    assert pex.to_dict()["size"] is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reference_assets_usd", 0.0),
        ("reference_assets_usd", -1e9),
        ("reference_assets_usd", math.inf),
        ("size_elasticity", 3.0),
        ("size_elasticity", math.nan),
        ("reference_hot_share", 0.0),
        ("reference_hot_share", 1.5),
        ("hot_share_elasticity", -2.0),
    ],
)
def test_size_assumptions_reject_bad_fields(field, value):
    with pytest.raises(ValueError, match=field):
        SizeAssumptions(**{field: value})


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"assets_usd": 0.0}, "assets_usd"),
        ({"assets_usd": math.nan}, "assets_usd"),
        ({"hot_share": 0.0}, "hot_share"),
        ({"hot_share": 1.2}, "hot_share"),
        ({"level": 1.5}, "level"),
        ({"assumptions": {"size_elasticity": 1}}, "assumptions"),
    ],
)
def test_exchange_rate_rejects_bad_inputs(nb_fit, kwargs, field):
    args = {"assets_usd": 1e9, "hot_share": 0.05} | kwargs
    with pytest.raises(ValueError, match=field):
        exchange_rate(nb_fit, 2026, **args)


# --------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------
def good_frame() -> pd.DataFrame:
    return frame(FIXED_COUNTS, FIXED_EXPOSURE)


def with_value(column, row, value):
    data = good_frame()
    data[column] = data[column].astype(object)
    data.loc[row, column] = value
    return data


@pytest.mark.parametrize(
    ("data", "needles"),
    [
        (good_frame().drop(columns="exposure"), ["missing column", "'exposure'"]),
        (good_frame().drop(columns=["year", "n_incidents"]), ["'year'", "'n_incidents'"]),
        (with_value("n_incidents", 2, -1), ["column 'n_incidents'", "row 2", "year 2013"]),
        (with_value("n_incidents", 4, 1.5), ["column 'n_incidents'", "row 4", "whole count"]),
        (with_value("n_incidents", 5, None), ["column 'n_incidents'", "row 5", "missing"]),
        (with_value("exposure", 3, 0.0), ["column 'exposure'", "row 3", "> 0"]),
        (with_value("exposure", 6, "many"), ["column 'exposure'", "row 6", "'many'"]),
        (with_value("exposure", 7, math.inf), ["column 'exposure'", "row 7"]),
        (with_value("year", 1, 2011.5), ["column 'year'", "row 1", "whole year"]),
        (with_value("year", 5, 2012), ["column 'year'", "year 2012", "rows 1, 5"]),
        (good_frame().head(3), ["column 'year'", "3 year(s)", "at least 4"]),
        (frame([0, 0, 0, 0, 0]), ["column 'n_incidents'", "0 incidents"]),
        (frame([0, 0, 0, 0, 6]), ["column 'n_incidents'", "2015", "last year", "trend=False"]),
        (frame([5, 0, 0, 0, 0]), ["column 'n_incidents'", "2011", "first year"]),
    ],
)
def test_bad_frames_name_the_column_and_row(data, needles):
    with pytest.raises(ValueError) as info:
        fit_frequency(data)
    for needle in needles:
        assert needle in str(info.value)


def test_validation_reports_every_problem_and_other_arguments():
    data = with_value("n_incidents", 2, -1)
    data.loc[3, "exposure"] = 0.0
    with pytest.raises(ValueError) as info:
        fit_frequency(data)
    assert "row 2" in str(info.value) and "row 3" in str(info.value)
    with pytest.raises(ValueError, match="yearly"):
        fit_frequency(FIXED_COUNTS)
    with pytest.raises(ValueError, match="model"):
        fit_frequency(good_frame(), model="zip")
    with pytest.raises(ValueError, match="significance"):
        fit_frequency(good_frame(), significance=0.7)
    # Without a trend three years are enough.
    assert fit_frequency(frame([0, 0, 4]), trend=False).rate(2013) == pytest.approx(4 / 150)


def test_row_order_and_extra_columns_do_not_matter():
    data = good_frame().assign(note="x")
    shuffled = data.sample(frac=1.0, random_state=1)
    a, b = fit_frequency(data), fit_frequency(shuffled)
    assert a.years == tuple(YEARS) and b.years == tuple(YEARS)
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-10)


# --------------------------------------------------------------------------------------------
# Invariance properties
# --------------------------------------------------------------------------------------------
def _trend_estimable(counts) -> bool:
    hit = np.flatnonzero(np.asarray(counts) > 0)
    return len(hit) > 0 and not (hit.min() == hit.max() and hit[0] in (0, len(counts) - 1))


@settings(max_examples=40, deadline=None)
@given(
    counts=st.lists(st.integers(0, 40), min_size=5, max_size=12),
    base=st.floats(1.0, 500.0),
    growth=st.floats(-0.2, 0.3),
    c=st.floats(1e-3, 1e3),
    trend=st.booleans(),
)
def test_scaling_exposure_scales_the_rate_by_its_inverse(counts, base, growth, c, trend):
    """Exposure × c with counts fixed: rate × 1/c (rel 1e-6), same trend (abs 1e-7), same
    log-likelihood and test statistic (abs 1e-6), same model; for the model-``auto`` NB
    branch the rate to rel 1e-5 (its ``α`` comes from an iterative optimiser)."""
    assume(_trend_estimable(counts) if trend else sum(counts) > 0)
    exposure = base * np.exp(growth * np.arange(len(counts)))
    last = 2010 + len(counts)
    for model in ("poisson", "auto"):
        fit = fit_frequency(frame(counts, exposure), model=model, trend=trend)
        scaled = fit_frequency(frame(counts, c * exposure), model=model, trend=trend)
        assert scaled.loglik == pytest.approx(fit.loglik, abs=1e-6)
        assert scaled.overdispersion_stat == pytest.approx(fit.overdispersion_stat, abs=1e-5)
        assume(abs(fit.overdispersion_pvalue - fit.significance) > 1e-4)
        assert scaled.model == fit.model
        rtol = 1e-6 if fit.model == "poisson" else 1e-5
        assert scaled.rate(last) * c == pytest.approx(fit.rate(last), rel=rtol)
        if trend:
            assert scaled.coef[1] == pytest.approx(fit.coef[1], abs=rtol / 10)


@settings(max_examples=15, deadline=None)
@given(shift=st.integers(-30, 30))
def test_shifting_the_years_shifts_the_rate_curve(shift):
    """Relabelling the years by ``shift``: ``rate'(t + shift) = rate(t)`` (rel 1e-10)."""
    fit = fit_frequency(frame(FIXED_COUNTS, FIXED_EXPOSURE, YEARS))
    moved = fit_frequency(frame(FIXED_COUNTS, FIXED_EXPOSURE, YEARS + shift))
    for year in (2011, 2025, 2030):
        assert moved.rate(year + shift) == pytest.approx(fit.rate(year), rel=1e-10)
