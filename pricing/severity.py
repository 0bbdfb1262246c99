"""Loss-size (severity) models fitted by left-truncated maximum likelihood.

Only thefts above a reporting threshold ``t`` (USD, default 1,000,000) reach the incident
lists, so each loss is a draw from the *conditional* law ``X | X > t`` and contributes

    f(x) / S(t),   x > t,

to the likelihood (Klugman, Panjer & Willmot, *Loss Models*, 4th ed., ch. 13 "Frequentist
estimation", maximum likelihood with truncated data; domain brief §4.1, §4.3). Fitting the
ground-up density ``f`` to truncated data without the ``S(t)`` term is biased: it sees no small
losses and pushes the whole distribution to the right.

Families (Loss Models Appendix A / R ``actuar`` parameterisation, classes of
:mod:`pricing.distributions`):

==============  ===========================  ===========================================
name            parameters                   R equivalent (untruncated)
==============  ===========================  ===========================================
lognormal       meanlog, sdlog               ``fitdistrplus::fitdist(x, "lnorm")``
gamma           shape, scale                 ``fitdist(x, "gamma")`` (rate = 1/scale)
weibull         shape, scale                 ``fitdist(x, "weibull")``
lomax           shape, scale                 ``fitdist(x, "pareto")`` with ``actuar``
loglogistic     shape, scale                 ``fitdist(x, "llogis")`` with ``actuar``
gpd             shape, scale, threshold      ``evd::fpot(x, threshold = t)`` (excesses)
spliced         meanlog, sdlog, shape,       lognormal body on (t, u], GPD above u
                scale, tail_weight,
                splice_at
==============  ===========================  ===========================================

In R the left-truncated fits are ``fitdist(x, "tlnorm", start = ...)`` with
``dtlnorm <- actuar::coverage(dlnorm, plnorm, deductible = t, franchise = TRUE)`` (a
franchise deductible per payment is exactly ``f(x)/S(t)`` for ``x > t``) and the matching
``ptlnorm``; likewise for the other families.

Estimation goes through statsmodels :class:`~statsmodels.base.model.GenericLikelihoodModel`
(Nelder–Mead, then BFGS, then Newton if the gradient is not yet zero) in *working*
parameters (logs of positive parameters, data divided by their geometric median so the
optimiser sees numbers near 1). The covariance is the inverse of the numerical Hessian of
the log-likelihood (observed information); estimates and standard errors are reported on
the natural Loss Models scale in USD by the delta method,
``Σ_nat = J Σ_work Jᵀ`` with ``J = ∂nat/∂work`` (Loss Models ch. 13, "variance and interval
estimation"). No statsmodels object is kept in the results, which are frozen dataclasses:
hashable, picklable, usable as ``st.cache_data`` keys.

Goodness of fit is judged against the conditional law (what the data represent): the
Kolmogorov–Smirnov and Anderson–Darling statistics, and QQ/PP data with plotting positions
``(i − 0.5)/n`` (Loss Models 4th ed., ch. 16 "Model selection": graphical comparison,
hypothesis tests, score-based selection by AIC/SBC).

Things to know when reading a ranking:

- With a threshold ``t > 0`` the truncated Lomax and the GPD above ``t`` are the same
  conditional law when ξ > 0 (``ξ = 1/α``, ``σ = (θ + t)/α``), so they tie on log-likelihood
  and AIC; the GPD also covers ξ ≤ 0 and ``σ/ξ < t``, where the Lomax scale runs to 0 and its
  fit fails.
- Several truncated families have maxima on the edge of the parameter space for some data
  (a truncated lognormal with ``meanlog → −∞``, a gamma with ``shape → 0``, a log-logistic
  with ``scale → 0``: their limits are Pareto-like). Such fits are reported with
  ``converged=False`` and a message, and :func:`fit_all` lists them as failures instead of
  ranking meaningless parameters. The lognormal body of the spliced model, fitted on the
  narrow window ``(t, u]``, is the most often affected.

Examples
--------
>>> import numpy as np
>>> from pricing.distributions import Lognormal
>>> ground_up = Lognormal(15.0, 2.0)
>>> x = ground_up.truncated(1e6).rvs(500, rng=np.random.default_rng(1))
>>> fit = fit_severity(x, "lognormal", threshold=1e6)
>>> bool(abs(fit.param["sdlog"] - 2.0) < 4 * fit.se[1])
True
>>> fit_all(x, threshold=1e6).best.family in FAMILIES
True
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats
from statsmodels.base.model import GenericLikelihoodModel

from .distributions import (
    GPD,
    Gamma,
    LogLogistic,
    Lognormal,
    Lomax,
    LossDistribution,
    Spliced,
    Weibull,
)
from .exceptions import ConvergenceError, InputError

__all__ = [
    "DEFAULT_SPLICE_QUANTILE",
    "DEFAULT_THRESHOLD",
    "FAMILIES",
    "MIN_LOSSES",
    "MIN_SPLICE_LOSSES",
    "SeverityComparison",
    "SeverityFit",
    "default_splice_point",
    "fit_all",
    "fit_severity",
    "splice_candidates",
    "threshold_sensitivity",
]

#: Candidate families, in the order tables list them before ranking.
FAMILIES = ("lognormal", "gamma", "weibull", "lomax", "loglogistic", "gpd", "spliced")
#: Default reporting threshold (USD): smaller thefts are under-reported.
DEFAULT_THRESHOLD = 1e6
#: Fewest losses above the threshold for any fit.
MIN_LOSSES = 5
#: Fewest losses on each side of the splice point of the spliced model.
MIN_SPLICE_LOSSES = 5
#: Default splice point: this empirical quantile of the losses (see :func:`default_splice_point`).
DEFAULT_SPLICE_QUANTILE = 0.8

_NATURAL_NAMES = {
    "lognormal": ("meanlog", "sdlog"),
    "gamma": ("shape", "scale"),
    "weibull": ("shape", "scale"),
    "lomax": ("shape", "scale"),
    "loglogistic": ("shape", "scale"),
    "gpd": ("shape", "scale", "threshold"),
    "spliced": ("meanlog", "sdlog", "shape", "scale", "tail_weight", "splice_at"),
}
#: Parameters held fixed (chosen, not estimated): standard error 0, not counted in AIC/BIC.
_FIXED = frozenset({"threshold", "splice_at"})
#: Newton decrement ``gᵀ(−H)⁻¹g`` (log-likelihood units) below which a fit counts as converged.
_DECREMENT_TOL = 1e-4
#: A working parameter (log of a positive parameter, meanlog, GPD shape) whose standard error
#: exceeds this is not identified: the likelihood is flat towards the edge of the space (e.g. a
#: truncated lognormal with meanlog → −∞, a truncated gamma with shape → 0).
_MAX_WORKING_SE = 10.0
#: Working parameters are confined to ``|θ| ≤ 30`` (a factor e³⁰ ≈ 10¹³ from the data scale):
#: beyond it the likelihood is numerically meaningless, and an optimum there is an edge one.
_WORKING_BOUND = 30.0
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SeverityFit:
    """One loss-size family fitted by left-truncated maximum likelihood (amounts in USD).

    Attributes
    ----------
    family : one of :data:`FAMILIES`.
    params : ``(name, value)`` pairs with Loss Models / actuar names (USD for scales,
        thresholds and splice points): lognormal ``meanlog, sdlog`` (log-USD); gamma, weibull,
        lomax, loglogistic ``shape, scale``; gpd ``shape`` ξ, ``scale`` σ, ``threshold``
        (= the reporting threshold); spliced ``meanlog, sdlog`` (lognormal body), ``shape,
        scale`` (GPD tail), ``tail_weight`` (share of *reported* losses above the splice
        point, ``P(X > u | X > t)``) and ``splice_at`` u.
    se : standard errors, same order; 0 for fixed parameters (``threshold``, ``splice_at``),
        NaN when the Hessian cannot be inverted.
    cov : covariance matrix of ``params`` (rows as tuples), zero rows/columns for fixed ones.
    loglik : maximised log-likelihood ``Σ log f(xᵢ)/S(t)`` with densities per USD.
    aic, bic : ``−2ℓ + 2k`` and ``−2ℓ + k ln n``, ``k`` = :attr:`n_params`.
    n : number of losses fitted (all above ``threshold``).
    threshold : reporting threshold t (USD) the likelihood conditions on.
    ks, ks_pvalue : Kolmogorov–Smirnov ``D`` against the conditional cdf and its p-value from
        the exact null law of ``D`` (``scipy.stats.kstwo``); parameters are estimated from the
        same data, so the p-value is too large (optimistic) and is a guide only.
    ad : Anderson–Darling ``A²`` against the conditional cdf.
    converged : the optimiser stopped at a maximum with an invertible Hessian and a Newton
        decrement ``gᵀ(−H)⁻¹g < 1e-4``.
    n_params : number of estimated parameters (spliced: 2 body + 2 tail + the weight).
    losses : the fitted losses, sorted ascending (USD), for the QQ/PP data.
    message : how the optimisation ended, in words.
    """

    family: str
    params: tuple[tuple[str, float], ...]
    se: tuple[float, ...]
    cov: tuple[tuple[float, ...], ...]
    loglik: float
    aic: float
    bic: float
    n: int
    threshold: float
    ks: float
    ks_pvalue: float
    ad: float
    converged: bool
    n_params: int
    losses: tuple[float, ...] = field(repr=False)
    message: str = ""

    # -- parameters --------------------------------------------------------------------------
    @property
    def param(self) -> dict[str, float]:
        """Parameters by name."""
        return dict(self.params)

    @property
    def param_names(self) -> tuple[str, ...]:
        """Parameter names in order."""
        return tuple(name for name, _ in self.params)

    @property
    def cov_matrix(self) -> np.ndarray:
        """Covariance of :attr:`params` as an array."""
        return np.array(self.cov, dtype=float)

    # -- distributions -----------------------------------------------------------------------
    @property
    def distribution(self) -> LossDistribution:
        """Fitted ground-up law (USD).

        Below the threshold it is an extrapolation of the fitted shape. For ``gpd`` it is the
        GPD above the threshold itself. For ``spliced`` it is
        ``Spliced(Lognormal(meanlog, sdlog), GPD(shape, scale, u), w₀)`` whose ground-up tail
        weight ``w₀ = w (1 − r)/(1 − w r)``, ``r = F_b(t)/F_b(u)``, makes
        ``P(X > u | X > t)`` equal the fitted ``tail_weight`` w.
        """
        p = self.param
        return _build(self.family, p, self.threshold)

    @property
    def conditional(self) -> LossDistribution:
        """Law of reported losses, ``distribution.truncated(threshold)``: what the data are."""
        return self.distribution.truncated(self.threshold)

    # -- tables ------------------------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """Parameter table: ``param``, ``estimate``, ``se`` and ``estimated`` (False if fixed)."""
        return pd.DataFrame(
            {
                "param": self.param_names,
                "estimate": [v for _, v in self.params],
                "se": list(self.se),
                "estimated": [name not in _FIXED for name in self.param_names],
            }
        )

    def qq_data(self) -> pd.DataFrame:
        """Sorted losses against fitted conditional quantiles (USD), for a QQ plot.

        Columns ``p`` (plotting position ``(i − 0.5)/n``), ``empirical`` (the i-th smallest
        loss) and ``fitted`` (``conditional.ppf(p)``); points on the diagonal mean a good fit.
        """
        x = np.asarray(self.losses, dtype=float)
        p = _plotting_positions(len(x))
        return pd.DataFrame({"p": p, "empirical": x, "fitted": _arr(self.conditional.ppf(p))})

    def pp_data(self) -> pd.DataFrame:
        """Empirical against fitted conditional probabilities, for a PP plot.

        Columns ``loss`` (sorted, USD), ``empirical`` (``(i − 0.5)/n``) and ``fitted``
        (``conditional.cdf(loss)``).
        """
        x = np.asarray(self.losses, dtype=float)
        return pd.DataFrame(
            {
                "loss": x,
                "empirical": _plotting_positions(len(x)),
                "fitted": _arr(self.conditional.cdf(x)),
            }
        )

    def tail_figures(self, p: float = 0.99) -> dict[str, float | bool]:
        """Tail of the reported-loss law: the ``p`` quantile and the mean excess (USD).

        ``quantile`` is ``conditional.ppf(p)`` (``p = 0.99``: the 1-in-100 reported loss);
        ``mean_excess`` is ``E[X − t | X > t]`` (``inf`` when the mean does not exist, e.g.
        GPD ``shape ≥ 1``, Lomax ``shape ≤ 1``); ``mean_finite`` says which.
        """
        if not 0 < p < 1:
            raise ValueError(f"p must be in (0, 1), got {p!r}")
        cond = self.conditional
        quantile = float(cond.ppf(p))
        try:
            mean = float(cond.mean())
        except (ArithmeticError, ValueError):  # pragma: no cover - quadrature trouble
            mean = math.nan
        excess = mean - self.threshold if math.isfinite(mean) else mean
        return {"quantile": quantile, "mean_excess": excess, "mean_finite": math.isfinite(mean)}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record for the CLI (non-finite numbers become ``None``).

        Keys ``dist``, ``params`` and ``se`` (name → value), ``cov``, ``loglik``, ``aic``,
        ``bic``, ``ks``, ``ks_pvalue``, ``ad``, ``n``, ``n_params``, ``threshold``,
        ``converged``, ``message`` and ``describe`` (the ground-up law in words).
        """
        return {
            "dist": self.family,
            "params": {name: _json_float(v) for name, v in self.params},
            "se": {name: _json_float(s) for (name, _), s in zip(self.params, self.se, strict=True)},
            "cov": [[_json_float(c) for c in row] for row in self.cov],
            "loglik": _json_float(self.loglik),
            "aic": _json_float(self.aic),
            "bic": _json_float(self.bic),
            "ks": _json_float(self.ks),
            "ks_pvalue": _json_float(self.ks_pvalue),
            "ad": _json_float(self.ad),
            "n": int(self.n),
            "n_params": int(self.n_params),
            "threshold": float(self.threshold),
            "converged": bool(self.converged),
            "message": self.message,
            "describe": self.distribution.describe(),
        }


