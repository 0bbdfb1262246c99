"""Claim frequency: how many thefts to expect per exchange-year, and for one exchange.

The yearly count of reported thefts above the reporting threshold, ``N_t``, is modelled with an
exposure offset ``E_t`` (the number of active centralised exchanges tracked in year ``t``), so
the fitted quantity is a rate **per exchange-year** (domain brief §4.2):

    log E[N_t] = log E_t + b0 + b1 (t − t_c),

with ``t_c`` the last data year, so ``exp(b0)`` is the rate per exchange-year in that year and
``exp(b1)`` the yearly rate multiplier (the trend can be switched off). Two count models:

- **Poisson**: ``Var N = μ``; fitted with statsmodels ``GLM(family=Poisson())``.
- **Negative binomial (NB2)**: ``Var N = μ + α μ²``; ``α`` by maximum likelihood with
  ``statsmodels.discrete.discrete_model.NegativeBinomial``, the coefficients and their
  covariance with ``GLM(family=NegativeBinomial(α̂))``. In the Loss Models parameterisation
  (Klugman, Panjer & Willmot, *Loss Models*, ch. 6) the NB has size ``r = 1/α`` and
  ``β = μ/r``: mean ``rβ``, variance ``rβ(1 + β)``.

Overdispersion (``α > 0``) is tested two ways on the Poisson fit:

- the likelihood-ratio test of NB against Poisson. ``α = 0`` lies on the boundary, so the null
  distribution is the chi-bar-square ``½χ²₀ + ½χ²₁`` and ``p = ½ P(χ²₁ > LR)`` (Self & Liang
  1987, JASA 82, 605–610; Cameron & Trivedi, *Regression Analysis of Count Data*, 2nd ed.,
  §3.4). This test drives the automatic model choice;
- the Cameron & Trivedi (1990) auxiliary regression (J. Econometrics 46, 347–364):
  regress ``((y − μ̂)² − y)/μ̂`` on ``μ̂`` without intercept; the one-sided ``t`` statistic
  is asymptotically standard normal under the Poisson null. Reported as a cross-check.

``model="auto"`` keeps the Poisson model unless the LR test rejects equidispersion at 5%; AIC is
reported next to it, and the reason is written out in :attr:`FrequencyFit.explanation`.

Exchange level: the fit gives the rate of the *average* tracked exchange; its scaling to one
exchange (:func:`pricing.scaling.exchange_rate`) lives in :mod:`pricing.scaling`.

Examples
--------
>>> import pandas as pd
>>> yearly = pd.DataFrame({"year": [2020, 2021, 2022, 2023],
...                        "n_incidents": [3, 5, 4, 6],
...                        "exposure": [100.0, 110.0, 120.0, 130.0]})
>>> fit = fit_frequency(yearly, model="poisson", trend=False)
>>> round(fit.rate(2024), 6) == round(18 / 460, 6)
True
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.regression.linear_model import OLS

from .exceptions import ConvergenceError, InputError

__all__ = [
    "MODELS",
    "FrequencyFit",
    "OverdispersionTest",
    "fit_frequency",
    "overdispersion_tests",
]

#: Accepted values of ``model`` in :func:`fit_frequency`.
MODELS = ("auto", "poisson", "negbin")
#: Columns the yearly frame must have.
COLUMNS = ("year", "n_incidents", "exposure")
#: Below this NB ``α`` the negative binomial is numerically the Poisson model.
_ALPHA_ZERO = 1e-6
#: Search range of ``α`` for the profile-likelihood fallback.
_ALPHA_BOUNDS = (1e-6, 1e3)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OverdispersionTest:
    """One test of the Poisson null ``α = 0`` against NB2 overdispersion ``α > 0``.

    Attributes
    ----------
    name : ``"likelihood_ratio"`` (NB vs Poisson, chi-bar-square p-value) or
        ``"cameron_trivedi"`` (auxiliary regression, one-sided normal p-value).
    statistic : ``LR = 2 (ℓ_NB − ℓ_Poisson) ≥ 0``, or the auxiliary-regression ``t``.
    pvalue : one-sided p-value, in [0, 1].
    description : one line saying how the statistic and p-value are computed.
    """

    name: str
    statistic: float
    pvalue: float
    description: str


@dataclass(frozen=True, slots=True)
class FrequencyFit:
    """A fitted yearly frequency model (rates per exchange-year).

    Holds numbers only (no statsmodels objects), so it hashes and pickles and can be a
    ``st.cache_data`` key or a CLI/JSON record.

    Attributes
    ----------
    model : ``"poisson"`` or ``"negbin"``, the model whose estimates are reported.
    requested : the ``model`` argument of :func:`fit_frequency` (``auto``/``poisson``/``negbin``).
    trend : whether the linear predictor has a year trend.
    centre_year : year the trend is centred on (the last data year); ``exp(intercept)`` is the
        rate per exchange-year in that year.
    params : ``(name, value)`` pairs of the regression coefficients on the log scale:
        ``intercept`` (log incidents per exchange-year in ``centre_year``) and, with a trend,
        ``trend`` (change of the log rate per calendar year).
    se : standard errors of ``params``, same order.
    cov : covariance matrix of ``params`` (rows as tuples): the inverse expected information
        ``(Xᵀ diag(μ/(1 + αμ)) X)⁻¹`` at the estimates (model-based, not Pearson-scaled). For
        the NB model it is taken at the ML ``α``; ``α`` and the coefficients are
        asymptotically uncorrelated in NB2 (Lawless 1987, Can. J. Statist. 15, 209–225), so it
        is also their marginal covariance.
    loglik : maximised log-likelihood (full, with the ``log y!`` terms).
    aic, bic : ``−2ℓ + 2k`` and ``−2ℓ + k log n_years``; ``k`` counts ``α`` for NB.
    dispersion : NB ``α`` in ``Var N = μ + α μ²`` (dimensionless); 0 for Poisson.
    dispersion_se : standard error of ``α``; ``None`` for Poisson or when unavailable.
    pearson_dispersion : Pearson ``χ²/(n_years − k)`` of the reported model (≈ 1 if it fits).
    overdispersion : the test that decides ``auto`` (likelihood ratio, chi-bar-square).
    cross_check : the Cameron–Trivedi auxiliary-regression test.
    significance : level of the overdispersion test used by ``auto``.
    loglik_poisson, loglik_negbin, aic_poisson, aic_negbin : both candidates, for comparison.
    explanation : one plain-language paragraph on which model was used and why.
    years, n_incidents, exposure : the data (exposure in exchange-years).
    fitted : expected incidents in each data year under the reported model.
    """

    model: str
    requested: str
    trend: bool
    centre_year: int
    params: tuple[tuple[str, float], ...]
    se: tuple[float, ...]
    cov: tuple[tuple[float, ...], ...]
    loglik: float
    aic: float
    bic: float
    dispersion: float
    dispersion_se: float | None
    pearson_dispersion: float
    overdispersion: OverdispersionTest
    cross_check: OverdispersionTest
    significance: float
    loglik_poisson: float
    loglik_negbin: float
    aic_poisson: float
    aic_negbin: float
    explanation: str
    years: tuple[int, ...]
    n_incidents: tuple[int, ...]
    exposure: tuple[float, ...]
    fitted: tuple[float, ...]

    # -- convenience views -------------------------------------------------------------------
    @property
    def n_years(self) -> int:
        """Number of data years."""
        return len(self.years)

    @property
    def param_names(self) -> tuple[str, ...]:
        """Names of the regression coefficients."""
        return tuple(name for name, _ in self.params)

    @property
    def coef(self) -> np.ndarray:
        """Regression coefficients as an array (log scale)."""
        return np.array([value for _, value in self.params])

    @property
    def cov_matrix(self) -> np.ndarray:
        """Covariance of the coefficients as an array."""
        return np.array(self.cov, dtype=float)

    @property
    def overdispersion_stat(self) -> float:
        """Likelihood-ratio statistic ``2 (ℓ_NB − ℓ_Poisson)``."""
        return self.overdispersion.statistic

    @property
    def overdispersion_pvalue(self) -> float:
        """Chi-bar-square p-value of the LR test of ``α = 0``."""
        return self.overdispersion.pvalue

    @property
    def size(self) -> float:
        """NB size ``r = 1/α`` (Loss Models ch. 6); ``inf`` for Poisson."""
        return math.inf if self.dispersion <= 0 else 1.0 / self.dispersion

    # -- predictions -------------------------------------------------------------------------
    def _design(self, year: Any) -> np.ndarray:
        t = np.asarray(year, dtype=float) - self.centre_year
        if not np.all(np.isfinite(t)):
            raise ValueError(f"year: {year!r} is not a finite year")
        columns = [np.ones_like(t)]
        if self.trend:
            columns.append(t)
        return np.stack(columns, axis=-1)

    def log_rate(self, year: Any) -> Any:
        """Linear predictor ``η = log`` (incidents per exchange-year) in ``year``."""
        eta = self._design(year) @ self.coef
        return float(eta) if np.ndim(year) == 0 else eta

    def rate(self, year: Any) -> Any:
        """Expected incidents per exchange-year in ``year`` (the average tracked exchange).

        Years after the data extrapolate the fitted trend.
        """
        return _same_shape(year, np.exp(np.asarray(self.log_rate(year))))

    def rate_ci(self, year: int, level: float = 0.90) -> tuple[float, float]:
        """Confidence interval for :meth:`rate` (incidents per exchange-year).

        Delta method on the log scale: ``exp(η ± z se(η))`` with ``se(η)² = xᵀ Σ x`` from the
        coefficient covariance ``Σ`` and ``z`` the standard-normal ``(1 + level)/2`` quantile.
        It reflects estimation error only (not the NB year-to-year variation, not model choice).
        """
        _check_level(level)
        x = self._design(year)
        if x.ndim != 1:
            raise ValueError("year: rate_ci takes one year at a time")
        eta = float(x @ self.coef)
        se_eta = math.sqrt(max(float(x @ self.cov_matrix @ x), 0.0))
        z = float(stats.norm.ppf(0.5 + level / 2))
        return math.exp(eta - z * se_eta), math.exp(eta + z * se_eta)

    def expected_count(self, year: Any, exposure: Any) -> Any:
        """Expected incidents in ``year`` for ``exposure`` exchange-years (``exposure ≥ 0``)."""
        e = np.asarray(exposure, dtype=float)
        if np.any(~np.isfinite(e)) or np.any(e < 0):
            raise ValueError(f"exposure: {exposure!r} must be finite and >= 0 exchange-years")
        value = np.asarray(self.rate(year)) * e
        return float(value) if value.ndim == 0 else value

    # -- tables and records ------------------------------------------------------------------
    def summary(self, level: float = 0.90) -> pd.DataFrame:
        """Coefficient table: estimate, standard error, z, two-sided p, confidence interval.

        ``exp(estimate)`` translates each row: the rate per exchange-year in ``centre_year`` for
        the intercept, the yearly rate multiplier for the trend. The NB row ``alpha`` is on its
        own scale (``Var = μ + α μ²``), with a Wald interval truncated at 0.
        """
        _check_level(level)
        z = float(stats.norm.ppf(0.5 + level / 2))
        pct = f"{100 * level:g}%"
        rows = []
        meanings = {
            "intercept": f"log incidents per exchange-year in {self.centre_year}",
            "trend": "change in log rate per year",
        }
        for (name, value), se in zip(self.params, self.se, strict=True):
            rows.append(
                {
                    "parameter": name,
                    "estimate": value,
                    "std_error": se,
                    "z": value / se if se > 0 else math.nan,
                    "p_value": 2 * stats.norm.sf(abs(value / se)) if se > 0 else math.nan,
                    f"ci_low_{pct}": value - z * se,
                    f"ci_high_{pct}": value + z * se,
                    "exp_estimate": math.exp(value),
                    "meaning": meanings[name]
                    + (" (exp: rate)" if name == "intercept" else " (exp: yearly multiplier)"),
                }
            )
        if self.model == "negbin":
            se_a = math.nan if self.dispersion_se is None else self.dispersion_se
            rows.append(
                {
                    "parameter": "alpha",
                    "estimate": self.dispersion,
                    "std_error": se_a,
                    "z": math.nan,
                    "p_value": self.overdispersion.pvalue,
                    f"ci_low_{pct}": max(self.dispersion - z * se_a, 0.0),
                    f"ci_high_{pct}": self.dispersion + z * se_a,
                    "exp_estimate": math.nan,
                    "meaning": "NB dispersion: Var = mu + alpha mu^2 (p: LR test of alpha = 0)",
                }
            )
        return pd.DataFrame(rows)

    def comparison(self) -> pd.DataFrame:
        """Both candidate models side by side (log-likelihood, parameters, AIC, BIC)."""
        k = len(self.params)
        n = self.n_years
        rows = []
        for name, ll, kk in (
            ("poisson", self.loglik_poisson, k),
            ("negbin", self.loglik_negbin, k + 1),
        ):
            rows.append(
                {
                    "model": name,
                    "loglik": ll,
                    "n_params": kk,
                    "aic": -2 * ll + 2 * kk,
                    "bic": -2 * ll + kk * math.log(n),
                    "chosen": name == self.model,
                }
            )
        return pd.DataFrame(rows)

    def data_table(self) -> pd.DataFrame:
        """The data with the fitted counts and Pearson residuals, one row per year."""
        y = np.array(self.n_incidents, dtype=float)
        mu = np.array(self.fitted)
        var = mu + self.dispersion * mu**2
        return pd.DataFrame(
            {
                "year": self.years,
                "n_incidents": self.n_incidents,
                "exposure": self.exposure,
                "fitted": mu,
                "pearson_residual": (y - mu) / np.sqrt(var),
            }
        )

    def to_dict(self, year: int, level: float = 0.90) -> dict[str, Any]:
        """JSON-ready record for the CLI: rate per exchange-year in ``year`` with its CI.

        Keys ``model``, ``year``, ``rate``, ``ci`` (``[low, high]`` at ``level``), ``dispersion``
        (NB ``α``, 0 for Poisson), ``size`` (``1/α``; ``None`` when ``α = 0``, as for
        Poisson), ``aic`` and ``overdispersion_pvalue``.
        """
        low, high = self.rate_ci(year, level)
        return {
            "model": self.model,
            "year": int(year),
            "rate": float(self.rate(year)),
            "ci": [low, high],
            "ci_level": level,
            "dispersion": float(self.dispersion),
            "size": None if self.dispersion <= 0 else float(self.size),
            "aic": float(self.aic),
            "overdispersion_pvalue": float(self.overdispersion.pvalue),
        }


# --------------------------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------------------------
def fit_frequency(
    yearly: pd.DataFrame,
    model: str = "auto",
    trend: bool = True,
    significance: float = 0.05,
) -> FrequencyFit:
    """Fit the yearly Poisson and NB frequency GLMs and report the chosen one.

    Parameters
    ----------
    yearly : DataFrame
        One row per calendar year with ``year`` (int), ``n_incidents`` (reported thefts above
        the threshold, int ≥ 0) and ``exposure`` (exchanges tracked, > 0; the rate is per
        exchange-year). Zero-count years must be present as rows. Other columns are ignored.
    model : {"auto", "poisson", "negbin"}
        ``auto`` uses NB only when the LR test rejects ``α = 0`` at ``significance``.
    trend : bool
        Include a log-linear year trend (centred on the last data year).
    significance : float
        Level of the overdispersion test used by ``auto`` (default 5%).

    Returns
    -------
    FrequencyFit

    Raises
    ------
    ValueError
        Bad input, naming the column and the row (by its index label) of every problem found;
        :class:`~pricing.exceptions.ConvergenceError` (a ``ValueError``) when a fit fails.

    References
    ----------
    Cameron & Trivedi, *Regression Analysis of Count Data* (2nd ed., 2013), ch. 3;
    Cameron & Trivedi (1990), J. Econometrics 46, 347–364; Self & Liang (1987), JASA 82,
    605–610; Klugman, Panjer & Willmot, *Loss Models*, ch. 6.
    """
    if model not in MODELS:
        raise ValueError(f"model: '{model}' is not one of {', '.join(MODELS)}")
    if not 0 < significance < 0.5:
        raise ValueError(f"significance: {significance!r} must be in (0, 0.5)")
    years, y, expo = _validate(yearly, trend=bool(trend))
    centre = int(years[-1])
    names = ("intercept", "trend") if trend else ("intercept",)
    t = (years - centre).astype(float)
    X = np.column_stack([np.ones_like(t), t]) if trend else np.ones((len(y), 1))
    offset = np.log(expo)
    n = len(y)
    k = X.shape[1]

    pois = _fit_glm(y, X, offset, families.Poisson(), "Poisson")
    mu_p = pois.mu
    cross, alpha_moment = _cameron_trivedi(y, mu_p)
    alpha, alpha_se = _ml_alpha(y, X, offset, np.asarray(pois.params), max(alpha_moment, 0.1))
    if alpha < _ALPHA_ZERO:
        nb = pois
    else:
        nb = _fit_glm(y, X, offset, families.NegativeBinomial(alpha=alpha), "negative binomial")
    ll_p = float(pois.llf)
    ll_nb = float(nb.llf) if alpha >= _ALPHA_ZERO else ll_p
    lr = _lr_test(ll_nb, ll_p)
    aic_p = -2 * ll_p + 2 * k
    aic_nb = -2 * ll_nb + 2 * (k + 1)

    if model == "auto":
        chosen = "negbin" if lr.pvalue < significance else "poisson"
    else:
        chosen = model
    res = nb if chosen == "negbin" else pois
    disp = alpha if chosen == "negbin" else 0.0
    k_used = k + (chosen == "negbin")
    ll = ll_nb if chosen == "negbin" else ll_p
    mu = np.asarray(res.mu, dtype=float)
    pearson = float(np.sum((y - mu) ** 2 / (mu + disp * mu**2)))
    df = n - k_used
    # Expected information of the log-link GLM at the final estimates, Xᵀ diag(μ/(1 + αμ)) X
    # (statsmodels' IRLS covariance uses the weights of the previous iterate).
    try:
        cov = np.linalg.inv(X.T @ ((mu / (1.0 + disp * mu))[:, None] * X))
    except np.linalg.LinAlgError as exc:
        raise ConvergenceError(f"{chosen} frequency GLM: singular information matrix") from exc
    params = np.asarray(res.params, dtype=float)
    if not (np.all(np.isfinite(params)) and np.all(np.isfinite(cov))):
        raise ConvergenceError(f"{chosen} frequency GLM: non-finite estimates")

    explanation = _explain(model, chosen, lr, cross, aic_p, aic_nb, alpha, significance)
    return FrequencyFit(
        model=chosen,
        requested=model,
        trend=bool(trend),
        centre_year=centre,
        params=tuple((nm, float(v)) for nm, v in zip(names, params, strict=True)),
        se=tuple(float(math.sqrt(max(c, 0.0))) for c in np.diag(cov)),
        cov=tuple(tuple(float(c) for c in row) for row in cov),
        loglik=ll,
        aic=-2 * ll + 2 * k_used,
        bic=-2 * ll + k_used * math.log(n),
        dispersion=float(disp),
        dispersion_se=(alpha_se if chosen == "negbin" else None),
        pearson_dispersion=pearson / df if df > 0 else math.nan,
        overdispersion=lr,
        cross_check=cross,
        significance=float(significance),
        loglik_poisson=ll_p,
        loglik_negbin=ll_nb,
        aic_poisson=aic_p,
        aic_negbin=aic_nb,
        explanation=explanation,
        years=tuple(int(v) for v in years),
        n_incidents=tuple(int(v) for v in y),
        exposure=tuple(float(v) for v in expo),
        fitted=tuple(float(v) for v in mu),
    )


def overdispersion_tests(
    yearly: pd.DataFrame, trend: bool = True
) -> tuple[OverdispersionTest, OverdispersionTest]:
    """Both overdispersion tests (LR chi-bar-square, Cameron–Trivedi) for a yearly frame."""
    fit = fit_frequency(yearly, model="poisson", trend=trend)
    return fit.overdispersion, fit.cross_check


# --------------------------------------------------------------------------------------------
# Internals
# --------------------------------------------------------------------------------------------
def _finite(x: Any) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _same_shape(year: Any, value: np.ndarray) -> Any:
    return float(value) if np.ndim(year) == 0 else value


def _check_level(level: float) -> None:
    if not (_finite(level) and 0 < level < 1):
        raise ValueError(f"level: {level!r} must be a confidence level in (0, 1)")


def _validate(yearly: Any, trend: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check the yearly frame; return years, counts and exposure sorted by year."""
    if not isinstance(yearly, pd.DataFrame):
        raise InputError(
            "yearly counts",
            [
                "yearly: expected a pandas DataFrame with columns year, n_incidents, exposure; "
                f"got {type(yearly).__name__}"
            ],
        )
    missing = [c for c in COLUMNS if c not in yearly.columns]
    if missing:
        raise InputError(
            "yearly counts",
            [
                "yearly counts: missing column(s) "
                + ", ".join(f"'{c}'" for c in missing)
                + f"; the frame needs {', '.join(COLUMNS)}"
            ],
        )
    doubled = [c for c in COLUMNS if isinstance(yearly[c], pd.DataFrame)]
    if doubled:
        raise InputError(
            "yearly counts", [f"yearly counts: column(s) {doubled} appear more than once"]
        )
    problems: list[str] = []
    raw = {c: yearly[c].to_numpy() for c in COLUMNS}
    num = {c: pd.to_numeric(yearly[c], errors="coerce").to_numpy(dtype=float) for c in COLUMNS}

    def where(i: int, column: str) -> str:
        label = yearly.index[i]
        year = num["year"][i]
        at = f" (year {int(year)})" if column != "year" and _finite(year) else ""
        return f"column '{column}', row {label}{at}"

    for i in range(len(yearly)):
        for column in COLUMNS:
            value, x = raw[column][i], num[column][i]
            if np.ndim(value) == 0 and bool(pd.isna(value)):
                problems.append(f"{where(i, column)}: missing value")
                continue
            if not math.isfinite(x):
                problems.append(f"{where(i, column)}: {value!r} is not a finite number")
                continue
            if column == "year" and x != round(x):
                problems.append(f"{where(i, column)}: {value!r} is not a whole year")
            elif column == "n_incidents" and (x < 0 or x != round(x)):
                problems.append(f"{where(i, column)}: {value!r} is not a whole count >= 0")
            elif column == "exposure" and x <= 0:
                problems.append(
                    f"{where(i, column)}: {value!r} must be > 0 (exchanges tracked that year)"
                )
    years = num["year"]
    seen: dict[float, list[Any]] = {}
    for i, year in enumerate(years):
        if math.isfinite(year):
            seen.setdefault(year, []).append(yearly.index[i])
    for year, labels in seen.items():
        if len(labels) > 1:
            rows = ", ".join(str(lab) for lab in labels)
            problems.append(f"column 'year': year {int(year)} appears in rows {rows}")
    if problems:
        raise InputError("yearly counts", ["invalid yearly counts: " + "; ".join(problems)])

    need = 4 if trend else 3
    if len(yearly) < need:
        raise InputError(
            "yearly counts",
            [
                f"column 'year': {len(yearly)} year(s) given; the frequency model needs at least "
                f"{need} {'with' if trend else 'without'} a trend (one residual degree of freedom "
                "after the negative binomial's dispersion)"
            ],
        )
    order = np.argsort(years, kind="stable")
    years = years[order].astype(int)
    y = num["n_incidents"][order].astype(int)
    expo = num["exposure"][order]
    if y.sum() == 0:
        raise InputError(
            "yearly counts",
            ["column 'n_incidents': every year has 0 incidents, so no rate can be estimated"],
        )
    if trend:
        hit = years[y > 0]
        if hit.min() == hit.max() and hit[0] in (years[0], years[-1]):
            end = "first" if hit[0] == years[0] else "last"
            raise InputError(
                "yearly counts",
                [
                    f"column 'n_incidents': all incidents fall in {hit[0]}, the {end} year, so the "
                    "trend runs off to infinity; fit with trend=False or add years"
                ],
            )
    return years, y, expo


