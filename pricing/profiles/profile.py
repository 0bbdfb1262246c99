"""The :class:`ExchangeProfile` record and its validation: the facts about one exchange, their
valid values (security levels, jurisdictions, ranges from :data:`pricing.checks.LIMITS`), the
JSON form, and the problems that :class:`~pricing.exceptions.InputError` lists by field.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from ..checks import LIMITS, PROFILE_FIELDS, short_repr
from ..exceptions import InputError, Problem
from ..providers import IN_HOUSE, PROVIDER_CONTROLS

SECURITY_LEVELS = ("basic", "standard", "strong")
JURISDICTIONS = ("jp", "hk", "eu", "kr", "ae", "sg", "other")


@dataclass(frozen=True, slots=True)
class ExchangeProfile:
    """One exchange.

    Attributes
    ----------
    name : label shown on screens and in exports.
    customer_assets_usd : customer crypto held in custody (USD).
    hot_share : share of customer crypto kept in hot wallets, in [0, 1].
    third_party_provider : whether a third-party wallet / custody vendor sits in the signing
        path (the route of DMM Bitcoin 2024 and Bybit 2025).
    security_level : ``basic``, ``standard`` or ``strong`` controls.
    annual_revenue_usd : revenue per year (USD), to express costs as % of revenue.
    cost_of_capital : return required on capital tied up in a reserve, per year.
    reserve_yield : pre-tax yield earned on reserve assets (deposits, government bonds), per year.
    tax_rate : corporate tax rate on that yield, in [0, 1].
    jurisdiction : ``jp``, ``hk``, ``eu``, ``kr``, ``ae``, ``sg`` or ``other``.
    jurisdictions : further jurisdictions where the exchange is licensed; it is held to the
        rules of all of them at once (:func:`pricing.regulation.minimums`).
    fixed_overheads_usd : fixed overheads of the previous year (USD), for MiCA Art. 67 and
        VARA paid-up capital (0: not entered).
    customer_fiat_usd : customer money held (USD), placed in trust in Japan (信託保全).
    trading_volume_usd : yearly trading volume by category (``spot``, ``derivatives``), one to
        three years oldest first, for the securities-analogue reserve of the Japanese 2027
        scenario; JSON ``{"spot": [y1, y2, y3]}``.
    signing_providers : names of the third-party providers in the signing path (e.g.
        ``("Fireblocks",)``); empty when unnamed, ``("in-house",)`` when there is none.
    provider_controls : what the providers sign for, ``hot`` (hot wallets only) or
        ``hot_and_cold``; a compromise reaches cold storage only in the second case.
    """

    name: str
    customer_assets_usd: float
    hot_share: float
    third_party_provider: bool
    security_level: str
    annual_revenue_usd: float
    cost_of_capital: float
    reserve_yield: float
    tax_rate: float
    jurisdiction: str
    jurisdictions: tuple[str, ...] = ()
    fixed_overheads_usd: float = 0.0
    customer_fiat_usd: float = 0.0
    trading_volume_usd: tuple[tuple[str, tuple[float, ...]], ...] = ()
    signing_providers: tuple[str, ...] = ()
    provider_controls: str = "hot_and_cold"

    def __post_init__(self) -> None:
        if isinstance(self.jurisdictions, (list, str)):
            items = (
                self.jurisdictions.split("|")
                if isinstance(self.jurisdictions, str)
                else self.jurisdictions
            )
            object.__setattr__(
                self,
                "jurisdictions",
                tuple(j.strip() if isinstance(j, str) else j for j in items if j != ""),
            )
        problems = _problems(self)
        if problems:
            raise InputError("profile", problems)

    @property
    def hot_assets_usd(self) -> float:
        """Customer crypto in hot wallets (USD)."""
        return self.customer_assets_usd * self.hot_share

    @property
    def cold_assets_usd(self) -> float:
        """Customer crypto in cold storage (USD)."""
        return self.customer_assets_usd * (1.0 - self.hot_share)

    @property
    def named_providers(self) -> tuple[str, ...]:
        """Third-party providers in the signing path (``"unnamed"`` if the profile has one
        but names none; empty for an in-house signing stack)."""
        if not self.third_party_provider:
            return ()
        return self.signing_providers or ("unnamed",)

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary (the JSON form)."""
        values = asdict(self)
        values["signing_providers"] = list(self.signing_providers)
        return values

    def to_json(self) -> str:
        """JSON text, as saved by :meth:`save`."""
        return json.dumps(self.to_dict(), indent=2)

    def save(self, path: str | Path) -> None:
        """Write the profile as JSON."""
        Path(path).write_text(self.to_json() + "\n", encoding="utf-8")

    @classmethod
    def from_dict(cls, values: Any, *, source: str = "profile") -> ExchangeProfile:
        """Build from a dictionary; unknown, missing or mistyped fields are named in the error.

        Raises
        ------
        InputError
            Listing every unknown, missing or invalid field (see :data:`FIELDS` and
            :data:`pricing.checks.LIMITS` for the valid ranges).
        """
        if not isinstance(values, dict):
            raise InputError(
                source,
                [Problem(None, None, f"expected a JSON object of fields, got {_kind(values)}")],
            )
        names = [f.name for f in fields(cls)]
        problems = [Problem(None, str(k)[:60], "unknown field") for k in values if k not in names]
        problems += [
            Problem(None, k, "missing field")
            for k in names
            if k not in values and k not in _OPTIONAL
        ]
        if problems:
            raise InputError(source, problems)
        given = {k: values[k] for k in names if k in values}
        if isinstance(given.get("signing_providers"), list):
            given["signing_providers"] = tuple(given["signing_providers"])
        return cls(**given)

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str = "profile") -> ExchangeProfile:
        """Parse JSON text or bytes (UTF-8, or UTF-16/32 with a BOM; see :meth:`from_dict`)."""
        if len(text) > MAX_PROFILE_BYTES:
            raise InputError(
                source,
                [Problem(None, None, f"is larger than {MAX_PROFILE_BYTES:,} bytes: not a profile")],
            )
        try:
            values = json.loads(text)
        except UnicodeDecodeError as err:
            message = f"is not UTF-8 text (byte 0x{err.object[err.start]:02x} at {err.start})"
            raise InputError(source, [Problem(None, None, message)]) from None
        except json.JSONDecodeError as err:
            raise InputError(
                source, [Problem(err.lineno, None, f"is not valid JSON ({err.msg})")]
            ) from None
        except RecursionError:
            raise InputError(
                source, [Problem(None, None, "is not a profile: JSON nested too deeply")]
            ) from None
        except ValueError as err:  # e.g. an integer beyond Python's digit limit
            raise InputError(source, [Problem(None, None, f"is not valid JSON ({err})")]) from None
        return cls.from_dict(values, source=source)


