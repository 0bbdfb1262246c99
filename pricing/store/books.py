"""Insurers' books in the store: a named book is its canonical CSV text, versioned and shared
like a scenario (the rules live in :mod:`pricing.store.base`).

A book is validated with :func:`pricing.portfolio.book.parse_book` before it is saved (a bad
book raises the same :class:`~pricing.exceptions.InputError` with line and column as a bad
file), then stored as :meth:`pricing.portfolio.Book.to_csv`: every exchange's profile fields
written out, so a stored book never depends on profile files next to the original CSV.

Examples
--------
>>> store = BookStore("sqlite://")
>>> csv = "exchange,customer_assets_usd,hot_share,security_level,jurisdiction,retention,limit\\n"
>>> saved = store.save("Q1", csv + "Alpha,1e9,0.05,strong,jp,5e6,5e7\\n", user="ana")
>>> saved.version, saved.exchanges, store.load("Q1", user="ana").names
(1, 1, ('Alpha',))
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .base import NamedStore, SavedRecord
from .models import BookRow, BookShareRow, BookVersionRow

if TYPE_CHECKING:
    from ..portfolio.book import Book

__all__ = ["BookStore", "SavedBook"]


@dataclass(frozen=True, slots=True)
class SavedBook(SavedRecord):
    """A book as stored: its canonical CSV text (at ``version``) and who/when."""

    csv: str

    @property
    def exchanges(self) -> int:
        """Number of exchanges in the book (its CSV's data rows)."""
        return max(sum(1 for row in csv.reader(io.StringIO(self.csv)) if row) - 1, 0)

    @property
    def book(self) -> Book:
        """The book, parsed from its CSV."""
        from ..portfolio.book import parse_book

        return parse_book(self.csv, source=f"book {self.name!r} version {self.version}")

    def to_dict(self) -> dict[str, object]:
        """Metadata as JSON-ready values (without the CSV)."""
        return SavedRecord.to_dict(self) | {"exchanges": self.exchanges}


class BookStore(NamedStore[SavedBook]):
    """Named insurers' books in a SQL database (see :mod:`pricing.store`).

    Parameters
    ----------
    url : SQLAlchemy URL; ``None`` takes :func:`pricing.store.default_url`.
    database : an open :class:`pricing.store.Database` to share (e.g. a scenario store's).
    """

    noun = "book"
    row_type = BookRow
    version_type = BookVersionRow
    share_type = BookShareRow

    def _saved(self, row: BookRow, version: BookVersionRow) -> SavedBook:
        return SavedBook(**self._meta(row, version), csv=version.record)

    def save(
        self,
        name: str,
        book: Book | str,
        *,
        user: str,
        source: str = "book",
        folder: Path | None = None,
        attempts: int = 20,
    ) -> SavedBook:
        """Save ``book`` (a :class:`~pricing.portfolio.Book` or book CSV text, read with
        ``source`` naming it in errors and profile files relative to ``folder``) under
        ``name`` as a new version. Concurrent saves are retried, never lost."""
        from ..portfolio.book import parse_book

        self._check_name(name)
        if isinstance(book, str):
            book = parse_book(book, source=source, folder=folder)
        return self._save(name.strip(), book.to_csv(), user=user, attempts=attempts)

    def load(self, name: str, *, user: str, version: int | None = None) -> Book:
        """The book of :meth:`get`."""
        return self.get(name, user=user, version=version).book
