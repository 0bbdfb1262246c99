"""Reading the data files: bytes to text to CSV records, and the cell parsers they share.

Every problem is a :class:`~pricing.exceptions.Problem` naming its line (and column where one
applies), raised together in a :class:`~pricing.exceptions.DataValidationError`. Used by the
incident and exposure loaders (:mod:`pricing.datavalidation`), the insurer's book and the
market quotes.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import IO

from .exceptions import DataValidationError, Problem

__all__ = ["MAX_AMOUNT_USD", "MAX_FILE_BYTES", "Source", "read_text_table", "shipped_path"]

FIRST_YEAR = 2009  # bitcoin's genesis block: no crypto theft can predate it
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
