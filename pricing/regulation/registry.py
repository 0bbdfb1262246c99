"""The registry of regimes: code → calculator, parameters, currency and jurisdiction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..exceptions import InputError
from ._base import RegulatoryMinimum
from .dubai import VaraParams, dubai
from .fx import DEFAULT_FX, FxRates
from .hong_kong import HkParams, hong_kong
from .inputs import RegimeInputs
from .japan import JpParams, japan_current
from .japan_2027 import Jp2027Params, JpDraftScenario, japan_2027
from .korea import KrParams, korea
from .mica import MicaParams, mica
from .params import RegimeParams, load_settings_file
from .singapore import SgParams, singapore

__all__ = [
    "ALIASES",
    "JURISDICTION_REGIMES",
    "REGIMES",
    "Regime",
    "minimum",
    "minimums",
    "regime_params",
    "resolve",
]


@dataclass(frozen=True, slots=True)
class Regime:
    """One regime: its code, name, currency, parameter class and calculator."""

    code: str
    name: str
    currency: str
    jurisdiction: str
    params_class: type
    calculator: Callable[..., RegulatoryMinimum]
    scenario: bool = False

    def __call__(
        self,
        inputs: RegimeInputs,
        fx: FxRates = DEFAULT_FX,
        params: RegimeParams | None = None,
        scenario: RegimeParams | None = None,
    ) -> RegulatoryMinimum:
        """The minimum for ``inputs`` (``scenario`` is the former name of ``params``)."""
        chosen = params if params is not None else scenario
        if isinstance(chosen, JpDraftScenario):  # the former jp-draft parameters
            chosen = chosen.to_params() if self.code == "jp-2027" else None
        if chosen is not None and not isinstance(chosen, self.params_class):
            if params is None:  # a scenario of another regime is ignored, as it always was
                chosen = None
            else:
                raise InputError.single(
                    "params",
                    f"{self.code} takes {self.params_class.__name__}, got {type(chosen).__name__}",
                )
        return self.calculator(inputs, fx, chosen)

    def default_params(self) -> RegimeParams:
        """The parameters with every default."""
        return self.params_class()


#: Canonical regime codes.
REGIMES: Mapping[str, Regime] = MappingProxyType(
    {
        r.code: r
        for r in (
            Regime("jp", "Japan, PSA today", "JPY", "jp", JpParams, japan_current),
            Regime(
                "jp-2027",
                "Japan, 2027 reform (scenario)",
                "JPY",
                "jp",
                Jp2027Params,
                japan_2027,
                scenario=True,
            ),
            Regime("hk", "Hong Kong SFC", "USD", "hk", HkParams, hong_kong),
            Regime("mica", "EU MiCA Art. 67", "EUR", "eu", MicaParams, mica),
            Regime("kr", "South Korea VAUPA", "KRW", "kr", KrParams, korea),
            Regime("vara", "Dubai VARA", "AED", "ae", VaraParams, dubai),
            Regime("sg", "Singapore MAS", "SGD", "sg", SgParams, singapore),
        )
    }
)
#: Former codes still accepted.
ALIASES: Mapping[str, str] = MappingProxyType({"jp-draft": "jp-2027"})
#: The regime that holds an exchange licensed in a jurisdiction (profile ``jurisdictions``).
JURISDICTION_REGIMES: Mapping[str, str] = MappingProxyType(
    {"jp": "jp", "hk": "hk", "eu": "mica", "kr": "kr", "ae": "vara", "sg": "sg"}
)


def resolve(code: str) -> str:
    """The canonical code of ``code`` (an alias is mapped); unknown codes are an InputError."""
    if code in REGIMES:
        return code
    if code in ALIASES:
        return ALIASES[code]
    valid = ", ".join(REGIMES) + f" (alias {', '.join(ALIASES)})"
    raise InputError.single("regime", f"unknown regime {code!r}; valid codes: {valid}")


def regime_params(
    code: str,
    settings: Mapping[str, Any] | None = None,
    file: str | Path | None = None,
    base: RegimeParams | None = None,
) -> RegimeParams:
    """The parameters of ``code``: defaults (or ``base``), then ``file``, then ``settings``.

    ``file`` is JSON or TOML, flat or keyed by regime code; ``settings`` maps names to values
    (text from ``--set name=value`` is parsed by the parameter's kind).
    """
    canonical = resolve(code)
    params = base if base is not None else REGIMES[canonical].default_params()
    if file is not None:
        data = load_settings_file(file)
        keyed = [k for k in data if k in REGIMES or k in ALIASES]
        if keyed and len(keyed) == len(data):
            data = next((v for k, v in data.items() if resolve(k) == canonical), {})
            if not isinstance(data, Mapping):
                raise InputError.single("--regime-file", f"{code}: expected a table of parameters")
        params = params.with_settings(data)
    if settings:
        params = params.with_settings(settings)
    return params


def minimum(
    regime: str,
    inputs: RegimeInputs,
    fx: FxRates = DEFAULT_FX,
    params: RegimeParams | None = None,
    *,
    scenario: RegimeParams | None = None,
) -> RegulatoryMinimum:
    """The regulatory minimum of ``regime`` for ``inputs``.

    Parameters
    ----------
    regime : a key of :data:`REGIMES` or an alias (``jp-draft``).
    inputs : the exchange's facts (USD).
    fx : units of each currency per USD (shipped defaults are dated; see :mod:`.fx`).
    params : the regime's parameters (``None``: defaults); ``scenario`` is the former name
        and is ignored by regimes it does not belong to.

    Raises
    ------
    InputError
        For an unknown regime (listing the valid codes) or wrongly typed arguments.
    """
    code = resolve(regime)
    if not isinstance(inputs, RegimeInputs):
        raise InputError.single("inputs", f"must be RegimeInputs, got {type(inputs).__name__}")
    if not isinstance(fx, FxRates):
        raise InputError.single("fx", f"must be FxRates, got {type(fx).__name__}")
    if scenario is not None and not isinstance(scenario, (RegimeParams, JpDraftScenario)):
        raise InputError.single(
            "scenario", f"must be regime parameters, got {type(scenario).__name__}"
        )
    return REGIMES[code](inputs, fx, params, scenario)


def minimums(
    regime: str,
    inputs: RegimeInputs,
    jurisdictions: Iterable[str] = (),
    fx: FxRates = DEFAULT_FX,
    params: Mapping[str, RegimeParams] | None = None,
) -> tuple[RegulatoryMinimum, ...]:
    """Every minimum an exchange is held to at once: ``regime`` first, then the regime of
    each further jurisdiction it is licensed in (Japan's is ``regime`` itself when that is a
    Japanese regime). ``params`` maps regime codes to parameters."""
    params = {resolve(k): v for k, v in (params or {}).items()}
    first = resolve(regime)
    codes = [first]
    for j in jurisdictions:
        code = JURISDICTION_REGIMES.get(j)
        if code is None or REGIMES[code].jurisdiction == REGIMES[first].jurisdiction:
            continue
        if code not in codes:
            codes.append(code)
    return tuple(minimum(c, inputs, fx, params.get(c)) for c in codes)
