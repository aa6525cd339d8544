"""Posts in several languages: each post's language and texts, and the pair it belongs to.

- `posts.lang`: the language of a post written in several (its first text's, for a bilingual
  post); NULL for a post in the campaign's one language.
- `posts.variants`: its texts by language, in order ([{"lang", "parts"}]); NULL as above.
- `posts.unit_key` and `posts.unit_position`: the pair a post belongs to (one post per language
  on separate accounts, approved, paused and sent together) and its place in the pair's order.
- `post_revisions.lang`, `.unit`, `.others`: the same for a post's source (a bilingual post's
  other languages' template names and texts in `others`).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

INDEX = "ix_posts_campaign_unit"


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("lang", sa.String(35), nullable=True))
        batch.add_column(sa.Column("variants", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("unit_key", sa.String(200), nullable=True))
        batch.add_column(
            sa.Column("unit_position", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_index(INDEX, "posts", ["campaign_id", "unit_key"])
    with op.batch_alter_table("post_revisions") as batch:
        batch.add_column(sa.Column("lang", sa.String(35), nullable=True))
        batch.add_column(sa.Column("unit", sa.String(200), nullable=True))
        batch.add_column(sa.Column("others", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("post_revisions") as batch:
        batch.drop_column("others")
        batch.drop_column("unit")
        batch.drop_column("lang")
    op.drop_index(INDEX, table_name="posts")
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("unit_position")
        batch.drop_column("unit_key")
        batch.drop_column("variants")
        batch.drop_column("lang")
