"""Metric snapshots: engagement of each published post, collected at offsets, never overwritten.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metric_snapshots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("posts.id"), nullable=False),
        sa.Column("platform_post_id", sa.String(100), nullable=False),
        sa.Column("collected_at", sa.DateTime(), nullable=False),
        sa.Column("offset", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("api_version", sa.String(20), nullable=False),
        sa.Column("metric_names", sa.JSON(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("unavailable", sa.JSON(), nullable=False),
    )
    op.create_index("ix_metric_snapshots_post_id", "metric_snapshots", ["post_id"])


def downgrade() -> None:
    op.drop_index("ix_metric_snapshots_post_id", "metric_snapshots")
    op.drop_table("metric_snapshots")
