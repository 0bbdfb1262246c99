"""A scenario: everything a comparison and a quote need, as one frozen, JSON-serialisable record.

A :class:`Scenario` names an exchange profile, the calibration choices, the loss-model
assumptions and manual overrides, the regime and its parameters (inside
:class:`~pricing.strategy.StrategyAssumptions`: ``regime_params``, one set per regime edited,
``in_kind`` for compensation in kind, ``fx``; the former ``jp_draft`` is still read), the
insurance frictions, an insurance tower with its market rates, the quote loadings and the
quote sheet's editable text. :func:`evaluate` turns it into numbers; :func:`scenario_table`
lays 2–4 evaluated scenarios side by side and marks the assumptions that differ.

The JSON form is a plain dictionary of the dataclasses' fields (non-finite numbers as the
strings ``"inf"``/``"-inf"``), decoded field by field against the dataclasses' type hints, so a
bad record is reported as an :class:`~pricing.exceptions.InputError` naming every bad field.

Examples
--------
>>> from pricing.profiles import PRESETS
>>> s = Scenario(name="Base", profile=PRESETS["small"])
>>> Scenario.from_json(s.to_json()) == s
True
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .calibration import Calibration, CalibrationSpec, calibrate
from .coverage import Tower, TowerQuote, quote_tower
from .data import load_exposure, load_incidents
from .exceptions import InputError, Problem
from .lossmodel import ExchangeLossModel, LossModelAssumptions, build_loss_model
from .market import DEFAULT_TERMS, MarketTerms
from .market_quotes import BOUNDS, MarketQuote, fit_market_curve
from .premium import PRINCIPLES, LoadingAssumptions
from .profiles import ExchangeProfile
from .regulation import ALIASES, REGIMES, RegimeParams, resolve
from .strategy import Comparison, StrategyAssumptions, compare

__all__ = [
    "DEFAULT_EXCLUSIONS",
    "DEFAULT_SUBJECTIVITIES",
    "JURISDICTION_REGIMES",
    "Scenario",
    "ScenarioResult",
    "assumption_differences",
    "decode",
    "encode",
    "evaluate",
    "scenario_table",
]

#: Key naming the regime of a set of regime parameters in the JSON form.
REGIME_TAG = "regime"

#: The regime an exchange's jurisdiction is under by default (``other`` has none of its own).
JURISDICTION_REGIMES = {
    "jp": "jp-2027",
    "hk": "hk",
    "eu": "mica",
    "kr": "kr",
    "ae": "vara",
    "sg": "sg",
}

#: Starting text of the quote sheet's subjectivities (editable; an underwriter's usual list).
DEFAULT_SUBJECTIVITIES = (
    "Satisfactory completed proposal form signed by an officer of the insured.\n"
    "Independent security audit (e.g. SOC 2 Type II or equivalent) of the wallet infrastructure "
    "dated within the last 12 months.\n"
    "Confirmation of the hot/cold split and key-management procedures as stated in the profile.\n"
    "No known or reported losses between the quote date and inception."
)
#: Starting text of the quote sheet's main exclusions (editable).
DEFAULT_EXCLUSIONS = (
    "Loss caused by, or in collusion with, a director or officer of the insured.\n"
    "Voluntary transfer induced by social engineering, unless specifically endorsed.\n"
    "Loss of assets held by a third-party provider outside the insured's control, unless "
    "specifically endorsed.\n"
    "Market-value fluctuation, trading losses and consequential loss.\n"
    "War, sanctions and government seizure."
)


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything a comparison and a quote need (all amounts USD, shares as fractions).

    Attributes
    ----------
    name : the scenario's name as the user gave it.
    profile : the exchange.
    calibration : modelling choices of the market-wide fit.
    model : loss-model assumptions and manual overrides (``None``: the defaults).
    regime : code of the regulatory regime (a key of :data:`pricing.regulation.REGIMES`).
    strategy : protection target, frictions, market rate, capacity, the regimes' edited
        parameters (``regime_params``), compensation in kind (``in_kind``) and ``fx``.
    tower : the insurance tower of the quote (``None``: not set).
    market_rates : market rate on line per tower layer (``None`` entries: technical price).
    market_quotes, market_curve : the user's market quotes and the curve family fitted to
        them (:func:`pricing.market_quotes.fit_market_curve`); none: the default market terms.
    loadings, principle : the quote's loadings and premium principle.
    subjectivities, exclusions : the quote sheet's editable text.
    client : who the scenario is for (free text).
    incidents_csv, incidents_name : an uploaded incident file (CSV text) used instead of the
        shipped history, and its file name.
    """

    name: str
    profile: ExchangeProfile
    calibration: CalibrationSpec = field(default_factory=CalibrationSpec)
    model: LossModelAssumptions | None = None
    regime: str = "jp-2027"
    strategy: StrategyAssumptions = field(default_factory=StrategyAssumptions)
    tower: Tower | None = None
    market_rates: tuple[float | None, ...] = ()
    market_quotes: tuple[MarketQuote, ...] = ()
    market_curve: str = "ph"
    loadings: LoadingAssumptions = field(default_factory=LoadingAssumptions)
    principle: str = "cost_of_capital"
    subjectivities: str = DEFAULT_SUBJECTIVITIES
    exclusions: str = DEFAULT_EXCLUSIONS
    client: str = ""
    incidents_csv: str | None = None
    incidents_name: str | None = None

    def __post_init__(self) -> None:
        problems = []
        if not self.name.strip():
            problems.append(Problem(None, "name", "must not be empty"))
        if self.regime not in REGIMES and self.regime not in ALIASES:
            problems.append(
                Problem(
                    None, "regime", f"unknown regime {self.regime!r}; one of {', '.join(REGIMES)}"
                )
            )
        if self.principle not in PRINCIPLES:
            problems.append(Problem(None, "principle", f"must be one of {', '.join(PRINCIPLES)}"))
        if self.tower is not None and len(self.market_rates) not in (0, len(self.tower.layers)):
            problems.append(
                Problem(None, "market_rates", "needs one entry per tower layer (or none)")
            )
        if self.market_curve not in BOUNDS:
            problems.append(Problem(None, "market_curve", f"must be one of {', '.join(BOUNDS)}"))
        if len(self.market_quotes) > 5:
            problems.append(Problem(None, "market_quotes", "at most 5 quotes"))
        if problems:
            raise InputError("scenario", problems)

    def market_terms(self, frequency: Any, severity: Any) -> MarketTerms:
        """The market's terms for this scenario: the defaults, or the curve fitted to its
        market quotes on the loss model (``frequency``, ``severity``)."""
        if not self.market_quotes:
            return DEFAULT_TERMS
        fit = fit_market_curve(frequency, severity, self.market_quotes, family=self.market_curve)
        return fit.terms(DEFAULT_TERMS)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (plain dictionaries, lists and numbers; see :func:`encode`)."""
        return typing.cast(dict[str, Any], encode(self))

    def to_json(self) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @classmethod
    def from_dict(cls, values: Any) -> Scenario:
        """Decode :meth:`to_dict`'s form; raises :class:`InputError` naming every bad field."""
        return typing.cast(Scenario, decode(cls, values))

    @classmethod
    def from_json(cls, text: str) -> Scenario:
        """Parse JSON text (see :meth:`from_dict`)."""
        try:
            values = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError.single("scenario", f"not valid JSON ({err})") from None
        return cls.from_dict(values)

    def renamed(self, name: str) -> Scenario:
        """The same scenario under another name."""
        return dataclasses.replace(self, name=name)


