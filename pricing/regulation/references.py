"""The sources the regime calculators cite, read from ``data/references.csv``.

Each row is one source: its key (``[n]`` as numbered in the project's domain brief, or a named
key such as ``[jp-psa]``), title, grade (``P`` primary text: statute, rulebook, regulator's
page or minutes; ``S`` press of record, specialist newsroom, law firm or research; ``W`` weak:
kept only where nothing better was found, flagged ``WEAK`` in its title and cited by no
requirement), the date the source speaks for (``as_of``, ISO ``YYYY``, ``YYYY-MM`` or
``YYYY-MM-DD``, or empty when the source is undated) and its URLs separated by ``|``, primary
first. ``tests/test_regulation_sources.py`` holds the table to this standard.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

__all__ = ["GRADES", "REFERENCES", "Reference", "refs"]

GRADES = ("P", "S", "W", "S/W", "P/W", "W/S")
_AS_OF = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")


@dataclass(frozen=True, slots=True)
class Reference:
    """One source: key, title, URLs, quality grade and the date it speaks for."""

    ref: str
    title: str
    urls: tuple[str, ...]
    grade: str
    as_of: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary (JSON-serialisable)."""
        return {
            "ref": self.ref,
            "title": self.title,
            "urls": list(self.urls),
            "grade": self.grade,
            "as_of": self.as_of or None,
        }

    def __str__(self) -> str:
        dated = f", {self.as_of}" if self.as_of else ""
        return f"{self.ref} {self.title} ({self.grade}{dated}) {' ; '.join(self.urls)}"


def _load() -> dict[str, Reference]:
    text = resources.files(__package__).joinpath("data/references.csv").read_text("utf-8")
    out: dict[str, Reference] = {}
    for row in csv.DictReader(text.splitlines()):
        urls = tuple(u.strip() for u in row["urls"].split("|") if u.strip())
        if row["grade"] not in GRADES:  # pragma: no cover - guarded by a test of the file
            raise ValueError(f"references.csv: grade {row['grade']!r} of {row['ref']}")
        if row["as_of"] and not _AS_OF.match(row["as_of"]):  # pragma: no cover - idem
            raise ValueError(f"references.csv: as_of {row['as_of']!r} of {row['ref']}")
        out[row["ref"]] = Reference(row["ref"], row["title"], urls, row["grade"], row["as_of"])
    return out


#: Every source, by key.
REFERENCES: Mapping[str, Reference] = MappingProxyType(_load())


def refs(*keys: str) -> tuple[Reference, ...]:
    """The references of ``keys`` (a missing key is a bug of the calculator)."""
    return tuple(REFERENCES[k] for k in keys)
