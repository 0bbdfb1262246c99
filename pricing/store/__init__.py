"""Named scenarios in a database: save, load, rename, delete, list, share and version history.

SQLite in the user's data folder by default (nothing to set up); any SQLAlchemy URL through the
``url`` argument or the ``VAULTCOVER_DB`` environment variable (e.g.
``postgresql+psycopg://user@host:5432/vaultcover``). Opening a store runs the Alembic migrations
shipped in ``pricing/store/migrations`` up to the latest schema.

Who sees what: every scenario has an owner (the user who first saved it) and a client. A user
sees the scenarios they own and those shared with them explicitly (:meth:`ScenarioStore.share`);
only the owner may rename, delete or share a scenario, while anyone who sees it may save a new
version. The rule is enforced here, in every query, not in the app.

Saving never overwrites: each save adds a version (1, 2, …) with who saved it and when.
Concurrent saves of the same scenario from two sessions both land, as consecutive versions.

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

import datetime as dt
import getpass
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ..exceptions import InputError
from ..scenario import Scenario
from .models import ScenarioRow, ShareRow, VersionRow

__all__ = [
    "ENV_URL",
    "SavedScenario",
    "ScenarioStore",
    "ScenarioVersion",
    "default_url",
    "local_user",
]

#: Environment variable naming the store's SQLAlchemy URL.
ENV_URL = "VAULTCOVER_DB"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def default_url() -> str:
    """``VAULTCOVER_DB`` if set, else a SQLite file in the user's data folder."""
    url = os.environ.get(ENV_URL, "").strip()
    if url:
        return url
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("vaultcover", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'scenarios.db'}"