# --------------------------------------------------------------------------------------------
# JSON codec for frozen dataclasses
# --------------------------------------------------------------------------------------------
def encode(value: Any) -> Any:
    """A dataclass tree as JSON-ready values; non-finite floats become ``"inf"``/``"-inf"``.

    Regime parameters are tagged with their regime (``{"regime": "jp-2027", ...}``) so that a
    list of them decodes to each regime's own parameter class.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, RegimeParams) and type(value).regime in REGIMES:
            return {REGIME_TAG: type(value).regime, **out}
        return out
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    return value


class _Bad(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", str(tp))


def _decode(tp: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(tp)
        if value is None and type(None) in options:
            return None
        errors: list[Problem] = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _decode(option, value, path)
            except _Bad as bad:
                errors = bad.problems
        raise _Bad(errors or [Problem(None, path, "must not be empty")])
    if tp is Any:
        return value
    if tp is RegimeParams:  # a regime's parameters, tagged with the regime's code
        return _decode_regime_params(value, path)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise _Bad([Problem(None, path, f"expected an object ({_type_name(tp)})")])
        hints = typing.get_type_hints(tp)
        names = {f.name for f in dataclasses.fields(tp) if f.init}
        if issubclass(tp, RegimeParams):  # typed, ranged parameters check themselves
            return _decode_params(tp, value, path)
        problems = [
            Problem(None, f"{path}.{k}" if path else k, "unknown field")
            for k in value
            if k not in names
        ]
        problems += [
            Problem(None, f"{path}.{f.name}" if path else f.name, "missing field")
            for f in dataclasses.fields(tp)
            if f.init
            and f.name not in value
            and f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
        ]
        kwargs = {}
        for name in names & set(value):
            where = f"{path}.{name}" if path else name
            try:
                kwargs[name] = _decode(hints[name], value[name], where)
            except _Bad as bad:
                problems += bad.problems
        if problems:
            raise _Bad(problems)
        try:
            return tp(**kwargs)
        except InputError as err:
            raise _Bad(
                [
                    Problem(
                        None,
                        f"{path}.{p.column}" if path and p.column else (p.column or path),
                        p.message,
                    )
                    for p in err.problems
                ]
            ) from None
        except (ValueError, TypeError) as err:
            raise _Bad([Problem(None, path or _type_name(tp), str(err))]) from None
    if origin is tuple:
        args = typing.get_args(tp)
        if not isinstance(value, (list, tuple)):
            raise _Bad([Problem(None, path, "expected a list")])
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v, f"{path}[{i}]") for i, v in enumerate(value))
        if len(args) != len(value):
            raise _Bad([Problem(None, path, f"expected {len(args)} values, got {len(value)}")])
        return tuple(
            _decode(a, v, f"{path}[{i}]") for i, (a, v) in enumerate(zip(args, value, strict=True))
        )
    if origin in (typing.Mapping, dict) or tp is dict:
        if not isinstance(value, dict):
            raise _Bad([Problem(None, path, "expected an object")])
        return dict(value)
    if tp is float:
        if isinstance(value, str) and value in ("inf", "-inf", "nan"):
            return float(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Bad([Problem(None, path, f"expected a number, got {value!r}")])
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Bad([Problem(None, path, f"expected a whole number, got {value!r}")])
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise _Bad([Problem(None, path, f"expected true or false, got {value!r}")])
        return value
    if tp is str:
        if not isinstance(value, str):
            raise _Bad([Problem(None, path, f"expected text, got {value!r}")])
        return value
    return value


def _decode_params(tp: Any, value: dict[str, Any], path: str) -> Any:
    """Parameters of class ``tp`` (defaults for names left out), each value checked."""
    if value.get(REGIME_TAG) == tp.regime:
        value = {k: v for k, v in value.items() if k != REGIME_TAG}
    try:
        return tp().with_settings(value)
    except InputError as err:
        raise _Bad(
            [
                Problem(None, f"{path}.{p.column}" if path else p.column, p.message)
                for p in err.problems
            ]
        ) from None


def _decode_regime_params(value: Any, path: str) -> Any:
    """One regime's parameters from ``{"regime": code, name: value, ...}``."""
    if not isinstance(value, dict):
        raise _Bad([Problem(None, path, "expected an object (regime parameters)")])
    code = value.get(REGIME_TAG)
    if code not in REGIMES and code not in ALIASES:
        raise _Bad(
            [
                Problem(
                    None,
                    f"{path}.{REGIME_TAG}",
                    f"unknown regime {code!r}; one of {', '.join(REGIMES)}",
                )
            ]
        )
    cls = REGIMES[resolve(code)].params_class
    return _decode(cls, {k: v for k, v in value.items() if k != REGIME_TAG}, path)


