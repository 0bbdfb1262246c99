"""An insurer's book: the exchanges it covers, their providers and the layer written on each.

The book is a CSV with one row per exchange (see ``data/example_book.csv`` and
``data/README.md``). Columns:

- ``exchange`` (required): the insured's name, unique in the book.
- the loss-relevant profile fields ``customer_assets_usd``, ``hot_share``,
  ``security_level``, ``jurisdiction`` (required unless ``profile`` is given), or
  ``profile``: a profile JSON file, relative to the book's folder.
- ``signing_providers``: provider names separated by ``;`` (``in-house`` for none);
  ``provider_controls``: ``hot`` or ``hot_and_cold`` (default ``hot_and_cold``).
- the layer: ``retention`` and ``limit`` (USD per occurrence, required), ``share`` (insurer's
  share, default 1), ``agg_retention`` and ``agg_limit`` (USD per year; defaults 0 and none).

Every problem is reported with its line and column in one
:class:`~pricing.exceptions.InputError`.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..coverage import Layer
from ..exceptions import InputError, Problem
from ..profiles import (
    JURISDICTIONS,
    SECURITY_LEVELS,
    ExchangeProfile,
    load_profile,
    split_providers,
)
from ..providers import IN_HOUSE, PROVIDER_CONTROLS

__all__ = ["BOOK_COLUMNS", "Book", "BookEntry", "load_book", "parse_book"]

#: Columns a book may have (``profile`` replaces the four profile-field columns).
BOOK_COLUMNS = (
    "exchange",
    "profile",
    "customer_assets_usd",
    "hot_share",
    "security_level",
    "jurisdiction",
    "signing_providers",
    "provider_controls",
    "retention",
    "limit",
    "share",
    "agg_retention",
    "agg_limit",
)
_PROFILE_COLUMNS = ("customer_assets_usd", "hot_share", "security_level", "jurisdiction")
#: Fields that do not enter the insurer's loss (revenue, capital costs); placeholders so a
#: book row makes a valid profile. They are not used by the portfolio.
_UNUSED_PROFILE_FIELDS = {
    "cost_of_capital": 0.10,
    "reserve_yield": 0.01,
    "tax_rate": 0.30,
}


@dataclass(frozen=True, slots=True)
class BookEntry:
    """One insured exchange: its profile (providers included) and the layer written."""

    profile: ExchangeProfile
    layer: Layer

    @property
    def name(self) -> str:
        """The insured's name."""
        return self.profile.name

    @property
    def providers(self) -> tuple[str, ...]:
        """Provider groups of the exchange: its named providers, or ``in-house``.

        A provider the profile does not name is this exchange's own group (it cannot be assumed
        to be shared with another exchange).
        """
        named = self.profile.named_providers
        if named == ("unnamed",):
            return (f"unnamed provider of {self.name}",)
        return named or (IN_HOUSE,)

    @property
    def exposure(self) -> float:
        """Most the insurer pays on one occurrence: ``share × min(limit, annual limit)``."""
        return self.layer.share * min(self.layer.limit, self.layer.annual_limit)


@dataclass(frozen=True, slots=True)
class Book:
    """The insurer's book of exchanges (order as in the file)."""

    entries: tuple[BookEntry, ...]
    source: str = "book"

    def __post_init__(self) -> None:
        if not self.entries:
            raise InputError(self.source, [Problem(None, None, "the book has no exchanges")])

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def names(self) -> tuple[str, ...]:
        """Exchange names, in book order."""
        return tuple(e.name for e in self.entries)

    @property
    def providers(self) -> tuple[str, ...]:
        """Every provider group in the book, in order of first appearance."""
        return tuple(dict.fromkeys(p for e in self.entries for p in e.providers))

    def clients(self, provider: str) -> tuple[int, ...]:
        """Book positions of the exchanges that use ``provider``."""
        return tuple(i for i, e in enumerate(self.entries) if provider in e.providers)

    def table(self) -> pd.DataFrame:
        """The book as a table (one row per exchange, the CSV's columns)."""
        return pd.DataFrame([_row(e) for e in self.entries], columns=_OUT_COLUMNS)

    def to_csv(self) -> str:
        """CSV text that :func:`parse_book` reads back."""
        return self.table().to_csv(index=False)


