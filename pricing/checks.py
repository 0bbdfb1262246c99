"""Valid ranges of every number a user can give, and the checks that enforce them.

One table, :data:`LIMITS`, holds the documented range of each profile field and command-line
option (the README's "Valid ranges" table and the ``--help`` texts are generated from it).
A value outside its range raises :class:`~pricing.exceptions.InputError` naming the field and
the limit, before it can blow up memory or time or produce a number that cannot mean anything.

The limits are deliberately wide: they exclude only what no exchange, insurer or model can
mean (assets beyond USD 10 trillion, a negative cost of capital, more than 10 million
simulated years), not unusual but possible inputs.

Examples
--------
>>> check("hot_share", 0.05)
0.05
>>> check("hot_share", 1.5)
Traceback (most recent call last):
...
pricing.exceptions.InputError: hot_share: 1 problem found
  - 'hot_share': must be between 0 and 1, got 1.5
>>> number_problem(10**400, "customer_assets_usd")
Problem(line=None, column='customer_assets_usd', message='is too large to be a number (401 digits)')
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .exceptions import InputError, Problem

__all__ = [
    "LIMITS",
    "MAX_PROJECTION_YEARS",
    "Limit",
    "check",
    "check_all",
    "check_rate_on_line",
    "collect",
    "number_problem",
    "ranges_markdown",
    "short_repr",
    "to_number",
]

#: Exchange-profile fields among the limits (the rest are command-line options).
PROFILE_FIELDS = (
    "customer_assets_usd",
    "hot_share",
    "annual_revenue_usd",
    "cost_of_capital",
    "reserve_yield",
    "tax_rate",
)

#: How many years beyond the last year of data a rate may be projected.
MAX_PROJECTION_YEARS = 5


@dataclass(frozen=True, slots=True)
class Limit:
    """The valid range of one input: ``low``–``high`` in ``unit``, ends open or closed.

    ``unlimited`` lets the value be infinite (an unlimited layer); ``integer`` requires a whole
    number.
    """

    name: str
    low: float
    high: float
    unit: str
    what: str
    low_open: bool = False
    high_open: bool = False
    integer: bool = False
    unlimited: bool = False
    where: str = ""

    @property
    def set_by(self) -> str:
        """Where a user sets it: a profile field or a command-line option."""
        if self.where:
            return self.where
        if self.name in PROFILE_FIELDS:
            return f"profile field `{self.name}`"
        return f"`--{self.name.replace('_', '-')}`"

    def text(self) -> str:
        """The range in words, e.g. ``> 0 and at most 1e+13 USD``."""
        low = f"> {_fmt(self.low)}" if self.low_open else f">= {_fmt(self.low)}"
        high = f"< {_fmt(self.high)}" if self.high_open else f"at most {_fmt(self.high)}"
        if not self.low_open and not self.high_open and self.high <= 1 and self.low >= -1:
            words = f"between {_fmt(self.low)} and {_fmt(self.high)}"
        else:
            words = f"{low} and {high}"
        if self.integer:
            words = f"a whole number {words}"
        words = f"{words} {self.unit}".rstrip()
        return f"{words}, or unlimited" if self.unlimited else words

    def problem(
        self, value: Any, field: str | None = None, line: int | None = None
    ) -> Problem | None:
        """``None`` if ``value`` is valid, else the :class:`Problem` naming ``field``."""
        field = field or self.name
        found = number_problem(value, field, line)
        if found is not None:
            return found
        x = to_number(value)
        if math.isinf(x) and self.unlimited and x > 0:
            return None
        if math.isnan(x) or math.isinf(x):
            return Problem(line, field, f"must be a finite number, got {value!r}")
        if self.integer and not float(x).is_integer():
            return Problem(line, field, f"must be a whole number, got {value!r}")
        too_low = x <= self.low if self.low_open else x < self.low
        too_high = x >= self.high if self.high_open else x > self.high
        if too_low or too_high:
            return Problem(line, field, f"must be {self.text()}, got {_fmt(x)}")
        return None

    def check(self, value: Any, field: str | None = None) -> float:
        """``value`` as a float (an int if ``integer``), or :class:`InputError` naming the field."""
        found = self.problem(value, field)
        if found is not None:
            raise InputError(found.column or self.name, [found])
        x = to_number(value)
        return int(x) if self.integer else x


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "unlimited" if x > 0 else "-inf"
    if x != 0 and (abs(x) >= 1e5 or abs(x) < 1e-3):
        return f"{x:.3g}"
    return f"{x:g}"


def number_problem(value: Any, field: str, line: int | None = None) -> Problem | None:
    """``None`` if ``value`` is a real number (int or float, not bool), else the problem.

    Integers too large for a float (a 400-digit JSON number) and text are problems; NaN and
    infinity are numbers here (the range check decides about them).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return Problem(line, field, f"must be a number, got {short_repr(value)}")
    if isinstance(value, int):
        try:
            float(value)
        except OverflowError:
            return Problem(
                line, field, f"is too large to be a number ({len(str(abs(value)))} digits)"
            )
    return None


