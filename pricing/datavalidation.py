"""Loading and validating the incident and exposure files, cell by cell.

A file is checked cell by cell and **every** problem is reported with its line and column (see
:class:`~pricing.exceptions.DataValidationError`), including the sourcing and provider columns:
``platform_type`` and ``source_type`` from their vocabularies, ``second_source`` (a URL, not a
repeat of ``source``), ``signing_provider`` and ``infrastructure_provider`` (a firm's name: not
a placeholder such as ``none`` and not a URL). :mod:`pricing.data` re-exports everything here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .datafiles import Source, _check_header, _parse_amount, _parse_date, _read_table, shipped_path
from .exceptions import DataValidationError, Problem

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ATTACK_VECTORS",
    "EXPOSURE_BASES",
    "EXPOSURE_COLUMNS",
    "INCIDENT_COLUMNS",
    "ON_LEVEL_INDICES",
    "PLATFORM_TYPES",
    "SOURCE_TYPES",
    "Exposure",
    "IncidentData",
    "load_exposure",
    "load_incidents",
]

ATTACK_VECTORS = (
    "hot_wallet_key_compromise",
    "cold_wallet_compromise",
    "third_party_provider",
    "insider",
    "social_engineering",
    "software_bug",
    "account_takeover",
    "unknown",
)
#: Kind of platform the theft hit (``exchange`` includes custodial P2P markets and swap
#: services; ``custodian_lender`` custodians, lenders, brokers and crypto neobanks).
PLATFORM_TYPES = (
    "exchange",
    "custodian_lender",
    "payment_processor",
    "casino",
    "mining_pool",
    "wallet_app",
    "other",
)
#: Kind of the cited source: the platform's own statement or an authority's document
#: (``primary``), a newspaper of record or a specialist newsroom (``press``), a forensics or
#: security firm's report (``research``), anything weaker (``secondary``).
SOURCE_TYPES = ("primary", "press", "research", "secondary")
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "attack_vector": ATTACK_VECTORS,
    "wallet": ("hot", "cold", "both", "unknown"),
    "customers_reimbursed": ("full", "partial", "none", "unknown"),
    "outcome": ("continued", "acquired", "closed", "bankrupt"),
    "platform_type": PLATFORM_TYPES,
    "source_type": SOURCE_TYPES,
}
REQUIRED_INCIDENT_COLUMNS = ("date", "exchange", "loss_usd", "attack_vector", "source")
INCIDENT_COLUMNS = (
    "date",
    "exchange",
    "country",
    "platform_type",
    "loss_usd",
    "loss_native",
    "attack_vector",
    "signing_provider",
    "infrastructure_provider",
    "wallet",
    "customers_reimbursed",
    "outcome",
    "source",
    "source_type",
    "second_source",
    "notes",
)
#: Column of files written before the provider split; read as ``signing_provider``.
LEGACY_PROVIDER_COLUMN = "third_party_provider"
EXPOSURE_COLUMNS = ("year", "exchanges_tracked", "market_cap_usd", "btc_price_usd")
#: Exposure bases of the frequency model (see :func:`yearly_counts`).
EXPOSURE_BASES = ("market_cap", "exchanges")
ON_LEVEL_INDICES = ("none", "market_cap", "market_cap_per_exchange", "btc_price")

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
#: Words that stand for "no provider" or "not known": the provider cell stays empty instead
#: (a provider the source mentions without naming is written e.g. ``unnamed VPS host``).
PROVIDER_PLACEHOLDERS = frozenset(
    {"none", "no", "n/a", "na", "nil", "null", "-", "–", "—", "unknown", "in-house", "in house"}
)


# --------------------------------------------------------------------------------------------
# Cell parsers of the incident file
# --------------------------------------------------------------------------------------------
def _check_provider(text: str, column: str, line: int, problems: list[Problem]) -> None:
    """A provider cell names a firm, or is empty."""
    if text.casefold() in PROVIDER_PLACEHOLDERS:
        problems.append(
            Problem(
                line,
                column,
                f"'{text}' is a placeholder: leave the cell empty when no provider is "
                "documented (write e.g. 'unnamed VPS host' when one is mentioned but not named)",
            )
        )
    elif _URL.match(text) or "://" in text:
        problems.append(
            Problem(line, column, f"'{text}' is a URL; name the firm, cite it in notes")
        )


def _parse_vocab(
    text: str, column: str, line: int, problems: list[Problem], *, required: bool
) -> str:
    allowed = VOCABULARIES[column]
    value = text.lower()
    if value == "" and not required:
        return ""
    if value not in allowed:
        shown = f"'{text}'" if text else "empty"
        problems.append(Problem(line, column, f"{shown} is not one of: {', '.join(allowed)}"))
    return value


# --------------------------------------------------------------------------------------------
# Incidents
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class IncidentData:
    """Validated incidents, one row per theft, amounts in USD at the time of the loss.

    ``frame`` has the columns of :data:`INCIDENT_COLUMNS` plus ``year``, ``line`` (the line
    in the source file) and ``third_party_provider`` (the signing-path provider, else the
    infrastructure provider, else empty); ``loss_usd`` is NaN where the amount is unknown.
    ``notes`` lists facts about the load a user should know (optional columns that were
    absent, a legacy provider column).
    """

    frame: pd.DataFrame
    origin: str
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def years(self) -> tuple[int, int]:
        """First and last calendar year with an incident."""
        return int(self.frame["year"].min()), int(self.frame["year"].max())


def load_incidents(source: Source | None = None) -> IncidentData:
    """Load and validate an incident CSV (the shipped ``data/incidents.csv`` by default).

    Raises
    ------
    DataValidationError
        With one :class:`~pricing.exceptions.Problem` per bad cell, row or column: missing
        column, unparsable date, non-numeric or non-positive amount, value outside a controlled
        vocabulary, duplicate incident, empty file, wrong encoding.
    """
    import pandas as pd

    source = shipped_path("incidents.csv") if source is None else source
    header, records, origin = _read_table(source)
    _check_header(header, REQUIRED_INCIDENT_COLUMNS, origin)
    legacy = LEGACY_PROVIDER_COLUMN in header and "signing_provider" not in header
    missing = [
        c for c in INCIDENT_COLUMNS if c not in header and not (legacy and c == "signing_provider")
    ]
    notes = tuple(f"column '{c}' is absent; treated as unknown" for c in missing)
    if legacy:
        notes += (
            f"column '{LEGACY_PROVIDER_COLUMN}' is read as 'signing_provider' (a provider in the "
            "signing path); name a hosting provider in 'infrastructure_provider' instead",
        )
    if not records:
        raise DataValidationError(
            origin, [Problem(None, None, "the file has a header but no incident rows")]
        )
    position = {name: i for i, name in enumerate(header)}
    problems: list[Problem] = []
    rows = []
    seen: dict[tuple[object, ...], int] = {}
    for line, cells in records:

        def cell(name: str, cells: list[str] = cells) -> str:
            if name == "signing_provider" and legacy:
                name = LEGACY_PROVIDER_COLUMN
            return cells[position[name]] if name in position else ""

        def vocab(name: str, *, required: bool = False, line: int = line) -> str:
            return _parse_vocab(cell(name), name, line, problems, required=required)

        when = _parse_date(cell("date"), line, problems)
        exchange = cell("exchange")
        if not exchange:
            problems.append(Problem(line, "exchange", "is empty"))
        country = cell("country").upper()
        if country and not _COUNTRY.match(country):
            problems.append(
                Problem(
                    line,
                    "country",
                    f"'{cell('country')}' is not an ISO 3166 "
                    "two-letter code (e.g. JP, KR, US) or empty",
                )
            )
        loss = _parse_amount(cell("loss_usd"), line, "loss_usd", problems)
        if not cell("source"):
            problems.append(
                Problem(
                    line,
                    "source",
                    "is empty: every incident must name its public source (URL or report)",
                )
            )
        second = cell("second_source")
        if second and second == cell("source"):
            problems.append(Problem(line, "second_source", "repeats 'source'; give another one"))
        if second and second != cell("source") and not _URL.match(second):
            problems.append(
                Problem(line, "second_source", f"'{second}' is not a URL (http:// or https://)")
            )
        signing, infrastructure = cell("signing_provider"), cell("infrastructure_provider")
        for column, firm in (
            ("signing_provider", signing),
            ("infrastructure_provider", infrastructure),
        ):
            _check_provider(firm, column, line, problems)
        row = {
            "line": line,
            "date": when,
            "exchange": exchange,
            "country": country,
            "platform_type": vocab("platform_type"),
            "loss_usd": loss,
            "loss_native": cell("loss_native"),
            "attack_vector": vocab("attack_vector", required=True),
            "signing_provider": signing,
            "infrastructure_provider": infrastructure,
            "third_party_provider": signing or infrastructure,
            "wallet": vocab("wallet") or "unknown",
            "customers_reimbursed": vocab("customers_reimbursed") or "unknown",
            "outcome": vocab("outcome"),
            "source": cell("source"),
            "source_type": vocab("source_type"),
            "second_source": second,
            "notes": cell("notes"),
        }
        key = (when, exchange.casefold(), None if math.isnan(loss) else loss)
        if when is not None and exchange and key in seen:
            problems.append(
                Problem(
                    line,
                    None,
                    f"duplicates the incident on line {seen[key]} (same date, exchange and loss)",
                )
            )
        seen.setdefault(key, line)
        rows.append(row)
    if problems:
        raise DataValidationError(origin, problems)
    frame = pd.DataFrame(rows)
    frame["date"] = pd.to_datetime(frame["date"])
    frame.insert(2, "year", frame["date"].dt.year.astype(int))
    frame = frame.sort_values(["date", "line"], kind="stable").reset_index(drop=True)
    return IncidentData(frame=frame, origin=origin, notes=notes)


# --------------------------------------------------------------------------------------------
# Exposure
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Exposure:
    """Yearly exposure base (calendar years; amounts in USD at year end).

    ``frame`` is indexed by year with columns ``exchanges_tracked`` (count of active
    centralised exchanges tracked), ``market_cap_usd`` and ``btc_price_usd``; gaps in the
    source are filled by log-linear interpolation and listed in ``filled``.
    """

    frame: pd.DataFrame
    origin: str
    filled: tuple[str, ...] = ()

    def series(self, column: str) -> pd.Series:
        """One exposure column, indexed by year."""
        return self.frame[column]

    @property
    def years(self) -> tuple[int, int]:
        """First and last year covered."""
        return int(self.frame.index.min()), int(self.frame.index.max())


def load_exposure(source: Source | None = None) -> Exposure:
    """Load and validate the yearly exposure CSV (the shipped ``data/exposure.csv`` by default).

    Empty cells are allowed (an unknown figure stays unknown in the file); for modelling they
    are filled by log-linear interpolation between the nearest known years, and every filled
    cell is listed in :attr:`Exposure.filled`. Cells before the first or after the last known
    value of a column stay unknown: on-levelling raises if it needs one, and the frequency
    model leaves such years out and says so.
    """
    import pandas as pd

    source = shipped_path("exposure.csv") if source is None else source
    header, records, origin = _read_table(source)
    _check_header(header, EXPOSURE_COLUMNS, origin)
    position = {name: i for i, name in enumerate(header)}
    problems: list[Problem] = []
    rows = []
    seen: dict[int, int] = {}
    for line, cells in records:
        text = cells[position["year"]]
        if not re.fullmatch(r"\d{4}", text):
            problems.append(Problem(line, "year", f"'{text}' is not a four-digit year"))
            continue
        year = int(text)
        if year in seen:
            problems.append(Problem(line, "year", f"{year} duplicates line {seen[year]}"))
            continue
        seen[year] = line
        row: dict[str, float] = {"year": year}
        for column in EXPOSURE_COLUMNS[1:]:
            row[column] = _parse_amount(cells[position[column]], line, column, problems)
        rows.append(row)
    if not rows and not problems:
        problems.append(Problem(None, None, "the file has a header but no rows"))
    if problems:
        raise DataValidationError(origin, problems)
    frame = pd.DataFrame(rows).set_index("year").sort_index()
    gaps = set(range(frame.index.min(), frame.index.max() + 1)) - set(frame.index)
    if gaps:
        raise DataValidationError(
            origin, [Problem(None, "year", f"years missing between first and last: {sorted(gaps)}")]
        )
    frame, filled = _interpolate_log(frame, origin)
    return Exposure(frame=frame, origin=origin, filled=filled)


def _interpolate_log(frame: pd.DataFrame, origin: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Fill gaps *inside* each series log-linearly; gaps before the first or after the last
    known value stay unknown (NaN) and raise only where a figure for them is needed."""
    out = frame.copy()
    filled: list[str] = []
    for column in out.columns:
        known = out[column].dropna()
        if known.empty:
            continue
        missing = out.index[out[column].isna()]
        inside = [y for y in missing if known.index.min() <= y <= known.index.max()]
        if inside:
            logs = np.interp(inside, known.index.to_numpy(), np.log(known.to_numpy()))
            out.loc[inside, column] = np.exp(logs)
            filled.extend(f"{column} {y} (log-linear interpolation)" for y in inside)
    return out, tuple(filled)
