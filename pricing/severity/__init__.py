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

The package, one part a module: :mod:`~pricing.severity.families` (names, parameter names,
defaults, the ground-up law of a fit), :mod:`~pricing.severity.inputs` (input checks),
:mod:`~pricing.severity.likelihood` (log-likelihoods, start values, the maximiser),
:mod:`~pricing.severity.spliced` (the spliced model and its splice point),
:mod:`~pricing.severity.fit` (the public fit functions), :mod:`~pricing.severity.result`
(:class:`SeverityFit`, :class:`SeverityComparison`) and :mod:`~pricing.severity.goodness`
(KS, AD, plotting positions).

Examples
--------
>>> import numpy as np
>>> from pricing.distributions import Lognormal
>>> from pricing.severity import FAMILIES, fit_all, fit_severity
>>> ground_up = Lognormal(15.0, 2.0)
>>> x = ground_up.truncated(1e6).rvs(500, rng=np.random.default_rng(1))
>>> fit = fit_severity(x, "lognormal", threshold=1e6)
>>> bool(abs(fit.param["sdlog"] - 2.0) < 4 * fit.se[1])
True
>>> fit_all(x, threshold=1e6).best.family in FAMILIES
True
"""

from __future__ import annotations

from .. import lazy
from .families import (
    DEFAULT_SPLICE_QUANTILE,
    DEFAULT_THRESHOLD,
    FAMILIES,
    MIN_LOSSES,
    MIN_SPLICE_LOSSES,
)
from .families import _build as _build
from .result import SeverityComparison, SeverityFit

#: Names loaded on first use: the fits bring statsmodels, which a cached calibration skips.
_LAZY = {
    "_FITTERS": "fit",
    "fit_all": "fit",
    "fit_severity": "fit",
    "threshold_sensitivity": "fit",
    "default_splice_point": "spliced",
    "splice_candidates": "spliced",
}


__getattr__ = lazy.loader(__name__, _LAZY, globals())


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


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