def short_repr(value: Any) -> str:
    """``repr(value)`` cut to 60 characters, for messages that quote a user's value."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def to_number(value: Any) -> float:
    """``value`` as a float (call :func:`number_problem` first)."""
    return float(value)


#: Every limit, by the name of the profile field or option it applies to.
LIMITS: dict[str, Limit] = {
    limit.name: limit
    for limit in (
        # Exchange profile
        Limit("customer_assets_usd", 0, 1e13, "USD", "customer crypto in custody", low_open=True),
        Limit("hot_share", 0, 1, "", "share of customer crypto in hot wallets"),
        Limit("annual_revenue_usd", 0, 1e12, "USD", "revenue per year", low_open=True),
        Limit("cost_of_capital", 0, 1, "per year", "owners' required return on a reserve"),
        Limit("reserve_yield", -0.05, 1, "per year", "pre-tax yield on reserve assets"),
        Limit("tax_rate", 0, 1, "", "corporate tax rate on the reserve yield"),
        # Calibration
        Limit("threshold", 0, 1e12, "USD", "reporting threshold of the severity fit"),
        Limit("splice_point", 0, 1e12, "USD", "body/tail splice point", low_open=True),
        # Frequency and severity specs
        Limit(
            "frequency_mean",
            0,
            1000,
            "per year",
            "expected number of losses per year",
            low_open=True,
            where="`mean` of `--frequency` (and n·p of binomial)",
        ),
        Limit("cap", 1, 1e13, "USD", "largest single loss"),
        Limit("sims", 100, 10_000_000, "years", "Monte Carlo years", integer=True),
        Limit("seed", 0, 2**32 - 1, "", "Monte Carlo seed", integer=True),
        # Layers and quotes
        Limit("retention", 0, 1e13, "USD", "per-occurrence retention"),
        Limit("limit", 1, 1e13, "USD", "per-occurrence limit", unlimited=True),
        Limit("agg_retention", 0, 1e14, "USD", "annual aggregate retention"),
        Limit("agg_limit", 1, 1e14, "USD", "annual aggregate limit", unlimited=True),
        Limit("share", 0, 1, "", "insurer's share of the layer", low_open=True),
        Limit("reinstatements", 0, 100, "", "number of reinstatements", integer=True),
        Limit("reinstatement_rate", 0, 10, "", "reinstatement cost / upfront premium"),
        Limit("theta", 0, 10, "", "expected-value loading"),
        Limit(
            "insurer_cost_of_capital",
            0,
            1,
            "per year",
            "insurer's cost of capital",
            high_open=True,
            where="`--cost-of-capital` of `quote`",
        ),
        Limit("expense_ratio", 0, 0.95, "", "expenses as a share of premium"),
        Limit("minimum_premium", 0, 1e9, "USD", "minimum premium per year"),
        Limit("rol", 0, 1, "", "market rate on line (premium / limit)", low_open=True),
        # Strategy comparison
        Limit("target", 0.5, 0.9999, "", "protection target P(all compensated)"),
        Limit("dispute_probability", 0, 1, "", "chance a claim is disputed"),
        Limit("payment_delay", 0, 120, "months", "months until the insurer pays"),
        Limit("capacity", 0, 1e13, "USD", "largest insurance limit available", low_open=True),
        Limit("user_share", 0, 1, "", "share of exchanges using a wallet provider", low_open=True),
        Limit("workers", 0, 256, "processes", "worker processes", integer=True),
    )
}


def check(name: str, value: Any, field: str | None = None) -> Any:
    """Check ``value`` against ``LIMITS[name]``; the error names ``field`` (default ``name``)."""
    return LIMITS[name].check(value, field)


def check_all(
    values: Mapping[str, Any],
    *,
    source: str,
    fields: Mapping[str, str] | None = None,
    line: int | None = None,
) -> None:
    """Check several values at once and raise one :class:`InputError` listing every problem.

    ``values`` maps limit names to values (``None`` values are skipped: an option not given);
    ``fields`` maps a limit name to the name the user knows (e.g. ``--agg-limit``).
    """
    problems = collect(values, fields=fields, line=line)
    if problems:
        raise InputError(source, problems)


def collect(
    values: Mapping[str, Any], *, fields: Mapping[str, str] | None = None, line: int | None = None
) -> list[Problem]:
    """The problems of several values (see :func:`check_all`)."""
    fields = fields or {}
    out = []
    for name, value in values.items():
        if value is None:
            continue
        found = LIMITS[name].problem(value, fields.get(name, name), line)
        if found is not None:
            out.append(found)
    return out


def ranges_markdown(names: Iterable[str] | None = None) -> str:
    """The README's "Valid ranges" table (Markdown), generated from :data:`LIMITS`."""
    rows = ["| input | set by | valid range |", "|---|---|---|"]
    for name in names or LIMITS:
        limit = LIMITS[name]
        rows.append(f"| {limit.what} | {limit.set_by} | {limit.text()} |")
    return "\n".join(rows)


