"""The scenario store's tables (SQLAlchemy 2.x declarative ORM).

``scenario`` holds one row per named scenario (unique per owner), ``scenario_version`` every
saved version of its record (JSON text, never overwritten), and ``scenario_share`` the users a
scenario is explicitly shared with. The schema is created and upgraded by the Alembic
migrations in ``pricing/store/migrations``, never by ``create_all``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


class ScenarioRow(Base):
    """A named scenario: who owns it, who it is for, and its latest version number."""

    __tablename__ = "scenario"
    __table_args__ = (UniqueConstraint("owner", "name", name="uq_scenario_owner_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200), index=True)
    client: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(200))
    latest: Mapped[int] = mapped_column(Integer, default=0)

    versions: Mapped[list[VersionRow]] = relationship(
        back_populates="scenario", cascade="all, delete-orphan", passive_deletes=True
    )
    shares: Mapped[list[ShareRow]] = relationship(
        back_populates="scenario", cascade="all, delete-orphan", passive_deletes=True
    )


class VersionRow(Base):
    """One saved version of a scenario's record (JSON text)."""

    __tablename__ = "scenario_version"
    __table_args__ = (UniqueConstraint("scenario_id", "version", name="uq_version_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenario.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    record: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[str] = mapped_column(String(200))
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    scenario: Mapped[ScenarioRow] = relationship(back_populates="versions")


class ShareRow(Base):
    """A scenario shared explicitly with one user."""

    __tablename__ = "scenario_share"

    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenario.id", ondelete="CASCADE"), primary_key=True
    )
    user: Mapped[str] = mapped_column(String(200), primary_key=True)

    scenario: Mapped[ScenarioRow] = relationship(back_populates="shares")
