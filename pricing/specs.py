"""Text specs of frequency and severity models, for the command line and batch files.

``poisson:0.05`` or ``poisson:mean=0.05``; ``negbin:mean=0.2,size=5``; ``binomial:n=10,p=0.01``
(Loss Models names: NB size ``r`` with ``β = mean / r``). Severities use the Loss Models /
actuar parameter names: ``lognormal:meanlog=17,sdlog=1.8``, ``gamma:shape=..,scale=..``,
``weibull:shape=..,scale=..``, ``lomax:shape=..,scale=..``, ``loglogistic:shape=..,scale=..``,
``gpd:shape=..,scale=..,threshold=..``.

Every parameter has a valid range (:data:`PARAMETER_LIMITS`, amounts in USD): wide enough for
any exchange, narrow enough that the moments and the aggregate grid stay finite. A spec that
cannot be read or is out of range raises :class:`~pricing.exceptions.InputError` naming the
option, the parameter and the limit.

Examples
--------
>>> parse_frequency("poisson:0.05")
Poisson(mean=0.05)
>>> parse_severity("cauchy:1,2", field="--severity")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
pricing.exceptions.InputError: --severity: 1 problem found
  - '--severity': 'cauchy:1,2': unknown family 'cauchy'; choose from lognormal, gamma, ...
"""

from __future__ import annotations

import dataclasses
import math

from .checks import LIMITS, Limit
from .counts import Binomial, Frequency, NegativeBinomial, Poisson
from .distributions import GPD, Gamma, LogLogistic, Lognormal, Lomax, LossDistribution, Weibull
from .exceptions import InputError, Problem

__all__ = [
    "FREQUENCY_FAMILIES",
    "PARAMETER_LIMITS",
    "SEVERITY_FAMILIES",
    "parse_frequency",
    "parse_severity",
]

FREQUENCY_FAMILIES = {"poisson": Poisson, "negbin": NegativeBinomial, "binomial": Binomial}
SEVERITY_FAMILIES = {
    "lognormal": Lognormal,
    "gamma": Gamma,
    "weibull": Weibull,
    "lomax": Lomax,
    "loglogistic": LogLogistic,
    "gpd": GPD,
}

_MEAN = LIMITS["frequency_mean"]
_SCALE = Limit("scale", 0, 1e13, "USD", "scale", low_open=True)
# Below 0.05 a Weibull, Lomax or log-logistic tail puts far quantiles beyond any float
_SHAPE = Limit("shape", 0.05, 1000, "", "shape")

#: Valid range of every spec parameter, by family.
PARAMETER_LIMITS: dict[str, dict[str, Limit]] = {
    "poisson": {"mean": _MEAN},
    "negbin": {"mean": _MEAN, "size": Limit("size", 0, 1e6, "", "size r", low_open=True)},
    "binomial": {
        "n": Limit("n", 1, 100_000, "", "number of trials", integer=True),
        "p": Limit("p", 0, 1, "", "probability per trial", low_open=True),
    },
    # e^40 USD is 2e17; sdlog 10 keeps the third moment finite at meanlog 40
    "lognormal": {
        "meanlog": Limit("meanlog", -20, 40, "", "mean of log loss"),
        "sdlog": Limit("sdlog", 0, 10, "", "sd of log loss", low_open=True),
    },
    "gamma": {"shape": Limit("shape", 0, 1e4, "", "shape", low_open=True), "scale": _SCALE},
    "weibull": {"shape": _SHAPE, "scale": _SCALE},
    "lomax": {"shape": _SHAPE, "scale": _SCALE},
    "loglogistic": {"shape": _SHAPE, "scale": _SCALE},
    "gpd": {
        "shape": Limit("shape", -5, 5, "", "shape ξ"),
        "scale": _SCALE,
        "threshold": Limit("threshold", 0, 1e13, "USD", "threshold u"),
    },
}


#: A severity must have a finite quantile this far in the tail, at most MAX_QUANTILE_USD, so
#: that its aggregate can be put on a grid.
FAR_TAIL = 1e-10
MAX_QUANTILE_USD = 1e100


