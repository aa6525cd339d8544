"""Publishing: claims, retries and doubt on posts; daemon heartbeats.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): SQLite would refuse to drop `posts` while the
    # append-only audit log references its rows.
    op.add_column("posts", sa.Column("claimed_by", sa.String(64), nullable=True))
    op.add_column("posts", sa.Column("claimed_at", sa.DateTime(), nullable=True))
    op.add_column("posts", sa.Column("next_attempt_at", sa.DateTime(), nullable=True))
    op.add_column(
        "posts", sa.Column("in_doubt", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_table(
        "daemons",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("hostname", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.Column("stopped_at", sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("daemons")
    with op.batch_alter_table("posts") as batch:
        for column in ("in_doubt", "next_attempt_at", "claimed_at", "claimed_by"):
            batch.drop_column(column)
