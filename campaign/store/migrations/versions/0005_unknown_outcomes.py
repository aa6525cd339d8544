"""Unknown outcomes and half-published threads: when a post was first and last attempted, and
whether any create of it went without an answer (the `partial` state needs no schema change).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, as in 0002: the append-only audit log references `posts`.
    op.add_column("posts", sa.Column("first_attempt_at", sa.DateTime(), nullable=True))
    op.add_column("posts", sa.Column("last_attempt_at", sa.DateTime(), nullable=True))
    op.add_column(
        "posts",
        sa.Column("sent_in_doubt", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    # Posts claimed before this revision: their claim is the best record of a first attempt.
    op.execute(
        "UPDATE posts SET first_attempt_at = claimed_at, last_attempt_at = claimed_at "
        "WHERE claimed_at IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        for column in ("sent_in_doubt", "last_attempt_at", "first_attempt_at"):
            batch.drop_column(column)