_OUT_COLUMNS = [c for c in BOOK_COLUMNS if c != "profile"]


def _row(e: BookEntry) -> dict[str, Any]:
    p, lay = e.profile, e.layer
    return {
        "exchange": p.name,
        "customer_assets_usd": p.customer_assets_usd,
        "hot_share": p.hot_share,
        "security_level": p.security_level,
        "jurisdiction": p.jurisdiction,
        "signing_providers": "; ".join(p.signing_providers)
        or ("" if p.third_party_provider else IN_HOUSE),
        "provider_controls": p.provider_controls,
        "retention": lay.retention,
        "limit": lay.limit,
        "share": lay.share,
        "agg_retention": lay.agg_retention,
        "agg_limit": lay.agg_limit if math.isfinite(lay.agg_limit) else "",
    }


def load_book(path: str | Path) -> Book:
    """Read a book CSV (see the module docstring); profile files are relative to its folder."""
    source = Path(path)
    if not source.is_file():
        raise InputError(str(source), [Problem(None, None, "file not found")])
    try:
        text = source.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(str(source), [Problem(None, None, f"not UTF-8 text ({err})")]) from None
    return parse_book(text, source=str(source), folder=source.parent)


def parse_book(text: str, source: str = "book", folder: Path | None = None) -> Book:
    """Parse book CSV text; every bad cell is named by line and column."""
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as err:
        raise InputError(source, [Problem(None, None, f"not a readable CSV ({err})")]) from None
    return book_from_frame(frame, source=source, folder=folder)


def book_from_frame(frame: pd.DataFrame, source: str = "book", folder: Path | None = None) -> Book:
    """A book from a table of text or values (an uploaded or edited book in the app)."""
    frame = frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    problems: list[Problem] = []
    unknown = [c for c in frame.columns if c not in BOOK_COLUMNS]
    problems += [Problem(1, c, "unknown column") for c in unknown]
    required = ["exchange", "retention", "limit"]
    if "profile" not in frame.columns:
        required += list(_PROFILE_COLUMNS)
    problems += [Problem(1, c, "missing column") for c in required if c not in frame.columns]
    if problems:
        raise InputError(source, problems)
    if frame.empty:
        raise InputError(source, [Problem(None, None, "the book has no exchanges")])
    entries: list[BookEntry] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(frame.to_dict(orient="records"), start=2):
        cells = {k: _text(v) for k, v in row.items()}
        entry = _entry(cells, i, folder, problems)
        if entry is None:
            continue
        if entry.name in seen:
            problems.append(
                Problem(i, "exchange", f"'{entry.name}' is already on line {seen[entry.name]}")
            )
            continue
        seen[entry.name] = i
        entries.append(entry)
    if problems:
        raise InputError(source, problems)
    return Book(tuple(entries), source=source)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _number(
    cells: dict[str, str],
    column: str,
    line: int,
    problems: list[Problem],
    default: float | None = None,
) -> float | None:
    text = cells.get(column, "")
    if text == "":
        if default is None:
            problems.append(Problem(line, column, "is empty; a number is required"))
        return default
    try:
        value = float(text.replace(",", "").replace("_", ""))
    except ValueError:
        problems.append(Problem(line, column, f"'{text}' is not a number"))
        return None
    if math.isnan(value):
        problems.append(Problem(line, column, "is not a number (NaN)"))
        return None
    return value


def _entry(
    cells: dict[str, str], line: int, folder: Path | None, problems: list[Problem]
) -> BookEntry | None:
    before = len(problems)
    name = cells.get("exchange", "")
    if not name:
        problems.append(Problem(line, "exchange", "is empty; name the exchange"))
    profile = _profile(cells, name, line, folder, problems)
    layer = _layer(cells, name, line, problems)
    if len(problems) > before or profile is None or layer is None:
        return None
    return BookEntry(profile, layer)