def local_user() -> str:
    """The single local user when no sign-in is configured (the OS account name)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local"


@dataclass(frozen=True, slots=True)
class ScenarioVersion:
    """One saved version: its number, who saved it and when (UTC)."""

    version: int
    saved_by: str
    saved_at: dt.datetime


@dataclass(frozen=True, slots=True)
class SavedScenario:
    """A scenario as stored: its record (at ``version``) and who/when."""

    name: str
    owner: str
    client: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by: str
    shared_with: tuple[str, ...]
    scenario: Scenario

    def to_dict(self) -> dict[str, object]:
        """Metadata as JSON-ready values (without the record)."""
        return {
            "name": self.name,
            "owner": self.owner,
            "client": self.client,
            "version": self.version,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "updated_by": self.updated_by,
            "shared_with": list(self.shared_with),
        }


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes: they were stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _sqlite_begin_immediate(engine: Engine) -> None:
    """SQLite: take the write lock at BEGIN, so two writers queue instead of deadlocking
    (SQLAlchemy's documented recipe for pysqlite's transaction handling)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class ScenarioStore:
    """Named scenarios in a SQL database (see the module docstring).

    Parameters
    ----------
    url : SQLAlchemy URL; ``None`` takes :func:`default_url`.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        kwargs: dict[str, object] = {}
        if self.url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
            if self.url in ("sqlite://", "sqlite:///:memory:"):
                from sqlalchemy.pool import StaticPool

                kwargs["poolclass"] = StaticPool
        self.engine = create_engine(self.url, **kwargs)
        if self.engine.dialect.name == "sqlite":
            _sqlite_begin_immediate(self.engine)
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        self.upgrade()

    def upgrade(self) -> None:
        """Run the Alembic migrations up to the latest schema."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._session.begin() as session:
            yield session

    # ----------------------------------------------------------------------------------------
    # Visibility
    # ----------------------------------------------------------------------------------------
    @staticmethod
    def _visible(user: str):  # type: ignore[no-untyped-def]
        shared = select(ShareRow.scenario_id).where(ShareRow.user == user)
        return or_(ScenarioRow.owner == user, ScenarioRow.id.in_(shared))

    def _find(self, session: Session, name: str, user: str) -> ScenarioRow:
        """The scenario called ``name`` that ``user`` sees (their own first); ``owner/name``
        picks another owner's shared scenario."""
        owner, _, plain = name.rpartition("/")
        query = select(ScenarioRow).where(self._visible(user), ScenarioRow.name == plain)
        if owner:
            query = query.where(ScenarioRow.owner == owner)
        rows = session.scalars(query).all()
        own = [r for r in rows if r.owner == user]
        if own:
            return own[0]
        if len(rows) == 1:
            return rows[0]
        if not rows:
            raise InputError.single("name", f"no scenario called {name!r} that you can see")
        owners = ", ".join(sorted(r.owner for r in rows))
        raise InputError.single(
            "name", f"several scenarios are called {plain!r} (owners {owners}); use OWNER/NAME"
        )

    def _saved(self, row: ScenarioRow, version: VersionRow) -> SavedScenario:
        return SavedScenario(
            name=row.name,
            owner=row.owner,
            client=row.client,
            version=version.version,
            created_at=_utc(row.created_at),
            updated_at=_utc(row.updated_at),
            updated_by=row.updated_by,
            shared_with=tuple(sorted(s.user for s in row.shares)),
            scenario=Scenario.from_json(version.record).renamed(row.name),
        )

    @staticmethod
    def _version(session: Session, row: ScenarioRow, version: int | None) -> VersionRow:
        number = row.latest if version is None else version
        found = session.scalars(
            select(VersionRow).where(VersionRow.scenario_id == row.id, VersionRow.version == number)
        ).first()
        if found is None:
            raise InputError.single(
                "version", f"{row.name!r} has no version {number} (latest {row.latest})"
            )
        return found

    # ----------------------------------------------------------------------------------------
    # Operations
    # ----------------------------------------------------------------------------------------
    def save(self, scenario: Scenario, *, user: str, attempts: int = 20) -> SavedScenario:
        """Save ``scenario`` under its name as a new version (a new scenario owned by ``user``
        if ``user`` sees none of that name). Concurrent saves are retried, never lost."""
        record = scenario.to_json()
        for attempt in range(attempts):
            try:
                with self._tx() as session:
                    now = dt.datetime.now(dt.UTC)
                    try:
                        row = self._find(session, scenario.name, user)
                    except InputError:
                        row = ScenarioRow(
                            name=scenario.name,
                            owner=user,
                            client=scenario.client,
                            created_at=now,
                            updated_at=now,
                            updated_by=user,
                            latest=0,
                        )
                        session.add(row)
                        session.flush()
                    number = row.latest + 1
                    version = VersionRow(
                        scenario_id=row.id,
                        version=number,
                        record=record,
                        saved_by=user,
                        saved_at=now,
                    )
                    session.add(version)
                    row.latest, row.updated_at, row.updated_by = number, now, user
                    row.client = scenario.client
                    session.flush()
                    return self._saved(row, version)
            except (IntegrityError, OperationalError):
                # Another session saved first (same version number or name) or held the
                # lock: read again and append after it.
                if attempt == attempts - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def get(self, name: str, *, user: str, version: int | None = None) -> SavedScenario:
        """The scenario ``name`` (latest version unless ``version``) as ``user`` sees it."""
        with self._tx() as session:
            row = self._find(session, name, user)
            return self._saved(row, self._version(session, row, version))

    def load(self, name: str, *, user: str, version: int | None = None) -> Scenario:
        """The record of :meth:`get`."""
        return self.get(name, user=user, version=version).scenario

    def list(self, *, user: str) -> list[SavedScenario]:
        """Every scenario ``user`` sees (latest versions), most recently saved first."""
        with self._tx() as session:
            rows = session.scalars(
                select(ScenarioRow)
                .where(self._visible(user))
                .order_by(ScenarioRow.updated_at.desc(), ScenarioRow.name)
            ).all()
            return [self._saved(r, self._version(session, r, None)) for r in rows]

    def history(self, name: str, *, user: str) -> list[ScenarioVersion]:
        """Every version of ``name``: number, who saved it and when (oldest first)."""
        with self._tx() as session:
            row = self._find(session, name, user)
            versions = session.scalars(
                select(VersionRow)
                .where(VersionRow.scenario_id == row.id)
                .order_by(VersionRow.version)
            ).all()
            return [ScenarioVersion(v.version, v.saved_by, _utc(v.saved_at)) for v in versions]

    def _owned(self, session: Session, name: str, user: str, action: str) -> ScenarioRow:
        row = self._find(session, name, user)
        if row.owner != user:
            raise InputError.single(
                "name", f"only the owner ({row.owner}) may {action} {row.name!r}"
            )
        return row

    def rename(self, name: str, new_name: str, *, user: str) -> None:
        """Rename ``name`` (owner only; the records keep their history)."""
        if not new_name.strip():
            raise InputError.single("new name", "must not be empty")
        with self._tx() as session:
            row = self._owned(session, name, user, "rename")
            taken = session.scalars(
                select(ScenarioRow).where(ScenarioRow.owner == user, ScenarioRow.name == new_name)
            ).first()
            if taken is not None:
                raise InputError.single("new name", f"you already have a scenario {new_name!r}")
            row.name = new_name

    def delete(self, name: str, *, user: str) -> None:
        """Delete ``name`` and all its versions (owner only)."""
        with self._tx() as session:
            session.delete(self._owned(session, name, user, "delete"))

    def share(self, name: str, with_user: str, *, user: str) -> None:
        """Let ``with_user`` see ``name`` and save versions of it (owner only)."""
        with self._tx() as session:
            row = self._owned(session, name, user, "share")
            if with_user != user and with_user not in {s.user for s in row.shares}:
                row.shares.append(ShareRow(user=with_user))

    def unshare(self, name: str, with_user: str, *, user: str) -> None:
        """Stop sharing ``name`` with ``with_user`` (owner only)."""
        with self._tx() as session:
            row = self._owned(session, name, user, "unshare")
            row.shares = [s for s in row.shares if s.user != with_user]
