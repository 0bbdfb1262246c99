"""The sources the regime calculators cite, read from ``data/references.csv``.

Each row is one source: its key (``[n]`` as numbered in the project's domain brief, or a named
key such as ``[jp-psa]``), title, grade (``P`` primary text, ``S`` reputable secondary, ``W``
weak secondary: a placeholder to confirm), the date the source speaks for (``as_of``, ISO, may
be a year or a month) and its URLs separated by ``|``.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

__all__ = ["GRADES", "REFERENCES", "Reference", "refs"]

GRADES = ("P", "S", "W", "S/W", "P/W", "W/S")


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
        out[row["ref"]] = Reference(row["ref"], row["title"], urls, row["grade"], row["as_of"])
    return out


#: Every source, by key.
REFERENCES: Mapping[str, Reference] = MappingProxyType(_load())


def refs(*keys: str) -> tuple[Reference, ...]:
    """The references of ``keys`` (a missing key is a bug of the calculator)."""
    return tuple(REFERENCES[k] for k in keys)