def _fit_glm(y: np.ndarray, X: np.ndarray, offset: np.ndarray, family: Any, label: str) -> Any:
    try:
        res = GLM(y, X, family=family, offset=offset).fit()
    except (ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
        raise ConvergenceError(f"{label} frequency GLM failed: {exc}") from exc
    if not res.converged or not np.all(np.isfinite(res.params)):
        raise ConvergenceError(f"{label} frequency GLM did not converge")
    return res


def _cameron_trivedi(y: np.ndarray, mu: np.ndarray) -> tuple[OverdispersionTest, float]:
    """Cameron & Trivedi (1990) auxiliary regression for NB2 overdispersion.

    OLS without intercept of ``((y − μ)² − y)/μ`` on ``μ``; returns the test (one-sided
    ``t``, normal p-value) and the slope, a moment estimate of ``α``.
    """
    z = ((y - mu) ** 2 - y) / mu
    ols = OLS(z, mu[:, None]).fit()
    slope = float(ols.params[0])
    se = float(ols.bse[0])
    if se > 0 and math.isfinite(se):
        t = slope / se
    else:
        t = 0.0 if slope == 0 else math.copysign(math.inf, slope)
    test = OverdispersionTest(
        name="cameron_trivedi",
        statistic=float(t),
        pvalue=float(stats.norm.sf(t)),
        description=(
            "Cameron & Trivedi (1990) auxiliary regression of ((y - mu)^2 - y)/mu on mu "
            "(no intercept); one-sided t, standard-normal p-value"
        ),
    )
    return test, slope


def _lr_test(ll_nb: float, ll_p: float) -> OverdispersionTest:
    """LR test of ``α = 0`` with the boundary-corrected chi-bar-square p-value."""
    lr = 2.0 * (ll_nb - ll_p)
    if lr < 1e-8:  # NB collapsed onto Poisson (or optimiser noise below it)
        lr, p = 0.0, 1.0
    else:
        p = 0.5 * float(stats.chi2.sf(lr, 1))
    return OverdispersionTest(
        name="likelihood_ratio",
        statistic=float(lr),
        pvalue=float(p),
        description=(
            "LR = 2 (loglik NB - loglik Poisson); alpha = 0 is on the boundary, so "
            "p = 0.5 P(chi2_1 > LR) (chi-bar-square, Self & Liang 1987)"
        ),
    )


def _ml_alpha(
    y: np.ndarray, X: np.ndarray, offset: np.ndarray, beta0: np.ndarray, alpha0: float
) -> tuple[float, float | None]:
    """ML estimate of NB2 ``α`` (and its standard error when available).

    statsmodels' discrete ``NegativeBinomial`` first; if it fails, maximise the profile
    likelihood over ``log α`` with the NB GLM at fixed ``α``. Returns 0 when the maximum is
    on the Poisson boundary.
    """
    alpha: float | None = None
    se: float | None = None
    try:
        with warnings.catch_warnings():
            # Near alpha = 0 statsmodels warns that the Hessian is singular; handled below.
            warnings.simplefilter("ignore")
            res = NegativeBinomial(y, X, loglike_method="nb2", offset=offset).fit(
                start_params=np.append(beta0, alpha0), disp=0, maxiter=500
            )
        a = float(res.params[-1])
        if res.mle_retvals.get("converged", False) and math.isfinite(a) and a >= 0:
            alpha = a
            bse = np.asarray(res.bse, dtype=float)
            if bse.shape == (X.shape[1] + 1,) and math.isfinite(bse[-1]) and bse[-1] > 0:
                se = float(bse[-1])
    except (ValueError, np.linalg.LinAlgError, FloatingPointError):
        alpha = None
    if alpha is None:
        alpha, se = _profile_alpha(y, X, offset), None
    if alpha < _ALPHA_ZERO:
        return 0.0, None
    return alpha, se


def _profile_alpha(y: np.ndarray, X: np.ndarray, offset: np.ndarray) -> float:
    """``α`` maximising the NB2 profile log-likelihood (0 if the maximum is at the boundary)."""

    def negll(log_alpha: float) -> float:
        fam = families.NegativeBinomial(alpha=math.exp(log_alpha))
        try:
            return -float(GLM(y, X, family=fam, offset=offset).fit().llf)
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            return math.inf

    lo, hi = (math.log(b) for b in _ALPHA_BOUNDS)
    opt = optimize.minimize_scalar(
        negll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-6}
    )
    ll_pois = float(GLM(y, X, family=families.Poisson(), offset=offset).fit().llf)
    if not math.isfinite(opt.fun) or -opt.fun <= ll_pois + 1e-9:
        return 0.0
    return float(math.exp(opt.x))