#: A profile is a few hundred bytes; anything past this is not one.
MAX_PROFILE_BYTES = 1_000_000
#: Fields a saved profile may leave out (older files): they take their defaults.
_OPTIONAL = (
    "signing_providers",
    "provider_controls",
    "jurisdictions",
    "fixed_overheads_usd",
    "customer_fiat_usd",
    "trading_volume_usd",
)


def _provider_problems(p: ExchangeProfile) -> list[Problem]:
    names = p.signing_providers
    if not isinstance(names, tuple) or not all(isinstance(n, str) and n.strip() for n in names):
        return _as_problems(
            [f"'signing_providers' must be a list of provider names, got {short_repr(names)}"]
        )
    out: list[str] = []
    if len(set(names)) != len(names):
        out.append(f"'signing_providers' names a provider twice: {list(names)}")
    if IN_HOUSE in names and len(names) > 1:
        out.append(f"'signing_providers': '{IN_HOUSE}' cannot be combined with a provider")
    if isinstance(p.third_party_provider, bool):
        third = [n for n in names if n != IN_HOUSE]
        if p.third_party_provider and names == (IN_HOUSE,):
            out.append(f"'signing_providers' is '{IN_HOUSE}' but 'third_party_provider' is true")
        if not p.third_party_provider and third:
            out.append(
                f"'signing_providers' names {', '.join(third)} but 'third_party_provider' is false"
            )
    if p.provider_controls not in PROVIDER_CONTROLS:
        out.append(
            f"'provider_controls' must be one of {', '.join(PROVIDER_CONTROLS)}, got "
            f"{short_repr(p.provider_controls)}"
        )
    return _as_problems(out)