def check_rate_on_line(
    rate_on_line: float,
    *,
    premium: float,
    limit: float,
    minimum_premium: float,
    fields: tuple[str, str] = ("limit", "minimum_premium"),
) -> None:
    """Refuse a quote whose premium exceeds its limit (rate on line above 100%).

    Such a price cannot mean anything: the buyer pays more each year than the cover can ever
    pay back. It happens when a minimum premium meets a tiny layer (USD 50,000 on a USD 987
    limit). ``fields`` name the limit and the minimum premium as the user knows them.

    >>> check_rate_on_line(0.05, premium=5e4, limit=1e6, minimum_premium=5e4)
    >>> check_rate_on_line(50.7, premium=5e4, limit=987, minimum_premium=5e4)
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pricing.exceptions.InputError: quote: 1 problem found
      - 'limit': the premium USD 50,000 is 50.7 times the limit USD 987 (rate on line above ...
    """
    if not (math.isfinite(rate_on_line) and rate_on_line > 1):
        return
    floor = minimum_premium > 0 and premium <= minimum_premium * (1 + 1e-9)
    cause = f"; raise the limit or lower '{fields[1]}'" if floor else "; raise the limit"
    raise InputError(
        "quote",
        [
            Problem(
                None,
                fields[0],
                f"the premium USD {premium:,.0f} is {rate_on_line:.3g} times the limit USD "
                f"{limit:,.0f} (rate on line above 100%): the buyer would pay more than the "
                f"cover can ever return{cause}",
            )
        ],
    )


if __name__ == "__main__":  # python -m pricing.checks: the README's "Valid ranges" table
    print(ranges_markdown())