def _split(
    what: str, text: str, families: dict[str, type]
) -> tuple[str, type, dict[str, str], list[str]]:
    """Family, class, raw parameters and the problems found reading ``text``."""
    family, sep, rest = text.strip().partition(":")
    family = family.strip().lower()
    cls = families.get(family)
    if cls is None:
        shown = family if len(family) <= 40 else family[:37] + "..."
        return (
            family,
            type(None),
            {},
            [f"unknown family '{shown}'; choose from {', '.join(families)}"],
        )
    if not sep or not rest.strip():
        return family, cls, {}, [f"give parameters after ':', e.g. {_example(family, cls)}"]
    names = [f.name for f in dataclasses.fields(cls)]
    params: dict[str, str] = {}
    problems: list[str] = []
    for i, part in enumerate(rest.split(",")):
        key, eq, value = part.partition("=")
        if not eq:  # a bare value takes the i-th parameter (poisson:0.05)
            if i >= len(names):
                problems.append(f"too many values for {family} (parameters: {', '.join(names)})")
                continue
            key, value = names[i], key
        key = key.strip()
        if key not in names:
            problems.append(
                f"unknown parameter '{key[:40]}' for {family} (parameters: {', '.join(names)})"
            )
        elif key in params:
            problems.append(f"parameter '{key}' is given twice")
        else:
            params[key] = value.strip()
    missing = [n for n in names if n not in params]
    if missing and not problems:
        problems.append(f"missing parameter(s) {', '.join(missing)}")
    return family, cls, params, problems


def _numbers(family: str, params: dict[str, str], problems: list[str]) -> dict[str, float]:
    out = {}
    for key, value in params.items():
        try:
            x = float(value)
        except ValueError:
            problems.append(f"parameter '{key}' = '{value[:40]}' is not a number")
            continue
        limit = PARAMETER_LIMITS[family][key]
        found = limit.problem(x, key)
        if found is not None:
            problems.append(f"parameter {found}")
            continue
        out[key] = x
    return out


def _example(family: str, cls: type) -> str:
    return f"{family}:" + ",".join(f"{f.name}=..." for f in dataclasses.fields(cls))


def _raise(field: str, text: str, problems: list[str]) -> None:
    shown = text if len(text) <= 80 else text[:77] + "..."
    raise InputError(field, [Problem(None, field, f"'{shown}': {p}") for p in problems])


def parse_frequency(text: str, *, field: str = "frequency") -> Frequency:
    """A frequency spec from text, e.g. ``poisson:0.05`` or ``negbin:mean=0.2,size=5``.

    ``field`` names the input in error messages (e.g. ``--frequency``).
    """
    family, cls, raw, problems = _split("frequency", text, FREQUENCY_FAMILIES)
    values = _numbers(family, raw, problems) if not problems else {}
    if not problems and cls is Binomial:
        values["n"] = int(values["n"])
        if values["n"] * values["p"] > _MEAN.high:
            problems.append(f"the mean n·p must be at most {_MEAN.high:g} losses per year")
    if problems:
        _raise(field, text, problems)
    try:
        return cls(**values)
    except ValueError as err:  # a rule of the family beyond the ranges above
        _raise(field, text, [str(err)])
        raise  # pragma: no cover (unreachable)


def parse_severity(text: str, *, field: str = "severity") -> LossDistribution:
    """A severity from text, e.g. ``lognormal:meanlog=17,sdlog=1.8`` (USD).

    ``field`` names the input in error messages (e.g. ``--severity``).
    """
    family, cls, raw, problems = _split("severity", text, SEVERITY_FAMILIES)
    values = _numbers(family, raw, problems) if not problems else {}
    if problems:
        _raise(field, text, problems)
    try:
        severity = cls(**values)
    except ValueError as err:
        _raise(field, text, [str(err)])
        raise  # pragma: no cover (unreachable)
    far = float(severity.ppf(1 - FAR_TAIL))
    if not (math.isfinite(far) and far <= MAX_QUANTILE_USD):
        _raise(
            field,
            text,
            [
                f"the 1-in-{1 / FAR_TAIL:.0e} loss is beyond USD {MAX_QUANTILE_USD:.0e}: the tail "
                "is too heavy for any loss an exchange can suffer (lower sdlog or raise shape)"
            ],
        )
    return severity
