"""What every kind of named record in the store shares: the database (engine, migrations,
transactions), the visibility rule, versions, and the owner-only actions.

:class:`Database` opens a SQLAlchemy URL and runs the Alembic migrations; :class:`NamedStore`
implements save (a new version each time), get, list, history, rename, delete, share and
unshare once, for any record kind whose three tables are built from the mixins of
:mod:`pricing.store.models`. :class:`pricing.store.ScenarioStore` and
:class:`pricing.store.BookStore` only say how their record is written and read.

Who sees what: a user sees the records they own and those shared with them explicitly; only
the owner may rename, delete or share a record, while anyone who sees it may save a new
version. The rule is enforced here, in every query.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Engine, create_engine, event, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ..exceptions import InputError

__all__ = [
    "ENV_URL",
    "Database",
    "NamedStore",
    "SavedRecord",
    "Version",
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
class Version:
    """One saved version: its number, who saved it and when (UTC)."""

    version: int
    saved_by: str
    saved_at: dt.datetime


@dataclass(frozen=True, slots=True)
class SavedRecord:
    """What every stored record has: its name, owner, version (the one read) and who/when."""

    name: str
    owner: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by: str
    shared_with: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """Metadata as JSON-ready values (without the record)."""
        return {
            "name": self.name,
            "owner": self.owner,
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


class Database:
    """An open store database: engine, sessions, and the schema migrated to the latest.

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
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
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

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed at the end (rolled back on an error)."""
        with self.sessions.begin() as session:
            yield session

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


S = TypeVar("S", bound=SavedRecord)


class NamedStore(Generic[S]):
    """Named, versioned, shareable records of one kind (see the module docstring).

    Subclasses set ``noun`` and the three table classes, and implement :meth:`_saved` (a row
    and one of its versions → the saved record). ``database`` shares another store's open
    database (one engine for scenarios and books); else ``url`` opens one.
    """

    noun: ClassVar[str]
    row_type: ClassVar[type[Any]]
    version_type: ClassVar[type[Any]]
    share_type: ClassVar[type[Any]]

    def __init__(self, url: str | None = None, *, database: Database | None = None) -> None:
        self.database = database if database is not None else Database(url)

    @property
    def url(self) -> str:
        """The database's SQLAlchemy URL."""
        return self.database.url

    @property
    def engine(self) -> Engine:
        """The database's engine."""
        return self.database.engine

    def upgrade(self) -> None:
        """Run the Alembic migrations up to the latest schema."""
        self.database.upgrade()

    def close(self) -> None:
        """Release the database connections."""
        self.database.close()

    def _tx(self) -> Any:
        return self.database.transaction()

    # ----------------------------------------------------------------------------------------
    # Visibility
    # ----------------------------------------------------------------------------------------
    def _visible(self, user: str):  # type: ignore[no-untyped-def]
        Row, Share = self.row_type, self.share_type
        shared = select(Share.parent_id).where(Share.user == user)
        return or_(Row.owner == user, Row.id.in_(shared))

    def _find(self, session: Session, name: str, user: str) -> Any:
        """The record called ``name`` that ``user`` sees (their own first); ``owner/name``
        picks another owner's shared record."""
        Row = self.row_type
        owner, _, plain = name.rpartition("/")
        query = select(Row).where(self._visible(user), Row.name == plain)
        if owner:
            query = query.where(Row.owner == owner)
        rows = session.scalars(query).all()
        own = [r for r in rows if r.owner == user]
        if own:
            return own[0]
        if len(rows) == 1:
            return rows[0]
        if not rows:
            raise InputError.single("name", f"no {self.noun} called {name!r} that you can see")
        owners = ", ".join(sorted(r.owner for r in rows))
        raise InputError.single(
            "name", f"several {self.noun}s are called {plain!r} (owners {owners}); use OWNER/NAME"
        )

    def _owned(self, session: Session, name: str, user: str, action: str) -> Any:
        row = self._find(session, name, user)
        if row.owner != user:
            raise InputError.single(
                "name", f"only the owner ({row.owner}) may {action} {row.name!r}"
            )
        return row

    def _meta(self, row: Any, version: Any) -> dict[str, Any]:
        """The :class:`SavedRecord` fields of ``row`` at ``version``."""
        return {
            "name": row.name,
            "owner": row.owner,
            "version": version.version,
            "created_at": _utc(row.created_at),
            "updated_at": _utc(row.updated_at),
            "updated_by": row.updated_by,
            "shared_with": tuple(sorted(s.user for s in row.shares)),
        }

    def _saved(self, row: Any, version: Any) -> S:
        raise NotImplementedError

    def _version(self, session: Session, row: Any, version: int | None) -> Any:
        Version_ = self.version_type
        number = row.latest if version is None else version
        found = session.scalars(
            select(Version_).where(Version_.parent_id == row.id, Version_.version == number)
        ).first()
        if found is None:
            raise InputError.single(
                "version", f"{row.name!r} has no version {number} (latest {row.latest})"
            )
        return found

    @staticmethod
    def _check_name(name: str, field: str = "name") -> str:
        if not name.strip():
            raise InputError.single(field, "must not be empty")
        if "/" in name:
            raise InputError.single(field, f"{name!r} must not contain '/' (OWNER/NAME is a link)")
        return name

    # ----------------------------------------------------------------------------------------
    # Operations
    # ----------------------------------------------------------------------------------------
    def _save(
        self,
        name: str,
        record: str,
        *,
        user: str,
        update: Callable[[Any], None] | None = None,
        attempts: int = 20,
    ) -> S:
        """Save ``record`` under ``name`` as a new version (a new record owned by ``user`` if
        ``user`` sees none of that name); ``update`` sets kind-specific columns of the row.
        Concurrent saves are retried, never lost."""
        for attempt in range(attempts):
            try:
                with self._tx() as session:
                    now = dt.datetime.now(dt.UTC)
                    try:
                        row = self._find(session, name, user)
                    except InputError:
                        row = self.row_type(
                            name=name,
                            owner=user,
                            created_at=now,
                            updated_at=now,
                            updated_by=user,
                            latest=0,
                        )
                        session.add(row)
                        session.flush()
                    number = row.latest + 1
                    version = self.version_type(
                        parent_id=row.id,
                        version=number,
                        record=record,
                        saved_by=user,
                        saved_at=now,
                    )
                    session.add(version)
                    row.latest, row.updated_at, row.updated_by = number, now, user
                    if update is not None:
                        update(row)
                    session.flush()
                    return self._saved(row, version)
            except (IntegrityError, OperationalError):
                # Another session saved first (same version number or name) or held the
                # lock: read again and append after it.
                if attempt == attempts - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def get(self, name: str, *, user: str, version: int | None = None) -> S:
        """The record ``name`` (latest version unless ``version``) as ``user`` sees it."""
        with self._tx() as session:
            row = self._find(session, name, user)
            return self._saved(row, self._version(session, row, version))

    def list(self, *, user: str) -> list[S]:
        """Every record ``user`` sees (latest versions), most recently saved first."""
        Row = self.row_type
        with self._tx() as session:
            rows = session.scalars(
                select(Row).where(self._visible(user)).order_by(Row.updated_at.desc(), Row.name)
            ).all()
            return [self._saved(r, self._version(session, r, None)) for r in rows]

    def history(self, name: str, *, user: str) -> list[Version]:
        """Every version of ``name``: number, who saved it and when (oldest first)."""
        Version_ = self.version_type
        with self._tx() as session:
            row = self._find(session, name, user)
            versions = session.scalars(
                select(Version_).where(Version_.parent_id == row.id).order_by(Version_.version)
            ).all()
            return [Version(v.version, v.saved_by, _utc(v.saved_at)) for v in versions]

    def rename(self, name: str, new_name: str, *, user: str) -> None:
        """Rename ``name`` (owner only; the records keep their history)."""
        self._check_name(new_name, "new name")
        Row = self.row_type
        with self._tx() as session:
            row = self._owned(session, name, user, "rename")
            taken = session.scalars(
                select(Row).where(Row.owner == user, Row.name == new_name)
            ).first()
            if taken is not None:
                raise InputError.single("new name", f"you already have a {self.noun} {new_name!r}")
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
                row.shares.append(self.share_type(user=with_user))

    def unshare(self, name: str, with_user: str, *, user: str) -> None:
        """Stop sharing ``name`` with ``with_user`` (owner only)."""
        with self._tx() as session:
            row = self._owned(session, name, user, "unshare")
            row.shares = [s for s in row.shares if s.user != with_user]
