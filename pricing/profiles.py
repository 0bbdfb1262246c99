"""Exchange profiles: the facts about one exchange that drive its loss model and costs.

A profile is a frozen, validated record (amounts in USD, rates per year as decimals), loadable
from and savable to JSON. The two presets are illustrative exchanges whose values are
**assumptions with stated reasoning**, not data about a named firm; every value is editable.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import pandas as pd

from .checks import LIMITS, PROFILE_FIELDS, short_repr
from .exceptions import InputError, Problem
from .providers import IN_HOUSE, PROVIDER_CONTROLS

__all__ = [
    "FIELDS",
    "JURISDICTIONS",
    "MAX_PROFILE_BYTES",
    "PRESETS",
    "PROVIDER_FIELDS",
    "SECURITY_LEVELS",
    "ExchangeProfile",
    "FieldInfo",
    "load_profile",
    "load_profiles",
    "profile_table",
    "split_providers",
]

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
    signing_providers: tuple[str, ...] = ()
    provider_controls: str = "hot_and_cold"

    def __post_init__(self) -> None:
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
_OPTIONAL = ("signing_providers", "provider_controls")


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
    return out + _provider_problems(p)


MAX_NAME_LENGTH = 200


# Presets. Reasoning for each value (all are assumptions a user should replace):
# - Customer assets: domain brief §5 item 18 suggests a small Japanese exchange of about
#   ¥20bn of customer assets and a large one of ¥3tn; at about ¥157 per USD (the rate implied
#   by the brief's ¥2bn ≈ USD 12.7m) that is about USD 130m and USD 20bn. Japan's
#   registered exchanges held more than ¥5tn in total in October 2025 [10].
# - Hot share: Japan caps hot storage at 5% of customer crypto [16]; the small exchange runs at
#   the cap, the large one at 2%, the level Hong Kong requires [34] and Coinbase reported [69a].
# - Third-party provider: small exchanges are the typical buyers of wallet software (DMM used
#   Ginco [29c]); the large exchange runs its own custody stack. The small preset names Ginco
#   signing for hot and cold wallets, as at DMM Bitcoin; any name can be entered.
# - Revenue: assumed at 3% of customer assets for the small exchange and 2% for the large one
#   (trading fees scale with assets; larger venues charge lower fees). Illustrative.
# - Cost of capital: 10% (small) and 8% (large) equity hurdle rates, above the 6% Solvency II
#   cost-of-capital rate [92c] used for insurers. Illustrative.
# - Reserve yield: 1% on deposits and short government bonds; tax 30%, close to Japan's
#   effective corporate tax rate. Illustrative.
PRESETS: dict[str, ExchangeProfile] = {
    "small": ExchangeProfile(
        name="Small domestic exchange",
        customer_assets_usd=130e6,
        hot_share=0.05,
        third_party_provider=True,
        security_level="standard",
        annual_revenue_usd=3.9e6,
        cost_of_capital=0.10,
        reserve_yield=0.01,
        tax_rate=0.30,
        jurisdiction="jp",
        signing_providers=("Ginco",),
        provider_controls="hot_and_cold",
    ),
    "large": ExchangeProfile(
        name="Large global exchange",
        customer_assets_usd=20e9,
        hot_share=0.02,
        third_party_provider=False,
        security_level="strong",
        annual_revenue_usd=400e6,
        cost_of_capital=0.08,
        reserve_yield=0.01,
        tax_rate=0.30,
        jurisdiction="jp",
        signing_providers=(IN_HOUSE,),
    ),
}


def load_profile(name_or_path: str | Path) -> ExchangeProfile:
    """A preset by name (``small``, ``large``) or a profile saved as JSON.

    Raises
    ------
    InputError
        If the name is neither a preset nor a readable profile file, naming every problem.
    """
    key = str(name_or_path)
    if key in PRESETS:
        return PRESETS[key]
    return ExchangeProfile.from_json(_read_file(Path(key), "profile"), source=key)


def _read_file(path: Path, what: str) -> bytes:
    """The bytes of a profile file, or an :class:`InputError` saying why it cannot be read."""
    if path.is_dir():
        message = "is a folder, not a JSON file"
    elif not path.is_file():
        message = f"is neither a preset ({', '.join(PRESETS)}) nor an existing file"
        if what != "profile":
            message = "does not exist"
    else:
        try:
            if path.stat().st_size > MAX_PROFILE_BYTES:
                message = f"is larger than {MAX_PROFILE_BYTES:,} bytes: not a profile"
            else:
                return path.read_bytes()
        except OSError as err:
            message = f"cannot be read ({err.strerror})"
    raise InputError(str(path), [Problem(None, None, message)])


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """How a profile field is shown: label, display unit, scale and what it means.

    ``scale`` converts the stored value to the display unit (``1e-6`` for USD million, ``100``
    for a percentage); ``None`` for text, choice and yes/no fields.
    """

    name: str
    label: str
    unit: str
    scale: float | None
    help: str

    def display(self, value: Any) -> Any:
        """The stored value in the display unit."""
        return value * self.scale if self.scale is not None else value


#: Every :class:`ExchangeProfile` field with its label, unit and explanation (screens, exports).
FIELDS: tuple[FieldInfo, ...] = (
    FieldInfo("name", "Name", "", None, "Label shown on the screens and in the quote sheet."),
    FieldInfo(
        "customer_assets_usd",
        "Customer assets",
        "USD million",
        1e-6,
        "Customer crypto held in custody, at market value. Drives the theft rate (larger "
        "exchanges are attacked more often), the size of a loss and what an attack can reach.",
    ),
    FieldInfo(
        "hot_share",
        "Hot-wallet share",
        "%",
        100.0,
        "Share of customer crypto kept in online (hot) wallets. A hot-wallet breach cannot "
        "take more than the hot wallets hold. Japan caps it at 5%, Hong Kong at 2%.",
    ),
    FieldInfo(
        "third_party_provider",
        "Third-party wallet provider",
        "yes/no",
        None,
        "Whether a third-party wallet or custody vendor sits in the signing path (the route "
        "of DMM Bitcoin 2024 via Ginco and Bybit 2025 via Safe). If not, incidents that came "
        "through a provider are taken out of the theft rate.",
    ),
    FieldInfo(
        "security_level",
        "Security controls",
        "level",
        None,
        "basic, standard or strong controls; multiplies the theft rate (assumption: 1.5, 1 "
        "and 0.7 by default).",
    ),
    FieldInfo(
        "annual_revenue_usd",
        "Annual revenue",
        "USD million",
        1e-6,
        "Revenue per year; used to express costs as a share of revenue.",
    ),
    FieldInfo(
        "cost_of_capital",
        "Cost of capital",
        "% per year",
        100.0,
        "Return the owners require on capital tied up in a reserve (between -5% and 100%).",
    ),
    FieldInfo(
        "reserve_yield",
        "Reserve yield",
        "% per year",
        100.0,
        "Pre-tax yield earned on reserve assets such as deposits and government bonds "
        "(between -5% and 100%).",
    ),
    FieldInfo(
        "tax_rate",
        "Tax rate",
        "%",
        100.0,
        "Corporate tax rate on the reserve yield (0% to 100%).",
    ),
    FieldInfo(
        "jurisdiction",
        "Jurisdiction",
        "code",
        None,
        "Where the exchange is licensed: jp, hk, eu, kr, ae, sg or other.",
    ),
)


#: The provider fields, shown with the others by :func:`profile_table` (kept apart from
#: :data:`FIELDS`, which the profile page draws one widget each for).
PROVIDER_FIELDS: tuple[FieldInfo, ...] = (
    FieldInfo(
        "signing_providers",
        "Signing-path providers",
        "names",
        None,
        "Which vendors sit in the signing path (e.g. Ginco, Safe{Wallet}, Liminal, "
        "Fireblocks, BitGo, Copper), or in-house. Exchanges sharing a vendor can be hit by "
        "one compromise of it (Insurer portfolio).",
    ),
    FieldInfo(
        "provider_controls",
        "Provider signs for",
        "wallets",
        None,
        "hot: the provider signs for hot wallets only, so its compromise reaches the hot "
        "wallets; hot_and_cold: it also signs cold transfers, so a compromise can reach cold "
        "storage (Bybit 2025, DMM Bitcoin 2024).",
    ),
)


def profile_table(profile: ExchangeProfile) -> pd.DataFrame:
    """The profile as a table: field, label, value in its display unit, unit, stored value."""
    rows = []
    for info in FIELDS + PROVIDER_FIELDS:
        value = getattr(profile, info.name)
        shown = info.display(value)
        if isinstance(value, tuple):
            shown = "; ".join(value) or "not named"
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        rows.append(
            {
                "field": info.name,
                "label": info.label,
                "value": shown if isinstance(shown, str) else f"{shown:,.6g}",
                "unit": info.unit,
                "stored_value": str(value),
            }
        )
    return pd.DataFrame(rows)


def load_profiles(path: str | Path) -> list[ExchangeProfile]:
    """Many profiles: every ``*.json`` file of a folder, or a CSV with one profile per row.

    The CSV has one column per :class:`ExchangeProfile` field (``third_party_provider`` as
    true/false). Every invalid file or row is reported in one :class:`InputError`: a folder's
    problems name the file (``x.json: 'hot_share'``), a CSV's the line and column.
    """
    source = Path(path)
    problems: list[Problem] = []
    profiles: list[ExchangeProfile] = []
    if source.is_dir():
        files = sorted(source.glob("*.json"))
        if not files:
            raise InputError(str(source), [Problem(None, None, "the folder has no *.json files")])
        for file in files:
            try:
                profiles.append(ExchangeProfile.from_json(_read_file(file, "file")))
            except InputError as err:
                problems += [_in_file(file.name, p) for p in err.problems]
    elif source.is_file():
        for line, row in _read_csv(source):
            try:
                profiles.append(ExchangeProfile.from_dict(_typed(row)))
            except InputError as err:
                problems += [Problem(line, p.column, p.message) for p in err.problems]
    else:
        raise InputError(str(source), [Problem(None, None, "is neither a folder nor a CSV file")])
    if problems:
        raise InputError(str(source), problems)
    return profiles


def _in_file(name: str, problem: Problem) -> Problem:
    where = f"{name}: {problem.column}" if problem.column else name
    return Problem(problem.line, where, problem.message)


def _read_csv(source: Path) -> list[tuple[int, dict[str, str]]]:
    """A profiles CSV as ``(line, {column: text})`` rows, read as the incident files are."""
    from .data import read_text_table

    header, records, origin = read_text_table(source)
    if not records:
        raise InputError(origin, [Problem(None, None, "the file has a header but no rows")])
    return [(line, dict(zip(header, cells, strict=True))) for line, cells in records]


def split_providers(text: str) -> tuple[str, ...]:
    """Provider names from text separated by ``;`` or ``|`` (``"Fireblocks; Copper"``)."""
    return tuple(n.strip() for n in text.replace("|", ";").split(";") if n.strip())


def _typed(row: dict[str, str]) -> dict[str, Any]:
    """CSV text to field types; text that is not a number stays text (and is reported)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        text = value.strip()
        if key in ("name", "security_level", "jurisdiction", "provider_controls"):
            out[key] = text
        elif key == "signing_providers":
            out[key] = split_providers(text)
        elif key == "third_party_provider":
            lowered = text.lower()
            out[key] = {
                "true": True,
                "yes": True,
                "1": True,
                "false": False,
                "no": False,
                "0": False,
            }.get(lowered, text)
        else:
            try:
                out[key] = float(text)
            except ValueError:
                out[key] = text
    return out
