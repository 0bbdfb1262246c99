"""Exchange rates, as data with dates: ``data/fx.csv`` (units of currency per 1 USD).

Each default rate carries the date it speaks for and its kind: ``peg`` (a currency board or
peg: HKD, AED), ``implied`` (derived from a sourced pair of amounts: JPY) or ``assumption``
(an approximate market rate: enter the rate of your valuation date). Results computed with an
assumed rate say so.

Examples
--------
>>> from pricing.regulation import DEFAULT_FX
>>> DEFAULT_FX.from_usd(1e6, "JPY")
157000000.0
>>> DEFAULT_FX.dated("HKD")
(7.8, '1983-10-17', 'peg')
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, fields
from importlib import resources
from typing import Any

from ._base import check_known_names, check_number, is_number, raise_problems

__all__ = ["CURRENCIES", "DEFAULT_FX", "FX_TABLE", "FxRates"]

#: Currencies the tool reports in (USD first).
CURRENCIES = ("USD", "JPY", "HKD", "EUR", "KRW", "SGD", "AED")


def _load() -> dict[str, dict[str, Any]]:
    text = resources.files(__package__).joinpath("data/fx.csv").read_text("utf-8")
    return {
        row["currency"]: {**row, "per_usd": float(row["per_usd"])}
        for row in csv.DictReader(text.splitlines())
    }


#: The shipped rates: currency → {per_usd, as_of, kind, source}.
FX_TABLE = _load()


@dataclass(frozen=True, slots=True)
class FxRates:
    """Units of each currency per 1 USD, with the date they speak for.

    Defaults come from ``data/fx.csv`` (see the module docstring). ``as_of`` is the valuation
    date of rates the user enters (``None``: the shipped dates per currency apply).
    """

    jpy: float = FX_TABLE["JPY"]["per_usd"]
    hkd: float = FX_TABLE["HKD"]["per_usd"]
    eur: float = FX_TABLE["EUR"]["per_usd"]
    krw: float = FX_TABLE["KRW"]["per_usd"]
    sgd: float = FX_TABLE["SGD"]["per_usd"]
    aed: float = FX_TABLE["AED"]["per_usd"]
    as_of: str | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        for code in CURRENCIES[1:]:
            name = code.lower()
            value = getattr(self, name)
            check_number(problems, name, value)
            if is_number(value) and value <= 0:
                problems.append(f"'{name}' must be > 0 units per USD, got {value:g}")
        if self.as_of is not None and not isinstance(self.as_of, str):
            problems.append(f"'as_of' must be an ISO date text, got {self.as_of!r}")
        raise_problems("FX rates", problems)

    def rate(self, currency: str) -> float:
        """Units of ``currency`` (one of :data:`CURRENCIES`, any case) per USD."""
        code = str(currency).upper()
        if code == "USD":
            return 1.0
        if code not in CURRENCIES:
            raise_problems(
                "currency",
                [f"'currency' must be one of {', '.join(CURRENCIES)}, got {currency!r}"],
            )
        return float(getattr(self, code.lower()))

    def from_usd(self, amount_usd: float, currency: str) -> float:
        """Convert ``amount_usd`` (USD) into ``currency``."""
        return amount_usd * self.rate(currency)

    def to_usd(self, amount: float, currency: str) -> float:
        """Convert ``amount`` in ``currency`` into USD."""
        return amount / self.rate(currency)

    def convert(self, amount: float, from_currency: str, to_currency: str) -> float:
        """Convert between any two of :data:`CURRENCIES`."""
        return self.from_usd(self.to_usd(amount, from_currency), to_currency)

    def is_default_rate(self, currency: str) -> bool:
        """Whether ``currency`` still has its shipped rate."""
        code = currency.upper()
        return code == "USD" or self.rate(code) == FX_TABLE[code]["per_usd"]

    @property
    def is_default(self) -> bool:
        """Whether every rate is the shipped one."""
        return all(self.is_default_rate(c) for c in CURRENCIES[1:])

    def dated(self, currency: str) -> tuple[float, str, str]:
        """(rate, as-of date, kind) of ``currency``; user-entered rates are ``user``."""
        code = currency.upper()
        if code == "USD":
            return 1.0, "", "identity"
        if self.is_default_rate(code):
            row = FX_TABLE[code]
            return row["per_usd"], row["as_of"], row["kind"]
        return self.rate(code), self.as_of or "", "user"

    def note(self, currency: str) -> tuple[str, ...]:
        """A note when ``currency`` uses an assumed shipped rate (empty otherwise)."""
        code = currency.upper()
        if code == "USD" or not self.is_default_rate(code):
            return ()
        row = FX_TABLE[code]
        if row["kind"] == "peg":
            return ()
        return (
            f"FX rate {row['per_usd']:g} {code} per USD ({row['kind']}, {row['as_of']}): "
            f"{row['source']}; override it with the rate of the valuation date.",
        )

    def with_rates(self, **rates: Any) -> FxRates:
        """A copy with some rates replaced (names as the fields; unknown names are errors)."""
        check_known_names("FX rates", rates, {f.name for f in fields(self)}, "a currency field")
        return FxRates(**{f.name: getattr(self, f.name) for f in fields(self)} | rates)

    def to_dict(self) -> dict[str, Any]:
        """Units per USD by lower-case currency code (and ``as_of``)."""
        out: dict[str, Any] = {c.lower(): float(getattr(self, c.lower())) for c in CURRENCIES[1:]}
        out["as_of"] = self.as_of
        return out


DEFAULT_FX = FxRates()