def _profile(
    cells: dict[str, str], name: str, line: int, folder: Path | None, problems: list[Problem]
) -> ExchangeProfile | None:
    providers = split_providers(cells.get("signing_providers", ""))
    controls = cells.get("provider_controls", "") or "hot_and_cold"
    if controls not in PROVIDER_CONTROLS:
        problems.append(
            Problem(
                line,
                "provider_controls",
                f"'{controls}' is not one of {', '.join(PROVIDER_CONTROLS)}",
            )
        )
    if IN_HOUSE in providers and len(providers) > 1:
        problems.append(
            Problem(line, "signing_providers", f"'{IN_HOUSE}' cannot be combined with a provider")
        )
    if len(set(providers)) != len(providers):
        problems.append(Problem(line, "signing_providers", "names a provider twice"))
    third = bool(providers) and providers != (IN_HOUSE,)
    if cells.get("profile"):
        path = Path(cells["profile"])
        if folder is not None and not path.is_absolute():
            path = folder / path
        try:
            base = load_profile(path)
        except (ValueError, OSError) as err:
            problems.append(Problem(line, "profile", str(err)))
            return None
        if cells.get("signing_providers"):
            base = _with(base, line, problems, third, providers, controls)
        return None if base is None else replace(base, name=name or base.name)
    values: dict[str, Any] = {}
    for column in ("customer_assets_usd", "hot_share"):
        values[column] = _number(cells, column, line, problems)
    for column, allowed in (("security_level", SECURITY_LEVELS), ("jurisdiction", JURISDICTIONS)):
        text = cells.get(column, "")
        if text not in allowed:
            problems.append(Problem(line, column, f"'{text}' is not one of {', '.join(allowed)}"))
        values[column] = text
    assets = values["customer_assets_usd"]
    if assets is not None and not (math.isfinite(assets) and assets > 0):
        problems.append(Problem(line, "customer_assets_usd", f"must be > 0 USD, got {assets:g}"))
        return None
    hot = values["hot_share"]
    if hot is not None and not 0 <= hot <= 1:
        problems.append(Problem(line, "hot_share", f"must be between 0 and 1, got {hot:g}"))
        return None
    if any(v is None for v in values.values()):
        return None
    try:
        return ExchangeProfile(
            name=name or "unnamed",
            third_party_provider=third,
            annual_revenue_usd=0.02 * float(assets),
            signing_providers=tuple(p for p in providers if p != IN_HOUSE) if third else providers,
            provider_controls=controls,
            **values,
            **_UNUSED_PROFILE_FIELDS,
        )
    except ValueError as err:
        problems.append(Problem(line, None, str(err)))
        return None


def _with(
    base: ExchangeProfile,
    line: int,
    problems: list[Problem],
    third: bool,
    providers: tuple[str, ...],
    controls: str,
) -> ExchangeProfile | None:
    try:
        return replace(
            base,
            third_party_provider=third,
            signing_providers=providers,
            provider_controls=controls,
        )
    except ValueError as err:
        problems.append(Problem(line, "signing_providers", str(err)))
        return None


def _layer(cells: dict[str, str], name: str, line: int, problems: list[Problem]) -> Layer | None:
    before = len(problems)
    retention = _number(cells, "retention", line, problems)
    limit = _number(cells, "limit", line, problems)
    share = _number(cells, "share", line, problems, default=1.0)
    agg_retention = _number(cells, "agg_retention", line, problems, default=0.0)
    agg_limit = _number(cells, "agg_limit", line, problems, default=math.inf)
    checks = [
        ("retention", retention, lambda v: math.isfinite(v) and v >= 0, "a finite amount >= 0 USD"),
        ("limit", limit, lambda v: v > 0, "> 0 USD"),
        ("share", share, lambda v: 0 < v <= 1, "in (0, 1]"),
        (
            "agg_retention",
            agg_retention,
            lambda v: math.isfinite(v) and v >= 0,
            "a finite amount >= 0 USD",
        ),
        ("agg_limit", agg_limit, lambda v: v > 0, "> 0 USD (empty for none)"),
    ]
    for column, value, ok, what in checks:
        if value is not None and not ok(value):
            problems.append(Problem(line, column, f"must be {what}, got {value:g}"))
    if len(problems) > before:
        return None
    return Layer(
        retention=float(retention),  # type: ignore[arg-type]
        limit=float(limit),  # type: ignore[arg-type]
        share=float(share),  # type: ignore[arg-type]
        agg_retention=float(agg_retention),  # type: ignore[arg-type]
        agg_limit=float(agg_limit),  # type: ignore[arg-type]
        name=name,
    )