def _as_problems(messages: list[str]) -> list[Problem]:
    """``"'field' what is wrong"`` messages as problems naming the field."""
    out = []
    for message in messages:
        m = re.match(r"'(\w+)':? (.*)", message, re.S)
        out.append(Problem(None, m.group(1), m.group(2)) if m else Problem(None, None, message))
    return out


#: Numeric fields, each with its range in :data:`pricing.checks.LIMITS` under its own name.
NUMERIC_FIELDS = PROFILE_FIELDS


def _kind(value: Any) -> str:
    return {list: "a list", str: "a text", bool: "true/false", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def _problems(p: ExchangeProfile) -> list[Problem]:
    out: list[Problem] = []
    if not isinstance(p.name, str) or not p.name.strip():
        out.append(Problem(None, "name", "must be a non-empty text"))
    elif len(p.name) > MAX_NAME_LENGTH:
        out.append(Problem(None, "name", f"must be at most {MAX_NAME_LENGTH} characters"))
    elif any(unicodedata.category(c) in ("Cc", "Cs") for c in p.name):
        bad = next(c for c in p.name if unicodedata.category(c) in ("Cc", "Cs"))
        out.append(
            Problem(
                None,
                "name",
                f"contains a control character (U+{ord(bad):04X}); names are plain text on "
                "one line",
            )
        )
    numeric = [f for n in NUMERIC_FIELDS if (f := LIMITS[n].problem(getattr(p, n), n))]
    bad = {found.column for found in numeric}
    out += numeric
    if not bad & {"cost_of_capital", "reserve_yield", "tax_rate"}:
        after_tax = p.reserve_yield * (1 - p.tax_rate)
        if after_tax > p.cost_of_capital:
            out.append(
                Problem(
                    None,
                    "reserve_yield",
                    f"the after-tax yield ({after_tax:.4g}) is above the cost of capital "
                    f"({p.cost_of_capital:.4g}): holding a reserve would earn more than it "
                    "costs (a negative carrying cost), which no owner can mean",
                )
            )
    if not isinstance(p.third_party_provider, bool):
        out.append(
            Problem(
                None,
                "third_party_provider",
                f"must be true or false, got {short_repr(p.third_party_provider)}",
            )
        )
    if p.security_level not in SECURITY_LEVELS:
        out.append(
            Problem(
                None,
                "security_level",
                f"must be one of {', '.join(SECURITY_LEVELS)}, got {short_repr(p.security_level)}",
            )
        )
    if p.jurisdiction not in JURISDICTIONS:
        out.append(
            Problem(
                None,
                "jurisdiction",
                f"must be one of {', '.join(JURISDICTIONS)}, got {short_repr(p.jurisdiction)}",
            )
        )
    return out + _regime_problems(p) + _provider_problems(p)


def _finite(value: float) -> bool:
    """Whether a number is finite as a float (an int too large to convert is not)."""
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _regime_problems(p: ExchangeProfile) -> list[Problem]:
    """Problems of the regulatory fields (further licences, overheads, fiat, volumes)."""
    out: list[str] = []
    if not isinstance(p.jurisdictions, tuple) or any(
        not isinstance(j, str) or j not in JURISDICTIONS for j in p.jurisdictions
    ):
        out.append(
            f"'jurisdictions' must list codes among {', '.join(JURISDICTIONS)}, "
            f"got {short_repr(p.jurisdictions)}"
        )
    for name in ("fixed_overheads_usd", "customer_fiat_usd"):
        value = getattr(p, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            out.append(f"'{name}' must be a finite number, got {short_repr(value)}")
        elif not _finite(value) or value < 0 or value > 1e15:
            out.append(
                f"'{name}' must be an amount between 0 and 1e15 USD, got {short_repr(value)}"
            )
    from ..regulation.inputs import normalise_volumes

    volumes, volume_problems = normalise_volumes(p.trading_volume_usd)
    out += volume_problems
    if not volume_problems:
        object.__setattr__(p, "trading_volume_usd", volumes)
    return _as_problems(out)


MAX_NAME_LENGTH = 200
