"""Posts written in the browser: each post's source with its revisions, the campaign's
templates and images, comments, and the campaign's config as planned.

- `post_revisions`: every version of a post's source (template text, channel, day, time, images)
  and what it rendered to; `posts.revision_id` is the current one. `posts.files_hash` is the
  source hash the files gave at the last plan, so a plan can tell a file change from a browser
  edit. (`revision_id` carries no foreign key: the two tables point at each other.)
- `campaign_templates`: the templates of the posts folder as last planned (partials included),
  so posts render without the files.
- `media`: image bytes by SHA-256, planned from files or uploaded.
- `post_comments`: the review conversation.
- `campaigns.source`: the config as planned, without its days (rebuilt from the posts).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "post_revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("posts.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("template", sa.String(300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("day_slug", sa.String(100), nullable=False),
        sa.Column("theme", sa.String(200), nullable=False),
        sa.Column("time", sa.String(20), nullable=False),
        sa.Column("fold", sa.Integer(), nullable=True),
        sa.Column("images", sa.JSON(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("source_hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("post_id", "number"),
    )
    op.create_index("ix_post_revisions_post_id", "post_revisions", ["post_id"])
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("revision_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("files_hash", sa.String(64), nullable=True))
    op.create_table(
        "campaign_templates",
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaigns.id"), primary_key=True),
        sa.Column("name", sa.String(300), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_table(
        "media",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("mime", sa.String(50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
    )
    op.create_table(
        "post_comments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaigns.id"), nullable=False),
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("posts.id"), nullable=False),
        sa.Column("revision_id", sa.Integer(), sa.ForeignKey("post_revisions.id")),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
    )
    op.create_index("ix_post_comments_post_id", "post_comments", ["post_id"])
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("source", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("source")
    op.drop_index("ix_post_comments_post_id", table_name="post_comments")
    op.drop_table("post_comments")
    op.drop_table("media")
    op.drop_table("campaign_templates")
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("files_hash")
        batch.drop_column("revision_id")
    op.drop_index("ix_post_revisions_post_id", table_name="post_revisions")
    op.drop_table("post_revisions")
