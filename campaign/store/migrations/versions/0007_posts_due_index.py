"""An index for the daemon's per-second questions: which of a campaign's posts are in a state
(scheduled, approved, publishing), and which of them fall due by a time.

Without it SQLite answered them from the campaign_id index, reading every post of the
campaign each second: 2 % of a core with 10,000 posts scheduled and none due. With it each
question reads only the posts it returns (benchmarks/README.md, idle daemon).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INDEX = "ix_posts_campaign_state_time"


def upgrade() -> None:
    op.create_index(INDEX, "posts", ["campaign_id", "state", "scheduled_at"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="posts")
