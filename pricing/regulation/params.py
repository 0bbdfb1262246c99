"""Editable regime parameters: typed, ranged, documented, settable from text or a file.

Every regime module declares its parameters as a frozen dataclass whose fields are made with
:func:`param`: a default, a range or a set of choices, a unit, a help text and, for defaults
that are assumptions rather than rules, the reason for the default. :class:`RegimeParams`
validates them (every problem names the parameter and what is allowed), lists them
(:meth:`RegimeParams.describe`) and applies ``name=value`` settings from the command line or a
JSON/TOML file (:meth:`RegimeParams.with_settings`, :func:`load_settings_file`).
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ..exceptions import InputError, Problem

__all__ = [
    "ParamInfo",
    "RegimeParams",
    "load_settings_file",
    "param",
    "parse_assignments",
]


def param(
    default: Any,
    *,
    help: str,
    low: float | None = None,
    high: float | None = None,
    choices: tuple[Any, ...] | None = None,
    unit: str = "",
    assumption: str | None = None,
    optional: bool = False,
) -> Any:
    """A dataclass field with the metadata :class:`RegimeParams` validates and documents.

    ``assumption`` is the reason for a default that is not a published rule; ``optional``
    allows ``None`` (written ``none`` on the command line).
    """
    meta = {
        "help": help,
        "low": low,
        "high": high,
        "choices": choices,
        "unit": unit,
        "assumption": assumption,
        "optional": optional,
    }
    return field(default=default, metadata=meta)


@dataclass(frozen=True, slots=True)
class ParamInfo:
    """How one parameter is typed, bounded and explained."""

    name: str
    kind: str
    default: Any
    allowed: str
    unit: str
    help: str
    assumption: str | None


def _kind(f: Any) -> str:
    default = f.default if f.default is not MISSING else None
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int) and f.metadata.get("choices") is None:
        return "int"
    if isinstance(default, float) or (default is None and f.metadata.get("optional")):
        return "float"
    return "choice" if f.metadata.get("choices") else "text"


def _allowed(f: Any) -> str:
    m = f.metadata
    kind = _kind(f)
    if m.get("choices"):
        text = "one of " + ", ".join(str(c) for c in m["choices"])
    elif kind == "bool":
        text = "true or false"
    elif m.get("low") is not None and m.get("high") is not None:
        text = f"{kind} in [{m['low']:g}, {m['high']:g}]"
    elif m.get("low") is not None:
        text = f"{kind} ≥ {m['low']:g}"
    else:
        text = "finite number" if kind in ("int", "float") else "text"
    return text + (" or none" if m.get("optional") else "")


def _check(f: Any, value: Any) -> str | None:
    """Why ``value`` is not allowed for field ``f`` (``None`` if it is)."""
    m = f.metadata
    if value is None and m.get("optional"):
        return None
    kind = _kind(f)
    allowed = _allowed(f)
    if m.get("choices") is not None:
        return None if value in m["choices"] else f"must be {allowed}, got {value!r}"
    if kind == "bool":
        return None if isinstance(value, bool) else f"must be {allowed}, got {value!r}"
    if kind == "text":
        return None if isinstance(value, str) else f"must be text, got {value!r}"
    ok_type = not isinstance(value, bool) and isinstance(value, (int, float))
    if kind == "int" and not (ok_type and float(value).is_integer()):
        return f"must be a whole number ({allowed}), got {value!r}"
    if not ok_type or not math.isfinite(value):
        return f"must be a finite number ({allowed}), got {value!r}"
    low, high = m.get("low"), m.get("high")
    if (low is not None and value < low) or (high is not None and value > high):
        return f"must be {allowed}, got {value:g}"
    return None


class RegimeParams:
    """Mixin of a regime's frozen parameter dataclass (fields made with :func:`param`)."""

    __slots__ = ()

    #: Regime code, set by each subclass (used in messages).
    regime: str = ""

    def __post_init__(self) -> None:
        problems = [
            Problem(None, f.name, msg)
            for f in fields(self)  # type: ignore[arg-type]
            if (msg := _check(f, getattr(self, f.name)))
        ]
        if problems:
            raise InputError(f"{self.regime} parameters", problems)

    @classmethod
    def describe(cls) -> tuple[ParamInfo, ...]:
        """Every parameter: kind, default, what is allowed, unit, help and assumption."""
        return tuple(
            ParamInfo(
                f.name,
                _kind(f),
                f.default,
                _allowed(f),
                f.metadata.get("unit", ""),
                f.metadata.get("help", ""),
                f.metadata.get("assumption"),
            )
            for f in fields(cls)  # type: ignore[arg-type]
        )

    def origin(self, name: str) -> str:
        """``default`` or ``user-set``."""
        f = next(f for f in fields(self) if f.name == name)  # type: ignore[arg-type]
        return "default" if getattr(self, name) == f.default else "user-set"

    def parameters(self) -> tuple[tuple[str, Any, str], ...]:
        """(name, value, origin) of every parameter."""
        return tuple((f.name, getattr(self, f.name), self.origin(f.name)) for f in fields(self))  # type: ignore[arg-type]

    def assumption(self, name: str, value_text: str | None = None) -> str:
        """``name = value (default; reason)`` for a parameter whose default is an assumption."""
        f = next(f for f in fields(self) if f.name == name)  # type: ignore[arg-type]
        value = getattr(self, name)
        shown = value_text if value_text is not None else _show(value)
        reason = f.metadata.get("assumption") or f.metadata.get("help", "")
        return f"{name} = {shown} ({self.origin(name)}; {reason})"

    def to_dict(self) -> dict[str, Any]:
        """Parameter values by name (JSON-serialisable)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]

    def with_settings(self, settings: Mapping[str, Any]) -> Any:
        """A copy with ``settings`` applied; text values are parsed by the parameter's kind.

        Unknown names and bad values are reported together, each naming the parameter and
        what is allowed.
        """
        by_name = {f.name: f for f in fields(self)}  # type: ignore[arg-type]
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        for name, raw in settings.items():
            f = by_name.get(name)
            if f is None:
                problems.append(
                    Problem(
                        None,
                        name,
                        f"unknown parameter of {self.regime}; parameters are " + ", ".join(by_name),
                    )
                )
                continue
            try:
                values[name] = _parse(f, raw)
            except ValueError:
                problems.append(Problem(None, name, f"must be {_allowed(f)}, got {raw!r}"))
                continue
            message = _check(f, values[name])
            if message:
                problems.append(Problem(None, name, message))
        if problems:
            raise InputError(f"{self.regime} parameters", problems)
        return replace(self, **values)  # type: ignore[type-var]


def _show(value: Any) -> str:
    if isinstance(value, float) and abs(value) >= 1000:
        return f"{value:,.0f}"
    return str(value) if not isinstance(value, float) else f"{value:g}"


_TRUE = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _parse(f: Any, raw: Any) -> Any:
    """Text from the command line or a file → the parameter's type (``ValueError`` if not)."""
    if not isinstance(raw, str):
        return raw  # typed values (JSON/TOML numbers, booleans) are validated later
    text = raw.strip()
    if f.metadata.get("optional") and text.lower() in ("none", "null", ""):
        return None
    kind = _kind(f)
    if kind == "bool":
        if text.lower() not in _TRUE:
            raise ValueError(text)
        return _TRUE[text.lower()]
    if kind == "int":
        number = float(text)
        if not number.is_integer():
            raise ValueError(text)
        return int(number)
    if kind == "float":
        return float(text)
    choices = f.metadata.get("choices")
    if choices and all(isinstance(c, int) for c in choices):
        return int(text)
    return text


def parse_assignments(items: list[str] | tuple[str, ...], option: str = "--set") -> dict[str, str]:
    """``["a=1", "b=x"]`` → ``{"a": "1", "b": "x"}``; malformed items name the option."""
    out: dict[str, str] = {}
    problems = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            problems.append(Problem(None, option, f"expected name=value, got {item!r}"))
        else:
            out[name.strip()] = value.strip()
    if problems:
        raise InputError(option, problems)
    return out


def load_settings_file(path: str | Path) -> dict[str, Any]:
    """Parameters from a JSON or TOML file (by extension; ``.toml`` is TOML, else JSON).

    The file is either a flat table ``{name: value}`` for the chosen regime, or tables keyed
    by regime code ``{"jp-2027": {...}, "hk": {...}}``.
    """
    source = Path(path)
    if not source.is_file():
        raise InputError.single("--regime-file", f"no such file: {source}")
    text = source.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text) if source.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as err:
        kind = "TOML" if source.suffix.lower() == ".toml" else "JSON"
        raise InputError.single("--regime-file", f"{source}: not valid {kind} ({err})") from None
    if not isinstance(data, dict):
        raise InputError.single("--regime-file", f"{source}: expected a table of parameters")
    return data