def _format_p(p: float) -> str:
    """p-value as written in explanations: ``p < 0.001`` or ``p = 0.xyz``."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


_NAMES: Mapping[str, str] = {"poisson": "Poisson", "negbin": "negative binomial"}


def _explain(
    requested: str,
    chosen: str,
    lr: OverdispersionTest,
    ct: OverdispersionTest,
    aic_p: float,
    aic_nb: float,
    alpha: float,
    significance: float,
) -> str:
    sig = f"{100 * significance:g}%"
    significant = lr.pvalue < significance
    test = (
        f"the likelihood-ratio test of negative binomial against Poisson gives "
        f"LR = {lr.statistic:.2f}, {_format_p(lr.pvalue)} "
        f"({'below' if significant else 'not below'} the {sig} level; Cameron–Trivedi "
        f"cross-check t = {ct.statistic:.2f}, {_format_p(ct.pvalue)})"
    )
    nb_lower = aic_nb < aic_p
    aic = (
        f"AIC ({aic_nb:.1f} vs {aic_p:.1f} for Poisson)"
        if nb_lower
        else f"AIC ({aic_p:.1f} vs {aic_nb:.1f} for the negative binomial)"
    )
    disp = (
        f"The estimated dispersion is α = {alpha:.3g} (variance = mean + α·mean², "
        f"size 1/α = {1 / alpha:.3g})."
        if alpha > 0
        else "The dispersion estimate is α = 0, so the negative binomial equals the Poisson fit."
    )
    if requested == "auto":
        if chosen == "negbin":
            return (
                "Negative binomial chosen: the yearly counts vary more than a Poisson model "
                f"allows; {test}. The negative binomial also has the lower {aic}. {disp}"
            )
        if not nb_lower:
            tail = f"Poisson also has the lower {aic}."
        else:
            tail = (
                f"The negative binomial has a slightly lower {aic}, but the improvement is not "
                "significant, so the simpler Poisson model is kept."
            )
        return (
            f"Poisson chosen: the yearly counts show no significant overdispersion; {test}. {tail}"
        )
    auto = "negbin" if significant else "poisson"
    same = "the same model" if auto == requested else f"the {_NAMES[auto]} model"
    text = (
        f"{_NAMES[requested].capitalize()} model as requested. Overdispersion check: {test}; "
        f"the automatic choice would be {same}. The "
        f"{'negative binomial' if nb_lower else 'Poisson'} model has the lower {aic}."
    )
    return text + (f" {disp}" if requested == "negbin" else "")
