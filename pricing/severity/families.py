"""The candidate loss-size families of the severity fits: their names, the natural (Loss Models
/ actuar) names of their parameters, the defaults of the fits, and the ground-up
:mod:`pricing.distributions` law built from named parameters (:func:`_build`).
"""

from __future__ import annotations

from ..distributions import (
    GPD,
    Gamma,
    LogLogistic,
    Lognormal,
    Lomax,
    LossDistribution,
    Spliced,
    Weibull,
)

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
