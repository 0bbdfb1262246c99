"""The store's tables (SQLAlchemy 2.x declarative ORM).

Each kind of named record (scenarios, books) has the same three tables, built from the mixins
below: one row per named record (unique per owner), every saved version of its record (text,
never overwritten), and the users it is explicitly shared with.

- ``scenario``, ``scenario_version``, ``scenario_share``: scenarios (JSON records);
- ``book``, ``book_version``, ``book_share``: insurers' books (canonical book CSV text).

The generic store code reaches the parent key as ``parent_id`` whatever its column is called.
The schema is created and upgraded by the Alembic migrations in ``pricing/store/migrations``,
never by ``create_all``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


class NamedMixin:
    """A named record: who owns it, who saved it last and when, its latest version number."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(200))
    latest: Mapped[int] = mapped_column(Integer, default=0)


class VersionMixin:
    """One saved version of a record (its text), who saved it and when."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    record: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[str] = mapped_column(String(200))
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ShareMixin:
    """A record shared explicitly with one user."""

    user: Mapped[str] = mapped_column(String(200), primary_key=True)


# --------------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------------
class ScenarioRow(NamedMixin, Base):
    """A named scenario: who owns it, who it is for, and its latest version number."""

    __tablename__ = "scenario"
    __table_args__ = (UniqueConstraint("owner", "name", name="uq_scenario_owner_name"),)

    client: Mapped[str] = mapped_column(String(200), default="")

    versions: Mapped[list[VersionRow]] = relationship(
        back_populates="parent", cascade="all, delete-orphan", passive_deletes=True
    )
    shares: Mapped[list[ShareRow]] = relationship(
        back_populates="parent", cascade="all, delete-orphan", passive_deletes=True
    )


class VersionRow(VersionMixin, Base):
    """One saved version of a scenario's record (JSON text)."""

    __tablename__ = "scenario_version"
    __table_args__ = (UniqueConstraint("scenario_id", "version", name="uq_version_number"),)

    parent_id: Mapped[int] = mapped_column(
        "scenario_id", ForeignKey("scenario.id", ondelete="CASCADE"), index=True
    )
    parent: Mapped[ScenarioRow] = relationship(back_populates="versions")


class ShareRow(ShareMixin, Base):
    """A scenario shared explicitly with one user."""

    __tablename__ = "scenario_share"

    parent_id: Mapped[int] = mapped_column(
        "scenario_id", ForeignKey("scenario.id", ondelete="CASCADE"), primary_key=True
    )
    parent: Mapped[ScenarioRow] = relationship(back_populates="shares")


# --------------------------------------------------------------------------------------------
# Books
# --------------------------------------------------------------------------------------------
class BookRow(NamedMixin, Base):
    """A named insurer's book: who owns it and its latest version number."""

    __tablename__ = "book"
    __table_args__ = (UniqueConstraint("owner", "name", name="uq_book_owner_name"),)

    versions: Mapped[list[BookVersionRow]] = relationship(
        back_populates="parent", cascade="all, delete-orphan", passive_deletes=True
    )
    shares: Mapped[list[BookShareRow]] = relationship(
        back_populates="parent", cascade="all, delete-orphan", passive_deletes=True
    )


class BookVersionRow(VersionMixin, Base):
    """One saved version of a book (its canonical CSV text)."""

    __tablename__ = "book_version"
    __table_args__ = (UniqueConstraint("book_id", "version", name="uq_book_version_number"),)

    parent_id: Mapped[int] = mapped_column(
        "book_id", ForeignKey("book.id", ondelete="CASCADE"), index=True
    )
    parent: Mapped[BookRow] = relationship(back_populates="versions")


class BookShareRow(ShareMixin, Base):
    """A book shared explicitly with one user."""

    __tablename__ = "book_share"

    parent_id: Mapped[int] = mapped_column(
        "book_id", ForeignKey("book.id", ondelete="CASCADE"), primary_key=True
    )
    parent: Mapped[BookRow] = relationship(back_populates="shares")
