"""Named scenarios and insurers' books in a database: save, load, rename, delete, list, share
and version history.

SQLite in the user's data folder by default (nothing to set up); any SQLAlchemy URL through the
``url`` argument or the ``VAULTCOVER_DB`` environment variable (e.g.
``postgresql+psycopg://user@host:5432/vaultcover``). Opening a store runs the Alembic migrations
shipped in ``pricing/store/migrations`` up to the latest schema.

Who sees what: every record has an owner (the user who first saved it). A user sees the records
they own and those shared with them explicitly (:meth:`ScenarioStore.share`); only the owner
may rename, delete or share a record, while anyone who sees it may save a new version. The rule
is enforced in the store layer (:mod:`pricing.store.base`), in every query, not in the app.

Saving never overwrites: each save adds a version (1, 2, …) with who saved it and when.
Concurrent saves of the same record from two sessions both land, as consecutive versions.

- :class:`ScenarioStore`: scenarios (:class:`pricing.scenario.Scenario`, as JSON);
- :class:`BookStore`: insurers' books (:class:`pricing.portfolio.Book`, as its canonical CSV),
  also reachable as ``ScenarioStore(...).books`` on the same database.

Examples
--------
>>> from pricing.profiles import PRESETS
>>> from pricing.scenario import Scenario
>>> store = ScenarioStore("sqlite://")
>>> saved = store.save(Scenario("Base", PRESETS["small"]), user="ana")
>>> saved.version, [s.name for s in store.list(user="ana")], store.list(user="bo")
(1, ['Base'], [])
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..scenario import Scenario
from .base import (
    ENV_URL,
    MIGRATIONS,
    Database,
    NamedStore,
    SavedRecord,
    Version,
    default_url,
    local_user,
)
from .books import BookStore, SavedBook
from .models import ScenarioRow, ShareRow, VersionRow

__all__ = [
    "ENV_URL",
    "MIGRATIONS",
    "BookStore",
    "Database",
    "SavedBook",
    "SavedRecord",
    "SavedScenario",
    "ScenarioStore",
    "ScenarioVersion",
    "Version",
    "default_url",
    "local_user",
]

#: A saved version's number, author and time (the same for every kind of record).
ScenarioVersion = Version


@dataclass(frozen=True, slots=True)
class SavedScenario(SavedRecord):
    """A scenario as stored: its record (at ``version``), who it is for, and who/when."""

    client: str
    scenario: Scenario

    def to_dict(self) -> dict[str, object]:
        """Metadata as JSON-ready values (without the record)."""
        return SavedRecord.to_dict(self) | {"client": self.client}


class ScenarioStore(NamedStore[SavedScenario]):
    """Named scenarios in a SQL database (see the module docstring).

    Parameters
    ----------
    url : SQLAlchemy URL; ``None`` takes :func:`default_url`.
    """

    noun = "scenario"
    row_type = ScenarioRow
    version_type = VersionRow
    share_type = ShareRow

    @cached_property
    def books(self) -> BookStore:
        """The books kept in the same database."""
        return BookStore(database=self.database)

    def _saved(self, row: ScenarioRow, version: VersionRow) -> SavedScenario:
        return SavedScenario(
            **self._meta(row, version),
            client=row.client,
            scenario=Scenario.from_json(version.record).renamed(row.name),
        )

    def save(self, scenario: Scenario, *, user: str, attempts: int = 20) -> SavedScenario:
        """Save ``scenario`` under its name as a new version (a new scenario owned by ``user``
        if ``user`` sees none of that name). Concurrent saves are retried, never lost."""

        def client(row: ScenarioRow) -> None:
            row.client = scenario.client

        return self._save(
            scenario.name, scenario.to_json(), user=user, update=client, attempts=attempts
        )

    def load(self, name: str, *, user: str, version: int | None = None) -> Scenario:
        """The record of :meth:`get`."""
        return self.get(name, user=user, version=version).scenario