def decode(cls: type, values: Any) -> Any:
    """A dataclass of type ``cls`` from :func:`encode`'s form; raises :class:`InputError`."""
    try:
        return _decode(cls, values, "")
    except _Bad as bad:
        raise InputError("scenario", bad.problems) from None


# --------------------------------------------------------------------------------------------
# Evaluation and side-by-side comparison
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """A scenario with its loss model, comparison and (if it has a tower) its quote."""

    scenario: Scenario
    model: ExchangeLossModel
    comparison: Comparison
    quote: TowerQuote | None
    calibration: Calibration


def evaluate(scenario: Scenario) -> ScenarioResult:
    """Fit, build the loss model, compare the strategies and price the tower of ``scenario``."""
    upload = scenario.incidents_csv
    data = load_incidents(upload.encode("utf-8")) if upload is not None else load_incidents()
    cal = calibrate(scenario.calibration, data, load_exposure())
    model = build_loss_model(scenario.profile, cal, scenario.model)
    result = compare(model, scenario.regime, scenario.strategy)
    quote = None
    if scenario.tower is not None and scenario.tower.layers:
        rates = list(scenario.market_rates) or None
        quote = quote_tower(
            model.frequency,
            model.severity,
            scenario.tower,
            scenario.loadings,
            scenario.principle,
            rates,
        )
    return ScenarioResult(scenario, model, result, quote, cal)


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else k))
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for i, v in enumerate(value):
            out.update(_flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = json.dumps(value) if isinstance(value, list) else value
    return out


def assumption_differences(scenarios: Sequence[Scenario]) -> pd.DataFrame:
    """The assumptions on which ``scenarios`` differ: one row per field, one column each."""
    flat = [_flatten(s.to_dict()) for s in scenarios]
    keys = sorted(set().union(*flat) - {"name", "subjectivities", "exclusions", "incidents_csv"})
    rows = []
    for key in keys:
        values = [f.get(key) for f in flat]
        if any(v != values[0] for v in values[1:]):
            rows.append(
                {"assumption": key, **{s.name: v for s, v in zip(scenarios, values, strict=True)}}
            )
    return pd.DataFrame(rows, columns=["assumption", *(s.name for s in scenarios)])


def scenario_table(results: Sequence[ScenarioResult]) -> pd.DataFrame:
    """2–4 evaluated scenarios side by side: one row per measure, one column per scenario.

    Rows: the recommended strategy, its retention, limit and reserve (USD), yearly cost of
    risk (USD, % of customer assets, % of revenue), P(all compensated), expected shortfall,
    the regulatory minimum (USD), and the tower premium when there is a tower. Column
    ``differs`` is True where the scenarios' values are not all equal.
    """
    if not 2 <= len(results) <= 4:
        raise InputError.single("scenarios", f"compare 2 to 4 scenarios, got {len(results)}")
    names = [r.scenario.name for r in results]
    if len(set(names)) != len(names):
        raise InputError.single("scenarios", "each scenario may appear only once")
    measures: dict[str, list[Any]] = {}
    for r in results:
        best = r.comparison.get(r.comparison.recommended)
        row = {
            "exchange": r.scenario.profile.name,
            "regime": r.scenario.regime,
            "recommended strategy": best.name,
            "retention (USD)": best.retention,
            "limit (USD)": best.limit,
            "reserve (USD)": best.reserve,
            "cost of risk (USD per year)": best.total_cost,
            "cost, % of customer assets": best.cost_pct_assets,
            "cost, % of revenue": best.cost_pct_revenue,
            "P(all compensated)": best.p_full,
            "expected shortfall (USD per year)": best.expected_shortfall,
            "regulatory minimum (USD)": r.comparison.rule.amount_usd,
            "tower premium (USD per year)": (
                r.quote.total_premium if r.quote is not None else math.nan
            ),
        }
        for k, v in row.items():
            measures.setdefault(k, []).append(v)
    frame = pd.DataFrame(measures, index=names).T.reset_index(names="measure")

    def differs(values: list[Any]) -> bool:
        first = values[0]
        for v in values[1:]:
            if isinstance(first, float) and isinstance(v, float):
                if not (
                    math.isclose(first, v, rel_tol=1e-9) or (math.isnan(first) and math.isnan(v))
                ):
                    return True
            elif v != first:
                return True
        return False

    frame["differs"] = [differs(list(v)) for v in measures.values()]
    return frame
