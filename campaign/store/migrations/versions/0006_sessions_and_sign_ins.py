"""Server-side web sessions (so they can be ended), sign-in events (audit and throttling), and a
per-user key that CSRF tokens are bound to.

Sign-in events are not audit_log rows: audit_log belongs to a campaign (campaign_id is required,
exported per campaign for records requests), while users and their sign-ins belong to the
deployment. Like the audit log, the events table is append-only, in the database itself.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

APPEND_ONLY = "sign-in events are append-only"


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("address", sa.String(64), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(50), nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_web_sessions_token_hash"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "sign_in_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("username", sa.String(64), nullable=True),
        sa.Column("name_key", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=True),
        sa.Column("detail", sa.String(100), nullable=True),
    )
    op.create_index("ix_sign_in_events_at", "sign_in_events", ["at"])
    op.create_index("ix_sign_in_events_name_key", "sign_in_events", ["name_key", "at"])
    op.create_index("ix_sign_in_events_address", "sign_in_events", ["address", "at"])
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("csrf_secret", sa.String(64), nullable=True))
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("csrf_secret", sa.String))
    bind = op.get_bind()
    for (user_id,) in bind.execute(sa.select(users.c.id)).all():
        bind.execute(
            users.update().where(users.c.id == user_id).values(csrf_secret=secrets.token_hex(32))
        )
    _append_only()


def _append_only() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER sign_in_events_no_{verb.lower()} BEFORE {verb} ON sign_in_events "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION sign_in_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER sign_in_events_append_only BEFORE UPDATE OR DELETE ON sign_in_events "
            "FOR EACH ROW EXECUTE FUNCTION sign_in_events_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS sign_in_events_append_only ON sign_in_events")
        op.execute("DROP FUNCTION IF EXISTS sign_in_events_append_only()")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("csrf_secret")
    op.drop_table("sign_in_events")  # its SQLite triggers go with it
    op.drop_table("web_sessions")
