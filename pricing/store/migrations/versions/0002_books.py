"""Insurers' books, their versions and their shares.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``book``, ``book_version`` and ``book_share``."""
    op.create_table(
        "book",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("latest", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("owner", "name", name="uq_book_owner_name"),
    )
    op.create_index("ix_book_owner", "book", ["owner"])
    op.create_table(
        "book_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "book_id", sa.Integer, sa.ForeignKey("book.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("saved_by", sa.String(200), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("book_id", "version", name="uq_book_version_number"),
    )
    op.create_index("ix_book_version_book_id", "book_version", ["book_id"])
    op.create_table(
        "book_share",
        sa.Column(
            "book_id", sa.Integer, sa.ForeignKey("book.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("user", sa.String(200), primary_key=True),
    )


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("book_share")
    op.drop_index("ix_book_version_book_id", "book_version")
    op.drop_table("book_version")
    op.drop_index("ix_book_owner", "book")
    op.drop_table("book")
