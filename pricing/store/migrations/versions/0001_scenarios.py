"""Scenarios, their versions and their shares.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "scenario",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("client", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("latest", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("owner", "name", name="uq_scenario_owner_name"),
    )
    op.create_index("ix_scenario_owner", "scenario", ["owner"])
    op.create_table(
        "scenario_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "scenario_id",
            sa.Integer,
            sa.ForeignKey("scenario.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("saved_by", sa.String(200), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("scenario_id", "version", name="uq_version_number"),
    )
    op.create_index("ix_scenario_version_scenario_id", "scenario_version", ["scenario_id"])
    op.create_table(
        "scenario_share",
        sa.Column(
            "scenario_id",
            sa.Integer,
            sa.ForeignKey("scenario.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user", sa.String(200), primary_key=True),
    )


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("scenario_share")
    op.drop_index("ix_scenario_version_scenario_id", "scenario_version")
    op.drop_table("scenario_version")
    op.drop_index("ix_scenario_owner", "scenario")
    op.drop_table("scenario")