@dataclass(frozen=True, slots=True)
class SeverityComparison:
    """Candidate families fitted to the same losses, ranked by AIC (best first).

    All candidates model the same reported losses above the same threshold with densities per
    USD, so their log-likelihoods and AICs are comparable (Loss Models 4th ed., ch. 16,
    score-based selection). Families that failed are listed with the reason and left out.

    Attributes
    ----------
    fits : converged fits, sorted by AIC ascending.
    failures : ``(family, reason)`` pairs for families that failed or did not converge.
    threshold : reporting threshold (USD).
    n : number of losses.
    """

    fits: tuple[SeverityFit, ...]
    failures: tuple[tuple[str, str], ...]
    threshold: float
    n: int

    @property
    def best(self) -> SeverityFit:
        """The fit with the lowest AIC (ties: the one listed first in ``families``)."""
        return self.fits[0]

    @property
    def families(self) -> tuple[str, ...]:
        """Families of the ranked fits, best first."""
        return tuple(f.family for f in self.fits)

    def get(self, family: str) -> SeverityFit:
        """The fit of ``family`` (``KeyError`` naming the failure reason if it failed)."""
        for fit in self.fits:
            if fit.family == family:
                return fit
        reasons = dict(self.failures)
        if family in reasons:
            raise KeyError(f"{family}: the fit failed ({reasons[family]})")
        raise KeyError(f"{family} was not fitted; fitted: {', '.join(self.families)}")

    def table(self) -> pd.DataFrame:
        """Ranking table, best (lowest AIC) first.

        Columns ``rank``, ``family``, ``n_params``, ``loglik``, ``aic``, ``delta_aic``
        (``AIC − min AIC``), ``akaike_weight`` (``exp(−Δ/2) / Σ exp(−Δ/2)``: the relative
        support for each candidate, Burnham & Anderson 2002 §2.9), ``bic``, ``ks``,
        ``ks_pvalue`` and ``ad``.
        """
        aic = np.array([f.aic for f in self.fits], dtype=float)
        delta = aic - aic.min() if len(aic) else aic
        weight = np.exp(-0.5 * delta)
        weight = weight / weight.sum() if len(weight) else weight
        return pd.DataFrame(
            {
                "rank": np.arange(1, len(self.fits) + 1),
                "family": [f.family for f in self.fits],
                "n_params": [f.n_params for f in self.fits],
                "loglik": [f.loglik for f in self.fits],
                "aic": aic,
                "delta_aic": delta,
                "akaike_weight": weight,
                "bic": [f.bic for f in self.fits],
                "ks": [f.ks for f in self.fits],
                "ks_pvalue": [f.ks_pvalue for f in self.fits],
                "ad": [f.ad for f in self.fits],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record: ``threshold``, ``n``, ``best``, ``fits`` (ranked), ``failed``."""
        return {
            "threshold": float(self.threshold),
            "n": int(self.n),
            "best": self.best.family,
            "fits": [f.to_dict() for f in self.fits],
            "failed": dict(self.failures),
        }


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------
def fit_severity(
    losses: Iterable[float] | np.ndarray,
    family: str,
    threshold: float = DEFAULT_THRESHOLD,
    splice_at: float | None = None,
) -> SeverityFit:
    """Fit one loss-size family by maximum likelihood with left truncation at ``threshold``.

    Parameters
    ----------
    losses : reported losses in USD, every one finite and ``> threshold``. Losses at or below
        the threshold are rejected, not dropped: filter them before calling.
    family : one of :data:`FAMILIES`.
    threshold : reporting threshold t in USD (``≥ 0``; 0 means no truncation). The
        likelihood of each loss is ``f(x)/S(t)``. The ``gpd`` family is the GPD of the
        excesses over t; the ``spliced`` family has a lognormal body truncated to ``(t, u]``.
    splice_at : splice point u of the ``spliced`` family (USD, ``t < u``, at least
        :data:`MIN_SPLICE_LOSSES` losses on each side); default
        :func:`default_splice_point`. Only allowed for ``spliced``.

    Returns
    -------
    SeverityFit
        ``converged`` is False (and ``message`` says why) when the optimiser did not reach a
        regular maximum; :func:`fit_all` leaves such fits out of the ranking.

    Raises
    ------
    ValueError
        Bad inputs: unknown family, non-finite or non-positive losses, losses at or below
        the threshold, fewer than :data:`MIN_LOSSES` losses, a bad splice point.
    ConvergenceError
        The optimiser ended with a non-finite log-likelihood or parameters, or at a
        numerically degenerate law (e.g. ``meanlog → −∞``).


    Notes
    -----
    R equivalent: ``fitdistrplus::fitdist(x, "lnorm")`` for ``threshold = 0``; with a
    threshold, fit the density ``actuar::coverage(dlnorm, plnorm, deductible = t,
    franchise = TRUE)`` (likewise for the other families).

    The spliced likelihood (Loss Models §5.2.6 for the model) factorises into three parts
    maximised separately, with ``n_b`` losses in ``(t, u]`` and ``n_u`` above u:

    ``Π_{x ≤ u} (1 − w) f_b(x) / (F_b(u) − F_b(t))  ×  Π_{x > u} w g(x − u; ξ, σ)``

    with ``f_b`` lognormal and ``g`` the GPD density, so the weight's MLE is ``w = n_u/n``
    (SE ``√(w(1 − w)/n)``), the body is a lognormal fitted on ``(t, u]`` with double
    truncation and the tail is :func:`fit_severity` ``(x[x > u], "gpd", threshold=u)``. The
    blocks of the information matrix are orthogonal, so the covariance is block diagonal.
    ``k = 5`` for AIC/BIC (u is chosen, not estimated).
    """
    family = _check_family(family)
    t = _check_threshold(threshold)
    x = _check_losses(losses, t)
    if splice_at is not None and family != "spliced":
        raise ValueError(f"splice_at applies only to the spliced family, not '{family}'")
    return _FITTERS[family](x, t, splice_at)


def fit_all(
    losses: Iterable[float] | np.ndarray,
    threshold: float = DEFAULT_THRESHOLD,
    families: Sequence[str] = FAMILIES,
    splice_at: float | None = None,
) -> SeverityComparison:
    """Fit every candidate family and rank them by AIC (lowest first = ``best``).

    Input errors (bad losses or threshold, unknown family) raise ``ValueError`` at once. A
    family whose fit fails (an error or no convergence, e.g. too few losses on one side of
    the splice point) is recorded in ``failures`` with the reason and the others are ranked.

    Parameters
    ----------
    losses : reported losses in USD, all ``> threshold`` (see :func:`fit_severity`).
    threshold : reporting threshold in USD.
    families : candidate names from :data:`FAMILIES`.
    splice_at : splice point for the ``spliced`` candidate (default: data quantile).

    Raises
    ------
    ConvergenceError
        Every family failed (the message lists each reason).
    """
    names = [_check_family(f) for f in families]
    if not names:
        raise InputError("families", [f"families: none given; choose from {', '.join(FAMILIES)}"])
    if len(set(names)) != len(names):
        raise InputError("families", [f"families: duplicates in {names}"])
    t = _check_threshold(threshold)
    x = _check_losses(losses, t)
    fits: list[SeverityFit] = []
    failures: list[tuple[str, str]] = []
    for name in names:
        try:
            fit = _FITTERS[name](x, t, splice_at if name == "spliced" else None)
        except (ArithmeticError, ValueError, np.linalg.LinAlgError) as err:
            failures.append((name, str(err)))
            continue
        if fit.converged and math.isfinite(fit.aic):
            fits.append(fit)
        else:
            failures.append((name, f"did not converge: {fit.message}"))
    if not fits:
        details = "; ".join(f"{name}: {reason}" for name, reason in failures)
        raise ConvergenceError(f"no severity family could be fitted ({details})")
    order = sorted(range(len(fits)), key=lambda i: (fits[i].aic, i))
    return SeverityComparison(
        fits=tuple(fits[i] for i in order),
        failures=tuple(failures),
        threshold=t,
        n=len(x),
    )


def threshold_sensitivity(
    losses: Iterable[float] | np.ndarray,
    thresholds: Iterable[float],
    family: str = "gpd",
    p: float = 0.99,
) -> pd.DataFrame:
    """Refit ``family`` above each threshold to show how much the choice moves the tail.

    Unlike :func:`fit_severity` this function *selects* the losses above each threshold
    itself (that is its purpose; ``n`` says how many were used). For a GPD the shape should
    be roughly stable above a threshold where the tail is Pareto-like, and the scale should
    move as ``σ(t') = σ(t) + ξ (t' − t)`` (threshold stability: Coles 2001, *An Introduction
    to Statistical Modeling of Extreme Values*, §4.3.1; R ``ismev::gpd.fitrange``,
    ``evd::tcplot``).

    Parameters
    ----------
    losses : all available losses in USD (finite, positive).
    thresholds : reporting thresholds to try (USD, ``≥ 0``).
    family : one of :data:`FAMILIES` (default ``gpd``).
    p : probability of the reported-loss quantile shown (0.99: the 1-in-100 reported loss).

    Returns
    -------
    pandas.DataFrame
        One row per threshold: ``threshold``, ``n``, each parameter and its ``se_<name>``,
        ``loglik``, ``quantile`` (``conditional.ppf(p)``, USD), ``mean_excess``
        (``E[X − t | X > t]``, USD; ``inf`` when the mean is infinite), ``mean_finite``,
        ``ks``, ``converged`` and ``error`` (why a row has no fit, else empty).
    """
    family = _check_family(family)
    x = _check_values(losses)
    ts = [_check_threshold(t) for t in thresholds]
    if not ts:
        raise ValueError("thresholds: give at least one threshold (USD)")
    if not 0 < p < 1:
        raise ValueError(f"p must be in (0, 1), got {p!r}")
    names = _NATURAL_NAMES[family]
    rows = []
    for t in ts:
        above = x[x > t]
        row: dict[str, Any] = {"threshold": t, "n": len(above)}
        row.update({name: math.nan for name in names})
        row.update({f"se_{name}": math.nan for name in names})
        row.update(
            loglik=math.nan,
            quantile=math.nan,
            mean_excess=math.nan,
            mean_finite=False,
            ks=math.nan,
            converged=False,
            error="",
        )
        try:
            fit = _FITTERS[family](_check_losses(above, t), t, None)
        except (ArithmeticError, ValueError, np.linalg.LinAlgError) as err:
            row["error"] = str(err)
            rows.append(row)
            continue
        row.update(fit.param)
        row.update({f"se_{name}": se for name, se in zip(names, fit.se, strict=True)})
        tail = fit.tail_figures(p)
        row.update(
            loglik=fit.loglik,
            quantile=tail["quantile"],
            mean_excess=tail["mean_excess"],
            mean_finite=tail["mean_finite"],
            ks=fit.ks,
            converged=fit.converged,
            error="" if fit.converged else f"did not converge: {fit.message}",
        )
        rows.append(row)
    return pd.DataFrame(rows)


def default_splice_point(losses: Iterable[float] | np.ndarray) -> float:
    """Default splice point u of the spliced model (USD).

    About the top 20% of the losses (:data:`DEFAULT_SPLICE_QUANTILE`), and never fewer than
    :data:`MIN_SPLICE_LOSSES`, lie above u: with ``k = max(5, round(0.2 n))`` tail losses,
    u is the geometric midpoint of the ``(n − k)``-th and ``(n − k + 1)``-th smallest losses,
    so no loss sits on the splice point unless they are tied.
    """
    x = np.sort(_check_values(losses))
    n = len(x)
    k = max(MIN_SPLICE_LOSSES, round((1 - DEFAULT_SPLICE_QUANTILE) * n))
    if n - k < 1:
        raise InputError(
            "losses",
            [
                f"spliced: {n} losses are too few to choose a splice point "
                f"(need at least {2 * MIN_SPLICE_LOSSES})"
            ],
        )
    return float(math.sqrt(x[n - k - 1] * x[n - k]))


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------
def _check_family(family: str) -> str:
    if family not in FAMILIES:
        raise InputError("family", [f"family '{family}' is not one of {', '.join(FAMILIES)}"])
    return family


def _check_threshold(threshold: float) -> float:
    try:
        t = float(threshold)
    except (TypeError, ValueError):
        raise InputError(
            "threshold", [f"threshold must be an amount in USD, got {threshold!r}"]
        ) from None
    if not (math.isfinite(t) and t >= 0):
        raise InputError(
            "threshold", [f"threshold must be a finite amount >= 0 USD, got {threshold!r}"]
        )
    return t


def _check_values(losses: Iterable[float] | np.ndarray) -> np.ndarray:
    """Losses as a 1-d float array; every value finite and > 0 USD."""
    try:
        x = np.asarray(list(losses) if not isinstance(losses, np.ndarray) else losses, float)
    except (TypeError, ValueError):
        raise InputError("losses", ["losses must be a sequence of numbers (USD)"]) from None
    if x.ndim != 1:
        raise InputError("losses", [f"losses must be one-dimensional, got shape {x.shape}"])
    bad = int(np.sum(~np.isfinite(x)))
    if bad:
        raise InputError(
            "losses", [f"losses: {bad} of {len(x)} values are not finite (NaN or infinite)"]
        )
    bad = int(np.sum(x <= 0))
    if bad:
        raise InputError(
            "losses",
            [f"losses: {bad} of {len(x)} values are <= 0; losses must be positive amounts in USD"],
        )
    return x


def _check_losses(losses: Iterable[float] | np.ndarray, threshold: float) -> np.ndarray:
    """Validated, sorted losses above ``threshold`` (raises, never drops)."""
    x = _check_values(losses)
    below = int(np.sum(x <= threshold))
    if below:
        raise InputError(
            "losses",
            [
                f"losses: {below} of {len(x)} are at or below the reporting threshold of "
                f"USD {threshold:,.0f}; the left-truncated fit uses only losses above it, "
                "so filter them out first"
            ],
        )
    if len(x) < MIN_LOSSES:
        raise InputError(
            "losses",
            [
                f"losses: need at least {MIN_LOSSES} losses above the threshold of "
                f"USD {threshold:,.0f} to fit a severity model, got {len(x)}"
            ],
        )
    if np.ptp(x) <= 0:
        raise InputError(
            "losses", [f"losses: all {len(x)} losses are equal; a severity fit needs spread"]
        )
    return np.sort(x)


# --------------------------------------------------------------------------------------------
# Log-likelihoods in working parameters (data divided by a scale constant c)
# --------------------------------------------------------------------------------------------
# Each ``_ll_*`` returns log f(z)/S(tz) per observation for the data ``z = x/c`` and the
# threshold ``tz = t/c``; a value outside the parameter space gives -inf.


def _log_sf_lognormal(tz: float, mu: float, s: float) -> float:
    if tz <= 0:
        return 0.0
    return float(special.log_ndtr(-(math.log(tz) - mu) / s))


def _ll_lognormal(theta: np.ndarray, z: np.ndarray, tz: float) -> np.ndarray:
    mu, s = theta[0], math.exp(theta[1])
    lz = np.log(z)
    out = -lz - math.log(s) - _HALF_LOG_2PI - 0.5 * ((lz - mu) / s) ** 2
    return out - _log_sf_lognormal(tz, mu, s)


def _ll_gamma(theta: np.ndarray, z: np.ndarray, tz: float) -> np.ndarray:
    a, b = math.exp(theta[0]), math.exp(theta[1])
    out = (a - 1) * np.log(z) - z / b - special.gammaln(a) - a * math.log(b)
    if tz > 0:
        out = out - math.log(special.gammaincc(a, tz / b))
    return out


def _ll_weibull(theta: np.ndarray, z: np.ndarray, tz: float) -> np.ndarray:
    k, lam = math.exp(theta[0]), math.exp(theta[1])
    lzl = np.log(z) - math.log(lam)
    out = math.log(k) - math.log(lam) + (k - 1) * lzl - np.exp(k * lzl)
    return out + (tz / lam) ** k  # − log S(t) = (t/λ)^k


def _ll_lomax(theta: np.ndarray, z: np.ndarray, tz: float) -> np.ndarray:
    a, th = math.exp(theta[0]), math.exp(theta[1])
    return math.log(a) + a * math.log(th + tz) - (a + 1) * np.log(z + th)


def _ll_loglogistic(theta: np.ndarray, z: np.ndarray, tz: float) -> np.ndarray:
    g, th = math.exp(theta[0]), math.exp(theta[1])
    v = g * (np.log(z) - math.log(th))  # log (z/θ)^γ
    out = math.log(g) + v - np.log(z) - 2 * np.logaddexp(0.0, v)
    if tz > 0:
        out = out + np.logaddexp(0.0, g * (math.log(tz) - math.log(th)))
    return out


def _ll_gpd(theta: np.ndarray, z: np.ndarray, uz: float) -> np.ndarray:
    xi, s = theta[0], math.exp(theta[1])
    y = (z - uz) / s
    if abs(xi) < 1e-9:
        return -math.log(s) - y
    arg = xi * y
    if np.any(arg <= -1):
        return np.full_like(z, -np.inf)
    return -math.log(s) - (1 + 1 / xi) * np.log1p(arg)


def _log_interval_lognormal(lo: float, hi: float, mu: float, s: float) -> float:
    """``log(F(hi) − F(lo))`` for a lognormal, accurate in both tails."""
    a_hi = (math.log(hi) - mu) / s
    a_lo = (math.log(lo) - mu) / s if lo > 0 else -math.inf
    if a_lo > 0:  # both in the upper tail: use survival functions
        s_lo, s_hi = special.log_ndtr(-a_lo), special.log_ndtr(-a_hi)
        return float(s_lo + math.log1p(-math.exp(s_hi - s_lo)))
    f_hi, f_lo = special.log_ndtr(a_hi), special.log_ndtr(a_lo)
    return float(f_hi + math.log1p(-math.exp(f_lo - f_hi))) if f_lo > -math.inf else float(f_hi)


def _ll_body(uz: float) -> Callable[[np.ndarray, np.ndarray, float], np.ndarray]:
    """Lognormal doubly truncated to ``(tz, uz]``: the body of the spliced model."""

    def ll(theta: np.ndarray, z: np.ndarray, tz: float) -> np.ndarray:
        mu, s = theta[0], math.exp(theta[1])
        lz = np.log(z)
        out = -lz - math.log(s) - _HALF_LOG_2PI - 0.5 * ((lz - mu) / s) ** 2
        with np.errstate(divide="ignore"):
            return out - _log_interval_lognormal(tz, uz, mu, s)

    return ll


# --------------------------------------------------------------------------------------------
# Start values (working parameters, scaled data)
# --------------------------------------------------------------------------------------------
def _start_lognormal(z: np.ndarray, tz: float) -> np.ndarray:
    lz = np.log(z)
    return np.array([lz.mean(), math.log(max(lz.std(), 1e-3))])


def _start_gamma(z: np.ndarray, tz: float) -> np.ndarray:
    m = float(z.mean())
    s = max(math.log(m) - float(np.log(z).mean()), 1e-6)
    a = (3 - s + math.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s)  # Minka's approximation
    return np.array([math.log(a), math.log(m / a)])


def _start_weibull(z: np.ndarray, tz: float) -> np.ndarray:
    lz = np.log(z)
    k = math.pi / (max(lz.std(), 1e-3) * math.sqrt(6))
    return np.array([math.log(k), lz.mean() + np.euler_gamma / k])


def _start_lomax(z: np.ndarray, tz: float) -> np.ndarray:
    th = float(np.median(z))
    a = 1.0 / max(float(np.mean(np.log((z + th) / (tz + th)))), 1e-6)
    return np.array([math.log(a), math.log(th)])


def _start_loglogistic(z: np.ndarray, tz: float) -> np.ndarray:
    lz = np.log(z)
    g = math.pi / (math.sqrt(3) * max(lz.std(), 1e-3))
    return np.array([math.log(g), float(np.median(lz))])


def _start_gpd(z: np.ndarray, uz: float) -> np.ndarray:
    """Probability-weighted moments (Hosking & Wallis 1987, Technometrics 29, 339–349)."""
    y = np.sort(z - uz)
    n = len(y)
    a0 = float(y.mean())
    a1 = float(np.mean(y * (1 - (np.arange(1, n + 1) - 0.35) / n)))
    denom = a0 - 2 * a1
    xi, s = (2 - a0 / denom, 2 * a0 * a1 / denom) if denom > 0 else (0.1, a0)
    xi = min(max(xi, -0.4), 0.9)
    if not s > 0:
        s = a0
    if xi < 0 and xi * y.max() / s <= -0.95:
        xi = 0.1
    return np.array([xi, math.log(s)])


# --------------------------------------------------------------------------------------------
# Maximum likelihood through statsmodels
# --------------------------------------------------------------------------------------------
class _TruncatedLikelihood(GenericLikelihoodModel):
    """statsmodels model whose per-observation log-likelihood is a given function."""

    def __init__(
        self,
        z: np.ndarray,
        tz: float,
        loglikeobs: Callable[[np.ndarray, np.ndarray, float], np.ndarray],
        names: Sequence[str],
    ) -> None:
        self._ll = loglikeobs
        self._tz = tz
        super().__init__(z, extra_params_names=list(names))

    def loglikeobs(self, params: np.ndarray) -> np.ndarray:
        if not np.all(np.abs(params) <= _WORKING_BOUND):
            return np.full(len(self.endog), -np.inf)
        try:
            with np.errstate(all="ignore"):
                out = np.asarray(self._ll(np.asarray(params, float), self.endog, self._tz), float)
        except (ArithmeticError, ValueError):  # math.log(0), math.exp overflow: out of range
            return np.full(len(self.endog), -np.inf)
        return np.where(np.isnan(out), -np.inf, out)


@dataclass(frozen=True)
class _MLE:
    theta: np.ndarray
    cov: np.ndarray  # working-parameter covariance (NaN if the Hessian is not invertible)
    loglik: float  # of the scaled data
    converged: bool
    message: str


def _maximise(
    loglikeobs: Callable[[np.ndarray, np.ndarray, float], np.ndarray],
    start: np.ndarray,
    z: np.ndarray,
    tz: float,
    names: Sequence[str],
) -> _MLE:
    """Nelder–Mead, then BFGS (then Newton if needed); Hessian-based covariance."""
    model = _TruncatedLikelihood(z, tz, loglikeobs, names)
    if not math.isfinite(model.loglike(start)):
        raise ConvergenceError("the start values give a non-finite log-likelihood")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = model.fit(start_params=start, method="nm", maxiter=2000, disp=0)
        theta = np.asarray(first.params, float)
        result = model.fit(start_params=theta, method="bfgs", maxiter=500, disp=0, gtol=1e-7)
        if result.llf >= first.llf:
            theta = np.asarray(result.params, float)
        ll = float(model.loglike(theta))
        if not (math.isfinite(ll) and np.all(np.isfinite(theta))):
            raise ConvergenceError("the optimiser ended at a non-finite log-likelihood")
        cov, decrement = _curvature(model, theta)
        if not decrement < _DECREMENT_TOL and np.all(np.isfinite(cov)):
            try:
                polish = model.fit(start_params=theta, method="newton", maxiter=50, disp=0)
            except (ArithmeticError, ValueError, np.linalg.LinAlgError):
                polish = None
            candidate = theta if polish is None else np.asarray(polish.params, float)
            ll_new = float(model.loglike(candidate))
            if math.isfinite(ll_new) and ll_new > ll and np.all(np.isfinite(candidate)):
                theta, ll = candidate, ll_new
                cov, decrement = _curvature(model, theta)
    edge = [name for name, v in zip(names, theta, strict=True) if abs(v) > 0.9 * _WORKING_BOUND]
    if edge:
        return _MLE(
            theta, cov, ll, False,
            f"{', '.join(edge)} drifted to the edge of the parameter space (the likelihood "
            "keeps rising towards a limiting law): the data do not identify it",
        )  # fmt: skip
    if not np.all(np.isfinite(cov)):
        return _MLE(
            theta, cov, ll, False,
            "the Hessian of the log-likelihood is not negative definite at the end point "
            "(flat likelihood: parameters not identified by these data)",
        )  # fmt: skip
    if not decrement < _DECREMENT_TOL:
        return _MLE(
            theta, cov, ll, False,
            f"the gradient is not zero at the end point (Newton decrement {decrement:.3g})",
        )  # fmt: skip
    wide = [name for name, v in zip(names, np.diag(cov), strict=True) if v > _MAX_WORKING_SE**2]
    if wide:
        return _MLE(
            theta, cov, ll, False,
            f"{', '.join(wide)} drifted to the edge of the parameter space (standard error of "
            f"more than {_MAX_WORKING_SE:g} on the log scale): the data do not identify it",
        )  # fmt: skip
    return _MLE(theta, cov, ll, True, "converged")


def _curvature(model: _TruncatedLikelihood, theta: np.ndarray) -> tuple[np.ndarray, float]:
    """Covariance ``(−H)⁻¹`` of the working parameters and Newton decrement ``gᵀ(−H)⁻¹g``."""
    k = len(theta)
    nan = np.full((k, k), np.nan)
    hess = np.asarray(model.hessian(theta), float)
    grad = np.asarray(model.score(theta), float)
    if not (np.all(np.isfinite(hess)) and np.all(np.isfinite(grad))):
        return nan, math.inf
    info = -0.5 * (hess + hess.T)
    eigval, eigvec = np.linalg.eigh(info)
    if eigval.min() <= 1e-12 * max(abs(eigval.max()), 1.0):
        return nan, math.inf
    cov = (eigvec / eigval) @ eigvec.T
    return cov, float(grad @ cov @ grad)


# --------------------------------------------------------------------------------------------
# Per-family fitters
# --------------------------------------------------------------------------------------------
# Working parameter → natural parameter maps: ("shift", log c) adds log c (meanlog),
# ("exp",) exponentiates (shapes), ("scale",) multiplies exp(θ) by c (USD scales), ("free",)
# keeps θ (GPD shape).
_SIMPLE = {
    "lognormal": (_ll_lognormal, _start_lognormal, ("shift", "exp")),
    "gamma": (_ll_gamma, _start_gamma, ("exp", "scale")),
    "weibull": (_ll_weibull, _start_weibull, ("exp", "scale")),
    "lomax": (_ll_lomax, _start_lomax, ("exp", "scale")),
    "loglogistic": (_ll_loglogistic, _start_loglogistic, ("exp", "scale")),
    "gpd": (_ll_gpd, _start_gpd, ("free", "scale")),
}


def _natural(theta: np.ndarray, maps: Sequence[str], c: float) -> tuple[np.ndarray, np.ndarray]:
    """Natural parameters and the diagonal Jacobian ``∂nat/∂θ`` (delta method)."""
    values, jac = [], []
    for th, kind in zip(theta, maps, strict=True):
        if kind == "shift":
            values.append(th + math.log(c))
            jac.append(1.0)
        elif kind == "exp":
            values.append(math.exp(th))
            jac.append(math.exp(th))
        elif kind == "scale":
            values.append(c * math.exp(th))
            jac.append(c * math.exp(th))
        else:
            values.append(float(th))
            jac.append(1.0)
    return np.array(values), np.diag(jac)


def _scale_constant(x: np.ndarray) -> float:
    """Geometric median of the losses: data are divided by it while optimising."""
    return float(np.exp(np.median(np.log(x))))


def _fit_parametric(
    family: str, x: np.ndarray, t: float
) -> tuple[np.ndarray, np.ndarray, float, _MLE]:
    """MLE of one two-parameter family; natural parameters, covariance, loglik (USD)."""
    ll, start, maps = _SIMPLE[family]
    c = _scale_constant(x)
    z, tz = x / c, t / c
    mle = _maximise(ll, start(z, tz), z, tz, _NATURAL_NAMES[family][:2])
    nat, jac = _natural(mle.theta, maps, c)
    cov = jac @ mle.cov @ jac.T
    loglik = mle.loglik - len(x) * math.log(c)  # densities per USD
    return nat, cov, loglik, mle


def _fit_simple(family: str) -> Callable[[np.ndarray, float, float | None], SeverityFit]:
    def fit(x: np.ndarray, t: float, splice_at: float | None) -> SeverityFit:
        nat, cov, loglik, mle = _fit_parametric(family, x, t)
        names = _NATURAL_NAMES[family]
        values = list(nat)
        if family == "gpd":
            values.append(t)
            cov = _pad(cov, 1)
        return _result(family, names, values, cov, loglik, 2, x, t, mle.converged, mle.message)

    return fit


def _fit_spliced(x: np.ndarray, t: float, splice_at: float | None) -> SeverityFit:
    """The spliced fit at ``splice_at``, or, by default, at the splice point nearest the
    default (:func:`default_splice_point`) at which both parts converge."""
    if splice_at is not None:
        return _fit_spliced_at(x, t, float(splice_at))
    first: SeverityFit | None = None
    for u in splice_candidates(x):
        try:
            fit = _fit_spliced_at(x, t, u)
        except ValueError:  # e.g. ties leave one side constant: try the next point
            continue
        if fit.converged:
            if first is None:
                return fit
            return dataclasses.replace(
                fit,
                message=f"converged at splice point USD {u:,.0f}, the nearest to the default "
                f"USD {default_splice_point(x):,.0f} at which both parts converge",
            )
        first = first or fit
    return first if first is not None else _fit_spliced_at(x, t, default_splice_point(x))


def splice_candidates(losses: Iterable[float] | np.ndarray) -> list[float]:
    """Splice points tried in turn when none is given: the default first, then the midpoints
    between neighbouring losses ever further from it, alternately above and below, keeping
    :data:`MIN_SPLICE_LOSSES` losses on each side."""
    x = np.sort(_check_values(losses))
    n = len(x)
    k0 = max(MIN_SPLICE_LOSSES, round((1 - DEFAULT_SPLICE_QUANTILE) * n))
    ks = [k0]
    for step in range(1, n):
        ks += [k0 - step, k0 + step]
    return [
        float(math.sqrt(x[n - k - 1] * x[n - k]))
        for k in ks
        if MIN_SPLICE_LOSSES <= k <= n - MIN_SPLICE_LOSSES
    ]


def _fit_spliced_at(x: np.ndarray, t: float, u: float) -> SeverityFit:
    splice_at = u
    if not (math.isfinite(u) and u > t):
        raise ValueError(
            f"spliced: splice_at must be a finite amount above the threshold of "
            f"USD {t:,.0f}, got {splice_at!r}"
        )
    body, tail = x[x <= u], x[x > u]
    if len(body) < MIN_SPLICE_LOSSES or len(tail) < MIN_SPLICE_LOSSES:
        raise ValueError(
            f"spliced: need at least {MIN_SPLICE_LOSSES} losses on each side of the splice "
            f"point USD {u:,.0f}; got {len(body)} at or below and {len(tail)} above"
        )
    if np.ptp(body) <= 0 or np.ptp(tail) <= 0:
        raise ValueError(f"spliced: the losses on one side of USD {u:,.0f} are all equal")
    n, n_tail = len(x), len(tail)
    # Body: lognormal on (t, u].
    c = _scale_constant(body)
    zb = body / c
    body_mle = _maximise(
        _ll_body(u / c), _start_lognormal(zb, t / c), zb, t / c, ("meanlog", "sdlog")
    )
    body_nat, body_jac = _natural(body_mle.theta, ("shift", "exp"), c)
    body_cov = body_jac @ body_mle.cov @ body_jac.T
    body_ll = body_mle.loglik - len(body) * math.log(c)
    # Tail: GPD of the excesses over u.
    tail_nat, tail_cov, tail_ll, tail_mle = _fit_parametric("gpd", tail, u)
    # Weight: binomial share above u.
    w = n_tail / n
    w_ll = n_tail * math.log(w) + (n - n_tail) * math.log1p(-w)
    cov = np.zeros((6, 6))
    cov[:2, :2] = body_cov
    cov[2:4, 2:4] = tail_cov
    cov[4, 4] = w * (1 - w) / n
    values = [*body_nat, *tail_nat, w, u]
    converged = body_mle.converged and tail_mle.converged
    parts = (
        (f"lognormal body on (USD {t:,.0f}, {u:,.0f}]", body_mle),
        (f"GPD tail above USD {u:,.0f}", tail_mle),
    )
    message = (
        "converged"
        if converged
        else "; ".join(f"{part}: {m.message}" for part, m in parts if not m.converged)
        + "; another splice point may help"
    )
    return _result(
        "spliced",
        _NATURAL_NAMES["spliced"],
        values,
        cov,
        body_ll + tail_ll + w_ll,
        5,
        x,
        t,
        converged,
        message,
    )


def _guarded(
    family: str, fitter: Callable[[np.ndarray, float, float | None], SeverityFit]
) -> Callable[[np.ndarray, float, float | None], SeverityFit]:
    """Turn numerical failures inside a fit into a ConvergenceError naming the family."""

    def fit(x: np.ndarray, t: float, splice_at: float | None) -> SeverityFit:
        try:
            return fitter(x, t, splice_at)
        except (ArithmeticError, np.linalg.LinAlgError) as err:
            raise ConvergenceError(f"{family}: numerical failure while fitting ({err})") from err

    return fit


_FITTERS: dict[str, Callable[[np.ndarray, float, float | None], SeverityFit]] = {
    **{name: _guarded(name, _fit_simple(name)) for name in _SIMPLE},
    "spliced": _guarded("spliced", _fit_spliced),
}


# --------------------------------------------------------------------------------------------
# Assembling results
# --------------------------------------------------------------------------------------------
def _build(family: str, p: dict[str, float], threshold: float) -> LossDistribution:
    """Ground-up :mod:`pricing.distributions` object from named parameters."""
    if family == "lognormal":
        return Lognormal(p["meanlog"], p["sdlog"])
    if family == "gamma":
        return Gamma(p["shape"], p["scale"])
    if family == "weibull":
        return Weibull(p["shape"], p["scale"])
    if family == "lomax":
        return Lomax(p["shape"], p["scale"])
    if family == "loglogistic":
        return LogLogistic(p["shape"], p["scale"])
    if family == "gpd":
        return GPD(p["shape"], p["scale"], p["threshold"])
    if family == "spliced":
        body = Lognormal(p["meanlog"], p["sdlog"])
        u, w = p["splice_at"], p["tail_weight"]
        r = float(body.cdf(threshold)) / float(body.cdf(u)) if threshold > 0 else 0.0
        w0 = w * (1 - r) / (1 - w * r)
        return Spliced(body, GPD(p["shape"], p["scale"], u), w0)
    raise ValueError(f"family '{family}' is not one of {', '.join(FAMILIES)}")


def _result(
    family: str,
    names: Sequence[str],
    values: Sequence[float],
    cov: np.ndarray,
    loglik: float,
    k: int,
    x: np.ndarray,
    t: float,
    converged: bool,
    message: str,
) -> SeverityFit:
    if not (math.isfinite(loglik) and all(math.isfinite(v) for v in values)):
        raise ConvergenceError(f"{family}: the fit ended at non-finite values")
    params = tuple((name, float(v)) for name, v in zip(names, values, strict=True))
    try:
        with np.errstate(all="ignore"):  # a non-converged fit may sit at a degenerate edge
            dist = _build(family, dict(params), t).truncated(t)
            ks, ks_p = _ks(x, dist)
            ad = _anderson_darling(x, dist)
    except (ArithmeticError, ValueError) as err:  # parameters at the edge of their space
        reason = message if not converged else f"fitted parameters are not valid ({err})"
        raise ConvergenceError(f"{family}: {reason}") from None
    if not (math.isfinite(ks) and math.isfinite(ad)):  # the law is numerically degenerate
        reason = message if not converged else "the fitted law is numerically degenerate"
        raise ConvergenceError(f"{family}: {reason}")
    diag = np.diag(cov)
    se = tuple(float(math.sqrt(v)) if v >= 0 else math.nan for v in diag)
    n = len(x)
    return SeverityFit(
        family=family,
        params=params,
        se=se,
        cov=tuple(tuple(float(c) for c in row) for row in cov),
        loglik=float(loglik),
        aic=float(-2 * loglik + 2 * k),
        bic=float(-2 * loglik + k * math.log(n)),
        n=n,
        threshold=float(t),
        ks=ks,
        ks_pvalue=ks_p,
        ad=ad,
        converged=bool(converged),
        n_params=k,
        losses=tuple(float(v) for v in x),
        message=message,
    )


def _pad(cov: np.ndarray, extra: int) -> np.ndarray:
    k = cov.shape[0]
    out = np.zeros((k + extra, k + extra))
    out[:k, :k] = cov
    return out


# --------------------------------------------------------------------------------------------
# Goodness of fit
# --------------------------------------------------------------------------------------------
def _plotting_positions(n: int) -> np.ndarray:
    return (np.arange(1, n + 1) - 0.5) / n


def _ks(x: np.ndarray, dist: LossDistribution) -> tuple[float, float]:
    """``D = sup |F_n − F|`` for sorted ``x`` and its p-value from the exact null law.

    Loss Models 4th ed. §16.4.1, with F the conditional cdf; same as
    ``scipy.stats.kstest(x, cdf, method="exact")``.
    """
    n = len(x)
    f = _arr(dist.cdf(x))
    i = np.arange(1, n + 1)
    d = float(max(np.max(i / n - f), np.max(f - (i - 1) / n)))
    return d, float(stats.kstwo.sf(d, n))


def _anderson_darling(x: np.ndarray, dist: LossDistribution) -> float:
    """``A² = −n − (1/n) Σ (2i − 1) [ln F(x₍ᵢ₎) + ln S(x₍ₙ₊₁₋ᵢ₎)]`` for sorted ``x``.

    Loss Models 4th ed. §16.4.2 with F the conditional cdf (left truncation at t, no
    censoring); ``S`` is taken from ``dist.sf`` so the far tail keeps its precision.
    """
    n = len(x)
    tiny = np.finfo(float).tiny
    log_f = np.log(np.maximum(_arr(dist.cdf(x)), tiny))
    log_s = np.log(np.maximum(_arr(dist.sf(x)), tiny))
    i = np.arange(1, n + 1)
    return float(-n - np.sum((2 * i - 1) * (log_f + log_s[::-1])) / n)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------
def _arr(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=float)


def _json_float(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None
