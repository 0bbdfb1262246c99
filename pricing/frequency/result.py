"""Results of the frequency fit: :class:`OverdispersionTest` (one test of ``α = 0``) and
:class:`FrequencyFit` (the chosen model's coefficients, rates with confidence intervals,
tables and the JSON record), numbers only so they hash and pickle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import special

from .inputs import _check_level

if TYPE_CHECKING:
    import pandas as pd


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
        z = float(special.ndtri(0.5 + level / 2))  # scipy.stats.norm.ppf
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
        import pandas as pd

        _check_level(level)
        z = float(special.ndtri(0.5 + level / 2))  # scipy.stats.norm.ppf
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
                    "p_value": 2 * special.ndtr(-abs(value / se))
                    if se > 0
                    else math.nan,  # norm.sf
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
        import pandas as pd

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
        import pandas as pd

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


def _same_shape(year: Any, value: np.ndarray) -> Any:
    return float(value) if np.ndim(year) == 0 else value
