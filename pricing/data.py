"""Historical incident data: loading, validation, filtering and on-levelling.

One loader serves the command line, the app and user uploads. A file is checked cell by cell
and **every** problem is reported with its line and column (see
:class:`~pricing.exceptions.DataValidationError`); nothing is silently dropped: rows left out
of a fit (unknown amount, below the reporting threshold, outside the chosen years or attack
vectors) are counted by reason in :class:`LossSelection`.

The shipped files live in the repository's ``data/`` folder, installed as the package
``pricing._data`` so they are found after a plain ``pip install .`` as well.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from .exceptions import DataValidationError, InputError, Problem

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
    "IncidentFilter",
    "LossSelection",
    "OnLevel",
    "exposure_base",
    "load_exposure",
    "load_incidents",
    "select_losses",
    "shipped_path",
    "yearly_counts",
    "years_without_exposure",
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

FIRST_YEAR = 2009  # bitcoin's genesis block: no crypto theft can predate it
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Source = str | Path | bytes | IO[bytes] | IO[str]


# --------------------------------------------------------------------------------------------
# Reading raw text
# --------------------------------------------------------------------------------------------
def shipped_path(name: str) -> Path:
    """Path of a file shipped with the package (``incidents.csv``, ``exposure.csv``).

    An installed wheel carries the files in ``pricing/_data``; a checkout (or an editable
    install) reads them from the repository's ``data/`` folder.
    """
    here = Path(__file__).resolve().parent
    for folder in (here / "_data", here.parent / "data"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(
        f"shipped data file '{name}' not found in {here / '_data'} or "
        f"{here.parent / 'data'}; reinstall the package"
    )


#: Largest data file read (bytes): the shipped history is about 50 kB.
MAX_FILE_BYTES = 50_000_000
#: Largest amount accepted in a cell (USD): beyond the whole crypto market by far.
MAX_AMOUNT_USD = 1e15


def _read_bytes(source: Source) -> tuple[bytes, str]:
    too_big = Problem(None, None, f"is larger than {MAX_FILE_BYTES:,} bytes")
    if isinstance(source, (str, Path)):
        path, origin = Path(source), str(source)
        if path.is_dir():
            raise DataValidationError(origin, [Problem(None, None, "is a folder, not a file")])
        if not path.is_file():
            raise DataValidationError(origin, [Problem(None, None, "file not found")])
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise DataValidationError(origin, [too_big])
            return path.read_bytes(), origin
        except OSError as err:
            raise DataValidationError(
                origin, [Problem(None, None, f"cannot be read ({err.strerror})")]
            ) from None
    if isinstance(source, bytes):
        raw, origin = source, "uploaded file"
    else:
        data = source.read(MAX_FILE_BYTES + 1)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        origin = str(getattr(source, "name", "uploaded file"))
    if len(raw) > MAX_FILE_BYTES:
        raise DataValidationError(origin, [too_big])
    return raw, origin


def _decode(raw: bytes, origin: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte-order mark
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass  # reported below as not UTF-8
    if b"\x00" in raw:  # text files hold no NUL bytes; UTF-16 without a BOM is full of them
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise DataValidationError(
            origin,
            [
                Problem(
                    line,
                    None,
                    "the file contains NUL bytes: it is not a text file, or UTF-16 without a "
                    "byte-order mark; save it as CSV UTF-8 and try again",
                )
            ],
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise DataValidationError(
            origin,
            [
                Problem(
                    line,
                    None,
                    f"the file is not UTF-8 text (byte 0x{raw[err.start]:02x} at "
                    f"position {err.start}); save it as CSV UTF-8 and try again",
                )
            ],
        ) from None


def _read_table(source: Source) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    """Header and ``(line number, cells)`` records of a CSV file."""
    raw, origin = _read_bytes(source)
    text = _decode(raw, origin)
    if not text.strip():
        raise DataValidationError(origin, [Problem(None, None, "the file is empty")])
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    records: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if header is None:
                header = [c.strip() for c in cells]
                continue
            if not any(c.strip() for c in cells):
                continue  # blank line
            if len(cells) != len(header):
                problems.append(
                    Problem(
                        start,
                        None,
                        f"has {len(cells)} fields but the header "
                        f"has {len(header)} (an unquoted comma?)",
                    )
                )
                continue
            records.append((start, [c.strip() for c in cells]))
    except csv.Error as err:
        problems.append(Problem(line, None, f"cannot be read as CSV ({err})"))
    if header is None:
        raise DataValidationError(origin, [Problem(None, None, "the file is empty")])
    if len(header) == 1:
        for name, sep in (("semicolons", ";"), ("tabs", "\t")):
            if sep in header[0]:
                raise DataValidationError(
                    origin,
                    [
                        Problem(
                            1,
                            None,
                            f"the columns are separated by {name}; save the file as CSV "
                            "with commas between columns",
                        )
                    ],
                )
    if problems:
        raise DataValidationError(origin, problems)
    return header, records, origin


def read_text_table(source: Source) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    """Header, ``(line, cells)`` records and origin of a CSV file (UTF-8 or UTF-16 with BOM).

    Raises :class:`~pricing.exceptions.DataValidationError` for an unreadable, empty or
    oversized file, naming the line.
    """
    return _read_table(source)


def _check_header(header: list[str], required: Sequence[str], origin: str) -> None:
    problems = [
        Problem(1, name, "required column is missing") for name in required if name not in header
    ]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(1, name, "column appears twice"))
        seen.add(name)
    if problems:
        raise DataValidationError(origin, problems)


# --------------------------------------------------------------------------------------------
# Cell parsers: each returns a value or appends a Problem
# --------------------------------------------------------------------------------------------
def _parse_amount(
    text: str, line: int, column: str, problems: list[Problem], *, required: bool = False
) -> float:
    if text == "":
        if required:
            problems.append(Problem(line, column, "is empty"))
        return math.nan
    try:
        value = float(text)
    except ValueError:
        problems.append(
            Problem(
                line,
                column,
                f"'{text}' is not a number (write plain digits, "
                "e.g. 1500000, without currency signs or thousands separators)",
            )
        )
        return math.nan
    if not math.isfinite(value) or value <= 0:
        problems.append(Problem(line, column, f"{text} must be a positive amount"))
        return math.nan
    if value > MAX_AMOUNT_USD:
        problems.append(
            Problem(
                line, column, f"{text} is above the largest amount accepted, {MAX_AMOUNT_USD:.0e}"
            )
        )
        return math.nan
    return value


def _parse_date(text: str, line: int, problems: list[Problem]) -> date | None:
    if not _ISO_DATE.match(text):
        problems.append(Problem(line, "date", f"'{text}' is not an ISO date YYYY-MM-DD"))
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        problems.append(Problem(line, "date", f"'{text}' is not a valid calendar date"))
        return None
    if value.year < FIRST_YEAR or value > date.today():
        problems.append(Problem(line, "date", f"{text} is outside {FIRST_YEAR}-01-01 to today"))
        return None
    return value


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
        signing, infrastructure = cell("signing_provider"), cell("infrastructure_provider")
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


# --------------------------------------------------------------------------------------------
# On-levelling and selection for fitting
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OnLevel:
    """How historical losses are brought to a target year's terms.

    A loss of year ``y`` becomes ``loss × I(target) / I(y)`` for the chosen year-end index
    ``I``: ``market_cap_per_exchange`` (total crypto market capitalisation divided by the number
    of exchanges tracked: a proxy for the assets an average exchange holds), ``market_cap``,
    ``btc_price``, or ``none`` (amounts as reported, the default: the crypto indices grew by
    three to four orders of magnitude since 2011, so they turn early thefts into today's
    largest; see ``data/README.md``). ``target_year`` defaults to the last exposure year.
    """

    index: str = "none"
    target_year: int | None = None

    def __post_init__(self) -> None:
        if self.index not in ON_LEVEL_INDICES:
            raise InputError.single(
                "on_level", f"'{self.index}' is not one of {', '.join(ON_LEVEL_INDICES)}"
            )

    def index_series(self, exposure: Exposure) -> pd.Series:
        """The year-end index ``I(y)`` by year."""
        frame = exposure.frame
        if self.index == "market_cap_per_exchange":
            return frame["market_cap_usd"] / frame["exchanges_tracked"]
        if self.index == "market_cap":
            return frame["market_cap_usd"]
        if self.index == "btc_price":
            return frame["btc_price_usd"]
        return pd.Series(1.0, index=frame.index)

    def factors(self, years: Iterable[int], exposure: Exposure) -> np.ndarray:
        """On-level factor ``I(target) / I(year)`` for each year (1 for ``none``)."""
        years = np.asarray(list(years), dtype=int)
        if self.index == "none":
            return np.ones(len(years))
        index = self.index_series(exposure)
        target = exposure.years[1] if self.target_year is None else self.target_year
        wanted = {*years.tolist(), target}
        unknown = sorted(y for y in wanted if y not in index.index or pd.isna(index.get(y)))
        if unknown:
            raise InputError.single(
                "on_level",
                f"on-levelling by '{self.index}' has no exposure figure for "
                f"year(s) {unknown}; exposure covers {exposure.years} (choose years and a "
                "target year with a figure, or on-level 'none')",
            )
        return float(index[target]) / index.loc[years].to_numpy(dtype=float)


@dataclass(frozen=True, eq=False)
class LossSelection:
    """The incidents used for a fit, with everything left out counted by reason.

    ``frame`` holds the included incidents with ``factor`` (on-level factor) and
    ``loss_onlevel`` (USD in ``target_year`` terms). ``excluded`` pairs each reason with the
    number of incidents it removed.
    """

    frame: pd.DataFrame
    threshold: float
    on_level: OnLevel
    target_year: int
    year_range: tuple[int, int]
    excluded: tuple[tuple[str, int], ...] = field(default=())

    @property
    def losses(self) -> np.ndarray:
        """On-levelled losses above the threshold (USD, target-year terms)."""
        return self.frame["loss_onlevel"].to_numpy(dtype=float)

    @property
    def n(self) -> int:
        """Number of losses used."""
        return len(self.frame)

    def exclusion_text(self) -> str:
        """One sentence for screens and logs: what was left out and why."""
        if not self.excluded:
            return "No incidents were left out."
        parts = [f"{count} {reason}" for reason, count in self.excluded]
        return "Left out: " + "; ".join(parts) + "."


def select_losses(
    data: IncidentData,
    exposure: Exposure,
    *,
    threshold: float = 1e6,
    on_level: OnLevel | None = None,
    years: tuple[int, int] | None = None,
    attack_vectors: Sequence[str] | None = None,
    platform_types: Sequence[str] | None = None,
) -> LossSelection:
    """Choose the incidents to fit and bring their losses to target-year terms.

    The reporting ``threshold`` (USD, target-year terms) is applied to the on-levelled loss;
    incidents at or below it, with unknown amounts, outside ``years`` (inclusive), outside
    ``attack_vectors`` or on a platform type not in ``platform_types`` (``None``: all; an empty
    type counts as not selected) are counted in :attr:`LossSelection.excluded`, never silently
    dropped.
    """
    if not (math.isfinite(threshold) and threshold >= 0):
        raise InputError.single(
            "threshold", f"must be a non-negative amount in USD, got {threshold!r}"
        )
    on_level = OnLevel() if on_level is None else on_level
    frame = data.frame
    year_range = data.years if years is None else (int(years[0]), int(years[1]))
    if year_range[0] > year_range[1]:
        raise InputError.single(
            "years", f"first year {year_range[0]} is after last year {year_range[1]}"
        )
    if attack_vectors is not None:
        bad = sorted(set(attack_vectors) - set(ATTACK_VECTORS))
        if bad:
            raise InputError.single(
                "attack_vectors", f"unknown value(s) {bad}; allowed: {', '.join(ATTACK_VECTORS)}"
            )
    if platform_types is not None:
        bad = sorted(set(platform_types) - set(PLATFORM_TYPES))
        if bad or not platform_types:
            raise InputError.single(
                "platform_types",
                f"unknown or empty {bad}; allowed: {', '.join(PLATFORM_TYPES)}",
            )
    excluded: list[tuple[str, int]] = []

    def drop(mask: pd.Series, reason: str) -> pd.DataFrame:
        count = int((~mask).sum())
        if count:
            excluded.append((reason, count))
        return frame[mask]

    first_indexed = _first_indexed_year(on_level, exposure) if years is None else None
    if first_indexed is not None and year_range[0] < first_indexed <= year_range[1]:
        # Default years with an on-level index: start at the index's first figure, and say so
        frame = drop(
            frame["year"] >= first_indexed,
            f"before {first_indexed}, the first year with a '{on_level.index}' figure",
        )
        year_range = (first_indexed, year_range[1])
    frame = drop(frame["year"].between(*year_range), f"outside {year_range[0]}–{year_range[1]}")
    if attack_vectors is not None:
        frame = drop(
            frame["attack_vector"].isin(list(attack_vectors)), "with an attack vector not selected"
        )
    if platform_types is not None:
        frame = drop(
            frame["platform_type"].isin(list(platform_types)), "on a platform type not selected"
        )
    frame = drop(frame["loss_usd"].notna(), "with unknown loss amount")
    frame = frame.copy()
    frame["factor"] = on_level.factors(frame["year"], exposure)
    frame["loss_onlevel"] = frame["loss_usd"] * frame["factor"]
    frame = drop(
        frame["loss_onlevel"] > threshold,
        f"at or below the reporting threshold of USD {threshold:,.0f}",
    )
    target = exposure.years[1] if on_level.target_year is None else on_level.target_year
    return LossSelection(
        frame=frame.reset_index(drop=True),
        threshold=float(threshold),
        on_level=on_level,
        target_year=int(target),
        year_range=year_range,
        excluded=tuple(excluded),
    )


def _first_indexed_year(on_level: OnLevel, exposure: Exposure) -> int | None:
    """First year with a figure of the on-level index (``None`` for no on-levelling)."""
    if on_level.index == "none":
        return None
    known = on_level.index_series(exposure).dropna()
    return int(known.index.min()) if not known.empty else None


@dataclass(frozen=True, slots=True)
class IncidentFilter:
    """A view of the incident table: years (inclusive), attack vectors, platform types,
    provider, minimum loss.

    ``provider`` is ``any``, ``third_party`` (a signing-path or infrastructure provider is
    named) or ``in_house``; ``min_loss_usd`` keeps incidents of at least that amount at the
    time (incidents with an unknown amount are kept only when it is 0).
    """

    years: tuple[int, int] | None = None
    attack_vectors: tuple[str, ...] | None = None
    platform_types: tuple[str, ...] | None = None
    provider: str = "any"
    min_loss_usd: float = 0.0

    def __post_init__(self) -> None:
        if self.provider not in ("any", "third_party", "in_house"):
            raise InputError.single(
                "provider", f"'{self.provider}' is not one of any, third_party, in_house"
            )
        if not self.min_loss_usd >= 0:
            raise InputError.single("min_loss_usd", f"must be >= 0 USD, got {self.min_loss_usd!r}")

    def apply(self, data: IncidentData) -> tuple[pd.DataFrame, int]:
        """The incidents that pass, and how many were filtered out."""
        frame = data.frame
        mask = pd.Series(True, index=frame.index)
        if self.years is not None:
            mask &= frame["year"].between(*self.years)
        if self.attack_vectors is not None:
            mask &= frame["attack_vector"].isin(list(self.attack_vectors))
        if self.platform_types is not None:
            mask &= frame["platform_type"].isin(list(self.platform_types))
        has_provider = frame["third_party_provider"].str.len() > 0
        if self.provider == "third_party":
            mask &= has_provider
        elif self.provider == "in_house":
            mask &= ~has_provider
        if self.min_loss_usd > 0:
            mask &= frame["loss_usd"] >= self.min_loss_usd
        return frame[mask], int((~mask).sum())


def exposure_base(exposure: Exposure, base: str = "market_cap") -> tuple[pd.Series, str]:
    """Yearly exposure of the frequency model, in exchange-years, and a sentence saying how.

    ``exchanges``: the number of exchanges tracked each year, as the file gives it.

    ``market_cap`` (the default): one consistent series, total crypto market capitalisation
    at year end, expressed in **exchange-equivalents** of an anchor year ``a`` (the last year
    with both an exchange count and a market capitalisation):
    ``E_t = N_a × M_t / M_a``. The yearly pattern (and so the trend) comes from the
    market-cap series alone; the anchor count only sets the unit, so the fitted rate is per
    exchange holding the average anchor-year share of the market. Rescaling an offset by a
    constant moves only the intercept of the GLM, never the trend or its fit.
    """
    frame = exposure.frame
    if base == "exchanges":
        return frame["exchanges_tracked"], "exchanges tracked each year"
    if base != "market_cap":
        raise InputError.single(
            "exposure_base", f"'{base}' is not one of {', '.join(EXPOSURE_BASES)}"
        )
    both = frame[["exchanges_tracked", "market_cap_usd"]].dropna()
    if both.empty:
        raise InputError.single(
            "exposure_base",
            "'market_cap' needs one year with both 'exchanges_tracked' and 'market_cap_usd' "
            "(the anchor); the exposure file has none",
            source=exposure.origin,
        )
    anchor = int(both.index.max())
    count, cap = (float(both.loc[anchor, c]) for c in ("exchanges_tracked", "market_cap_usd"))
    text = (
        f"total crypto market capitalisation in exchange-equivalents of {anchor} "
        f"({count:,.0f} exchanges holding USD {cap / 1e9:,.1f}bn of market value, "
        f"USD {cap / count / 1e9:,.2f}bn each)"
    )
    return frame["market_cap_usd"] * (count / cap), text


def yearly_counts(
    selection: LossSelection, exposure: Exposure, base: str = "market_cap"
) -> pd.DataFrame:
    """Incidents above the threshold per calendar year with the exposure base.

    Columns ``year``, ``n_incidents``, ``exposure`` (exchange-years, see
    :func:`exposure_base`) over every year of the selection's range, zero-count years
    included, as the frequency model expects. Years whose exposure is unknown cannot carry an
    offset and are left out; they are listed by :func:`years_without_exposure`.
    """
    years = pd.RangeIndex(selection.year_range[0], selection.year_range[1] + 1, name="year")
    counts = selection.frame.groupby("year").size().reindex(years, fill_value=0)
    series, _ = exposure_base(exposure, base)
    values = series.reindex(years)
    keep = values.notna().to_numpy()
    return pd.DataFrame(
        {
            "year": np.asarray(years)[keep],
            "n_incidents": counts.to_numpy(dtype=int)[keep],
            "exposure": values.to_numpy(dtype=float)[keep],
        }
    )


def years_without_exposure(
    selection: LossSelection, exposure: Exposure, base: str = "market_cap"
) -> list[int]:
    """Years of the selection with no exposure figure on ``base`` (left out of the GLM)."""
    first, last = selection.year_range
    series, _ = exposure_base(exposure, base)
    values = series.reindex(range(first, last + 1))
    return [int(y) for y in values.index[values.isna()]]
