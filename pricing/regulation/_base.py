"""Shared pieces of the regime calculators: validation, the result types and formatting.

A regime's result is a :class:`RegulatoryMinimum`: the binding total of what the exchange must
fund itself, built from one or more :class:`Requirement` rows (Japan stacks several), with the
formula, the substituted numbers, the sources and the checks of the related storage rules.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..exceptions import InputError, Problem
from .references import Reference

__all__ = [
    "FUNDED_BY",
    "INSURANCE_COUNTS",
    "RegulatoryMinimum",
    "Requirement",
]

INSURANCE_COUNTS = ("yes", "no", "partly", "required")
#: Who funds a requirement: the exchange's own funds or crypto (``own``, in the reserve floor),
#: customer money held in trust (``customer``, listed but not a cost), or a policy the exchange
#: must buy (``insurance``, a minimum limit).
FUNDED_BY = ("own", "customer", "insurance")
_TOL = 1e-9  # relative tolerance of the boundary checks (a share of exactly 5% passes)


# --------------------------------------------------------------------------------------------
# Validation helpers (every message names the field)
# --------------------------------------------------------------------------------------------
def is_number(value: Any) -> bool:
    """A finite int or float that is not a bool (an int too large for a float is not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def check_number(
    out: list[str],
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    unit: str = "",
    optional: bool = False,
) -> None:
    """Append a message naming ``name`` when ``value`` is not a finite number in range."""
    if value is None and optional:
        return
    if not is_number(value):
        out.append(f"'{name}' must be a finite number, got {value!r}")
        return
    if low is not None and high is not None and not low <= value <= high:
        out.append(f"'{name}' must be between {low:g} and {high:g}, got {value:g}")
    elif low is not None and value < low:
        out.append(f"'{name}' must be ≥ {low:g}{' ' + unit if unit else ''}, got {value:g}")


def check_bool(out: list[str], name: str, value: Any) -> None:
    """Append a message naming ``name`` when ``value`` is not a bool."""
    if not isinstance(value, bool):
        out.append(f"'{name}' must be true or false, got {value!r}")


def raise_problems(what: str, problems: list[str]) -> None:
    """Raise one :class:`InputError` listing every problem (``what`` names the input)."""
    if problems:
        raise InputError(what, [_problem(p) for p in problems])


def check_known_names(what: str, given: Any, known: Any, kind: str) -> None:
    """Raise one :class:`InputError` for every name in ``given`` that is not in ``known``
    (``kind`` says what a name should be, e.g. "a currency field")."""
    allowed = ", ".join(sorted(known))
    raise_problems(
        what,
        [f"'{k}' is not {kind}; use one of {allowed}" for k in sorted(set(given) - set(known))],
    )


def _problem(text: str) -> Problem:
    """A problem whose field is the first quoted name of ``text``."""
    if text.startswith("'") and "'" in text[1:]:
        end = text.index("'", 1)
        return Problem(None, text[1:end], text[end + 1 :].strip())
    return Problem(None, None, text)


def leq(a: float, b: float) -> bool:
    """``a ≤ b`` up to a relative tolerance, so values exactly on a legal limit pass."""
    return a <= b + _TOL * max(1.0, abs(b))


def money(x: float, currency: str) -> str:
    """``JPY 1,234`` style amount."""
    return f"{currency} {x:,.0f}"


def value_text(v: Any) -> str:
    """An input value for display: grouped integers for amounts, ``g`` for rates."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return str(v)
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}"


def num(x: float) -> str:
    """A number for a substituted formula: grouped integers for amounts, ``g`` for rates."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:g}"


def pairs(out: list[str], name: str, value: Any) -> tuple[tuple[str, float], ...]:
    """Normalise a mapping or sequence of (category, number) pairs; bad entries are reported."""
    items = value.items() if isinstance(value, Mapping) else value
    try:
        items = tuple(items)
    except TypeError:
        out.append(f"'{name}' must be a mapping of category to number, got {value!r}")
        return ()
    result: list[tuple[str, float]] = []
    seen: set[str] = set()
    for item in items:
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            out.append(f"'{name}' entries must be (category, number) pairs, got {item!r}")
            continue
        key, number = item
        if not isinstance(key, str) or not key.strip():
            out.append(f"'{name}' categories must be non-empty texts, got {key!r}")
        elif key in seen:
            out.append(f"'{name}' lists category '{key}' twice")
        elif not is_number(number) or number < 0:
            out.append(f"'{name}[{key}]' must be a finite number ≥ 0, got {number!r}")
        else:
            seen.add(key)
            result.append((key, float(number)))
    return tuple(result)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Requirement:
    """One requirement of a regime, with its amount, formula, source and treatment.

    Attributes
    ----------
    key : short identifier, e.g. ``guarantee_crypto``.
    name : English name (translated for display by :mod:`pricing.i18n`).
    amount_local : the amount in the regime's currency (≥ 0).
    amount_usd : the amount in USD.
    formula, formula_substituted : the formula and the same with this calculation's numbers.
    source : the references it rests on.
    insurance_counts : ``yes``, ``no``, ``partly`` (up to ``insurance_share_max``) or
        ``required`` (a policy is itself the requirement).
    insurance_share_max : the largest share of ``amount`` insurance may secure (``partly``).
    funded_by : ``own`` (the exchange's own funds or crypto: part of the binding total and of
        the reserve floor), ``customer`` (customer money in trust: listed, costs nothing) or
        ``insurance`` (a policy with at least this limit must be in force).
    layer_counts : whether the theft (crime) layer the tool prices is an eligible form of
        insurance for it (MiCA: only an Art. 67(5)-(6) policy counts, not a crime layer).
    status : ``law`` or ``scenario``.
    max_retention_usd : ``insurance`` only: the largest retention the policy may carry (USD).
    """

    key: str
    name: str
    amount_local: float
    amount_usd: float
    formula: str
    formula_substituted: str
    source: tuple[Reference, ...]
    insurance_counts: str = "no"
    insurance_share_max: float = 1.0
    funded_by: str = "own"
    layer_counts: bool = True
    status: str = "law"
    max_retention_usd: float = math.inf

    def __post_init__(self) -> None:
        out: list[str] = []
        if self.insurance_counts not in INSURANCE_COUNTS:
            out.append(
                f"'insurance_counts' must be one of {', '.join(INSURANCE_COUNTS)}, "
                f"got {self.insurance_counts!r}"
            )
        if self.funded_by not in FUNDED_BY:
            out.append(f"'funded_by' must be one of {', '.join(FUNDED_BY)}, got {self.funded_by!r}")
        for name in ("amount_local", "amount_usd"):
            check_number(out, name, getattr(self, name), low=0.0)
        check_number(out, "insurance_share_max", self.insurance_share_max, low=0.0, high=1.0)
        raise_problems(f"requirement {self.key!r}", out)

    @property
    def in_floor(self) -> bool:
        """Whether the exchange funds it itself (so the reserve floor includes it)."""
        return self.funded_by == "own"

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dictionary."""
        return {
            "key": self.key,
            "name": self.name,
            "amount_local": float(self.amount_local),
            "amount_usd": float(self.amount_usd),
            "formula": self.formula,
            "formula_substituted": self.formula_substituted,
            "source": [r.ref for r in self.source],
            "insurance_counts": self.insurance_counts,
            "insurance_share_max": self.insurance_share_max,
            "funded_by": self.funded_by,
            "layer_counts": self.layer_counts,
            "status": self.status,
            "max_retention_usd": None
            if math.isinf(self.max_retention_usd)
            else self.max_retention_usd,
        }


@dataclass(frozen=True, slots=True)
class RegulatoryMinimum:
    """A regulatory minimum, with everything needed to check and cite it.

    Attributes
    ----------
    regime : regime code (a key of :data:`pricing.regulation.REGIMES`).
    name : regime and rule, for display.
    amount_local : the binding total the exchange funds itself, in ``currency`` (the sum of
        the ``own`` requirements; ≥ 0).
    currency : ISO code of ``amount_local``.
    amount_usd : the same in USD.
    formula, formula_substituted : the formula, symbolic and with this calculation's numbers.
    inputs : (name, value, unit) of every input used, including FX rates.
    components : (label, amount_local, amount_usd) parts and related amounts.
    source : the references.
    as_of : date the rule took effect or was reported; ``None`` if the sources give none.
    insurance_counts : ``yes``, ``no``, ``partly`` or ``required`` (of the main requirement).
    checks : (description, passed) of storage and cover rules.
    assumptions : parameters that are assumptions, each with its value, origin and reason.
    notes : caveats.
    reference_band : (low, high) in ``currency`` for context only; never a rule.
    requirements : every requirement that applies at once (Japan stacks three or four).
    status : what is law, what is a bill, what is a report, with dates.
    parameters : (name, value, origin) of the regime's editable parameters.
    """

    regime: str
    name: str
    amount_local: float
    currency: str
    amount_usd: float
    formula: str
    formula_substituted: str
    inputs: tuple[tuple[str, Any, str], ...]
    components: tuple[tuple[str, float, float], ...]
    source: tuple[Reference, ...]
    as_of: date | None
    insurance_counts: str
    checks: tuple[tuple[str, bool], ...] = ()
    assumptions: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    reference_band: tuple[float, float] | None = None
    requirements: tuple[Requirement, ...] = ()
    status: tuple[str, ...] = ()
    parameters: tuple[tuple[str, Any, str], ...] = ()

    def __post_init__(self) -> None:
        out: list[str] = []
        if self.insurance_counts not in INSURANCE_COUNTS:
            out.append(
                f"'insurance_counts' must be one of {', '.join(INSURANCE_COUNTS)}, "
                f"got {self.insurance_counts!r}"
            )
        for name in ("amount_local", "amount_usd"):
            check_number(out, name, getattr(self, name), low=0.0)
        raise_problems("regulatory minimum", out)

    @property
    def all_checks_pass(self) -> bool:
        """Whether every check passed (``True`` when there are none)."""
        return all(passed for _, passed in self.checks)

    @property
    def failed_checks(self) -> tuple[str, ...]:
        """Descriptions of the checks that failed."""
        return tuple(d for d, passed in self.checks if not passed)

    @property
    def required_insurance(self) -> tuple[Requirement, ...]:
        """Requirements that are themselves a policy the exchange must hold."""
        return tuple(r for r in self.requirements if r.funded_by == "insurance")

    @property
    def fx_rate(self) -> float:
        """Units of ``currency`` per USD used by this result."""
        return self.amount_local / self.amount_usd if self.amount_usd else self._input_rate()

    def _input_rate(self) -> float:
        return float({n: v for n, v, _ in self.inputs}.get(f"fx {self.currency} per USD", 1.0))

    @property
    def reference_band_usd(self) -> tuple[float, float] | None:
        """``reference_band`` converted to USD with this result's own rate."""
        if self.reference_band is None:
            return None
        rate = self._input_rate()
        return (self.reference_band[0] / rate, self.reference_band[1] / rate)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dictionary (dates as ISO text, tuples as lists)."""
        return {
            "regime": self.regime,
            "name": self.name,
            "amount_local": float(self.amount_local),
            "currency": self.currency,
            "amount_usd": float(self.amount_usd),
            "formula": self.formula,
            "formula_substituted": self.formula_substituted,
            "inputs": [{"name": n, "value": v, "unit": u} for n, v, u in self.inputs],
            "components": [
                {"label": label, "amount_local": float(a), "amount_usd": float(b)}
                for label, a, b in self.components
            ],
            "requirements": [r.to_dict() for r in self.requirements],
            "source": [r.to_dict() for r in self.source],
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "insurance_counts": self.insurance_counts,
            "checks": [{"description": d, "passed": bool(p)} for d, p in self.checks],
            "assumptions": list(self.assumptions),
            "notes": list(self.notes),
            "status": list(self.status),
            "parameters": [{"name": n, "value": v, "origin": o} for n, v, o in self.parameters],
            "reference_band": list(self.reference_band) if self.reference_band else None,
        }

    def summary(self) -> list[str]:
        """Readable English text lines (see :func:`pricing.i18n.render_minimum` for others)."""
        from ..i18n import render_minimum

        return render_minimum(self)


def result(
    regime: str,
    name: str,
    requirements: list[Requirement],
    currency: str,
    fx: Any,
    **kwargs: Any,
) -> RegulatoryMinimum:
    """A :class:`RegulatoryMinimum` whose amount is the sum of the ``own`` requirements."""
    amount = sum(r.amount_local for r in requirements if r.in_floor)
    components = tuple(
        (label, float(a), fx.to_usd(a, currency)) for label, a in kwargs.pop("components", ())
    )
    notes = tuple(kwargs.pop("notes", ())) + fx.note(currency)
    main = next((r for r in requirements if r.in_floor), requirements[0])
    kwargs.setdefault("insurance_counts", main.insurance_counts)
    kwargs.setdefault(
        "formula", " + ".join(r.formula.split(";")[0] for r in requirements if r.in_floor)
    )
    return RegulatoryMinimum(
        regime=regime,
        name=name,
        amount_local=float(amount),
        currency=currency,
        amount_usd=fx.to_usd(amount, currency),
        components=components,
        notes=notes,
        requirements=tuple(requirements),
        **kwargs,
    )


def requirement(
    fx: Any, currency: str, key: str, name: str, amount: float, **kwargs: Any
) -> Requirement:
    """A :class:`Requirement` with its USD amount converted by ``fx``."""
    return Requirement(
        key=key,
        name=name,
        amount_local=float(amount),
        amount_usd=fx.to_usd(amount, currency),
        **kwargs,
    )


def cover_check(
    label: str, cover: dict[str, float | None], required: float, currency: str, fx: Any
) -> tuple[str, bool] | None:
    """``sum(entered cover) ≥ required``; ``None`` when no cover amount was entered."""
    entered = {k: v for k, v in cover.items() if v is not None}
    if not entered:
        return None
    total = fx.from_usd(sum(entered.values()), currency)
    return (
        f"{label}: {' + '.join(entered)} = {money(total, currency)} ≥ {money(required, currency)}",
        leq(required, total),
    )


def base_rows(inputs: Any, fx: Any, currency: str) -> list[tuple[str, Any, str]]:
    """Input rows every regime shows: assets, hot share and the FX rate used."""
    rows: list[tuple[str, Any, str]] = [
        ("V_total (customer crypto)", inputs.customer_assets_usd, "USD"),
        ("hot_share (outside cold storage)", inputs.hot_share, "share"),
    ]
    if currency != "USD":
        rows.append((f"fx {currency} per USD", fx.rate(currency), f"{currency}/USD"))
    return rows


def entered(inputs: Any, *names: str) -> list[tuple[str, Any, str]]:
    """Input rows of the optional cover amounts that were entered (USD)."""
    return [(n, getattr(inputs, n), "USD") for n in names if getattr(inputs, n) is not None]
