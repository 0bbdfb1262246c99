"""Vaultcover pricing library: data, loss models, aggregate losses, insurance and reserves.

Pure Python with no Streamlit dependency, so the command line, the app and batch scripts
share one implementation. The names below are what a script needs; each is loaded on first
use (``import pricing`` itself loads nothing heavy, which keeps the command line quick).

From the incident history to a recommendation, in six steps:

>>> import pricing
>>> calibration = pricing.calibrate()                        # data -> fitted models
>>> profile = pricing.PRESETS["small"]                       # or pricing.load_profile("x.json")
>>> model = pricing.build_loss_model(profile, calibration)   # profile -> frequency, severity
>>> layer = pricing.Layer(retention=2e6, limit=5e6)          # USD per theft
>>> quote = pricing.quote_layer(model.frequency, model.severity, layer)
>>> 0 < quote.rate_on_line < 1
True
>>> result = pricing.compare(model, "jp-draft")              # reserve, insurance or a mix
>>> result.recommended in ("reserve_only", "insurance_only", "hybrid")
True
>>> rule = pricing.minimum("hk", pricing.RegimeInputs.from_profile(profile))
>>> rule.regime
'hk'

Any frequency and severity (Loss Models parameterisation), e.g. the mean yearly loss
``E[N] E[X]`` of Poisson(0.05) thefts of lognormal(14.5, 1.5) size:

>>> import math
>>> total = pricing.aggregate_loss(
...     pricing.parse_frequency("poisson:0.05"),
...     pricing.parse_severity("lognormal:meanlog=14.5,sdlog=1.5"),
... )
>>> round(total.mean() / (0.05 * math.exp(14.5 + 1.5**2 / 2)), 4)
1.0

Every input problem raises :class:`InputError`, listing each problem with its field:

>>> try:
...     pricing.parse_severity("cauchy:1,2")
... except pricing.InputError as err:
...     print(err.problems[0].field)
severity
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public name -> (module, attribute) it is loaded from.
_EXPORTS: dict[str, tuple[str, str]] = {
    # data and calibration
    "load_incidents": ("data", "load_incidents"),
    "load_exposure": ("data", "load_exposure"),
    "CalibrationSpec": ("calibration", "CalibrationSpec"),
    "calibrate": ("calibration", "calibrate"),
    # exchange profiles
    "ExchangeProfile": ("profiles", "ExchangeProfile"),
    "PRESETS": ("profiles", "PRESETS"),
    "load_profile": ("profiles", "load_profile"),
    "load_profiles": ("profiles", "load_profiles"),
    # loss model and aggregate loss
    "LossModelAssumptions": ("lossmodel", "LossModelAssumptions"),
    "build_loss_model": ("lossmodel", "build_loss_model"),
    "Poisson": ("counts", "Poisson"),
    "NegativeBinomial": ("counts", "NegativeBinomial"),
    "Lognormal": ("distributions", "Lognormal"),
    "Lomax": ("distributions", "Lomax"),
    "GPD": ("distributions", "GPD"),
    "parse_frequency": ("specs", "parse_frequency"),
    "parse_severity": ("specs", "parse_severity"),
    "aggregate_loss": ("aggregate", "aggregate"),
    "GridSpec": ("aggregate", "GridSpec"),
    # layers, towers and quotes
    "Layer": ("coverage", "Layer"),
    "Tower": ("coverage", "Tower"),
    "LoadingAssumptions": ("premium", "LoadingAssumptions"),
    "quote_layer": ("coverage", "quote_layer"),
    "quote_tower": ("coverage", "quote_tower"),
    # strategies and regulation
    "StrategyAssumptions": ("strategy", "StrategyAssumptions"),
    "compare": ("strategy", "compare"),
    "compare_profiles": ("strategy", "compare_profiles"),
    "REGIMES": ("regulation", "REGIMES"),
    "RegimeInputs": ("regulation", "RegimeInputs"),
    "minimum": ("regulation", "minimum"),
    # errors and valid ranges
    "InputError": ("exceptions", "InputError"),
    "Problem": ("exceptions", "Problem"),
    "LIMITS": ("checks", "LIMITS"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Load a public name on first use (PEP 562)."""
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'pricing' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), attribute)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
