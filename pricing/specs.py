"""Text specs of frequency and severity models, for the command line and batch files.

``poisson:0.05`` or ``poisson:mean=0.05``; ``negbin:mean=0.2,size=5``; ``binomial:n=10,p=0.01``
(Loss Models names: NB size ``r`` with ``β = mean / r``). Severities use the Loss Models /
actuar parameter names: ``lognormal:meanlog=17,sdlog=1.8``, ``gamma:shape=..,scale=..``,
``weibull:shape=..,scale=..``, ``lomax:shape=..,scale=..``, ``loglogistic:shape=..,scale=..``,
``gpd:shape=..,scale=..,threshold=..``.
"""

from __future__ import annotations

import dataclasses

from .counts import Binomial, Frequency, NegativeBinomial, Poisson
from .distributions import GPD, Gamma, LogLogistic, Lognormal, Lomax, LossDistribution, Weibull

__all__ = ["FREQUENCY_FAMILIES", "SEVERITY_FAMILIES", "parse_frequency", "parse_severity"]

FREQUENCY_FAMILIES = {"poisson": Poisson, "negbin": NegativeBinomial, "binomial": Binomial}
SEVERITY_FAMILIES = {
    "lognormal": Lognormal,
    "gamma": Gamma,
    "weibull": Weibull,
    "lomax": Lomax,
    "loglogistic": LogLogistic,
    "gpd": GPD,
}


def _split(what: str, text: str, families: dict[str, type]) -> tuple[type, dict[str, str]]:
    family, sep, rest = text.strip().partition(":")
    family = family.strip()
    cls = families.get(family.lower())
    if cls is None:
        raise ValueError(
            f"{what} '{text}': unknown family '{family}'; choose from {', '.join(families)}"
        )
    if not sep or not rest.strip():
        raise ValueError(f"{what} '{text}': give parameters after ':', e.g. {_example(cls)}")
    names = [f.name for f in dataclasses.fields(cls)]
    params: dict[str, str] = {}
    for i, part in enumerate(rest.split(",")):
        key, eq, value = part.partition("=")
        if not eq:  # a bare value takes the i-th parameter (poisson:0.05)
            if i >= len(names):
                raise ValueError(f"{what} '{text}': too many values for {family}")
            key, value = names[i], key
        key = key.strip()
        if key not in names:
            raise ValueError(
                f"{what} '{text}': unknown parameter '{key}' for {family} "
                f"(parameters: {', '.join(names)})"
            )
        if key in params:
            raise ValueError(f"{what} '{text}': parameter '{key}' is given twice")
        params[key] = value.strip()
    missing = [n for n in names if n not in params]
    if missing:
        raise ValueError(f"{what} '{text}': missing parameter(s) {', '.join(missing)}")
    return cls, params


def _numbers(what: str, text: str, params: dict[str, str]) -> dict[str, float]:
    out = {}
    for key, value in params.items():
        try:
            out[key] = float(value)
        except ValueError:
            raise ValueError(
                f"{what} '{text}': parameter '{key}' = '{value}' is not a number"
            ) from None
    return out


def _example(cls: type) -> str:
    return f"{cls.__name__.lower()}:" + ",".join(f"{f.name}=..." for f in dataclasses.fields(cls))


def parse_frequency(text: str) -> Frequency:
    """A frequency spec from text, e.g. ``poisson:0.05`` or ``negbin:mean=0.2,size=5``."""
    cls, raw = _split("frequency", text, FREQUENCY_FAMILIES)
    values = _numbers("frequency", text, raw)
    if cls is Binomial and float(values["n"]).is_integer():
        values["n"] = int(values["n"])
    try:
        return cls(**values)
    except ValueError as err:
        raise ValueError(f"frequency '{text}': {err}") from None


def parse_severity(text: str) -> LossDistribution:
    """A severity from text, e.g. ``lognormal:meanlog=17,sdlog=1.8`` (USD)."""
    cls, raw = _split("severity", text, SEVERITY_FAMILIES)
    values = _numbers("severity", text, raw)
    try:
        return cls(**values)
    except ValueError as err:
        raise ValueError(f"severity '{text}': {err}") from None
