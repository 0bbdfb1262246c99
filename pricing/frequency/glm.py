"""The frequency GLMs: :func:`fit_frequency` fits the Poisson and NB2 models of the yearly
counts with an exposure offset (statsmodels ``GLM``; NB ``α`` by maximum likelihood with a
profile-likelihood fallback) and reports the chosen one; :func:`overdispersion_tests`.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

from ..exceptions import ConvergenceError
from .choice import _cameron_trivedi, _explain, _lr_test
from .inputs import _validate
from .result import FrequencyFit, OverdispersionTest

#: Accepted values of ``model`` in :func:`fit_frequency`.
MODELS = ("auto", "poisson", "negbin")
#: Below this NB ``α`` the negative binomial is numerically the Poisson model.
_ALPHA_ZERO = 1e-6
#: Search range of ``α`` for the profile-likelihood fallback.
_ALPHA_BOUNDS = (1e-6, 1e3)


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


def _fit_glm(y: np.ndarray, X: np.ndarray, offset: np.ndarray, family: Any, label: str) -> Any:
    try:
        res = GLM(y, X, family=family, offset=offset).fit()
    except (ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
        raise ConvergenceError(f"{label} frequency GLM failed: {exc}") from exc
    if not res.converged or not np.all(np.isfinite(res.params)):
        raise ConvergenceError(f"{label} frequency GLM did not converge")
    return res


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
