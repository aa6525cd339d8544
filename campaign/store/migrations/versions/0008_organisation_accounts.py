"""Many campaigns in one database: accounts belong to the organisation, campaigns use them.

- `accounts` lose `campaign_id`: one row per real account (`identity`, unique), with its
  configured `definition` (platform facts, caps, credential variable NAMES), so a daemon given
  only the database can build its channels; `campaign_accounts` says which account each
  campaign means by each of its keys; `posts.channel` keeps the campaign's key for the post.
- `campaigns` keep the publishing and metrics settings as planned, the images' folder and the
  config's path.
- `deployment` holds the switch that pauses everything (`campaign pause --all`).

Accounts of older databases keep their rows: each gets the identity `platform:handle` (the
first of two campaigns' rows with the same handle keeps it; the other stays separate until
`campaign plan` links the campaign to the shared row). Their definition is filled in by the
next `campaign plan`.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaign_accounts",
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaigns.id"), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "key"),
    )
    op.create_index("ix_campaign_accounts_account_id", "campaign_accounts", ["account_id"])
    op.create_table(
        "deployment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("pause_reason", sa.Text(), nullable=True),
        sa.Column("paused_by", sa.String(length=100), nullable=True),
        sa.Column("paused_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("settings", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("media_dir", sa.Text(), nullable=True))
        batch.add_column(sa.Column("config_path", sa.Text(), nullable=True))
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=100), nullable=True))
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("identity", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("definition", sa.JSON(), nullable=True))

    bind = op.get_bind()
    accounts = bind.execute(
        sa.text("SELECT id, campaign_id, key, platform, handle FROM accounts ORDER BY id")
    ).all()
    taken: set[str] = set()
    for account_id, campaign_id, key, platform, handle in accounts:
        # X as `campaign plan` now names it; a page's id was never stored, so `campaign plan`
        # adopts this row for the campaign's key when it next runs (accounts.link_accounts).
        if platform == "x" and handle:
            identity = f"x:@{handle.lstrip('@').lower()}"
        else:
            identity = f"{platform}:legacy:{(handle or key).lower()}"
        if identity in taken:
            identity = f"{identity}#{account_id}"
        taken.add(identity)
        bind.execute(
            sa.text("UPDATE accounts SET identity = :identity WHERE id = :id"),
            {"identity": identity, "id": account_id},
        )
        bind.execute(
            sa.text(
                "INSERT INTO campaign_accounts (campaign_id, key, account_id) "
                "VALUES (:campaign_id, :key, :id)"
            ),
            {"campaign_id": campaign_id, "key": key, "id": account_id},
        )
    bind.execute(
        sa.text(
            "UPDATE posts SET channel = "
            "(SELECT accounts.key FROM accounts WHERE accounts.id = posts.account_id)"
        )
    )
    with op.batch_alter_table("posts") as batch:
        batch.alter_column("channel", existing_type=sa.String(length=100), nullable=False)
    with op.batch_alter_table("accounts") as batch:
        batch.alter_column("identity", existing_type=sa.String(length=300), nullable=False)
        batch.create_unique_constraint("uq_accounts_identity", ["identity"])
        batch.drop_column("campaign_id")


def downgrade() -> None:
    """Accounts back to one per campaign. An account two campaigns share cannot be split:
    the downgrade refuses rather than give one campaign's posts another's account."""
    bind = op.get_bind()
    shared = bind.execute(
        sa.text("SELECT account_id FROM campaign_accounts GROUP BY account_id HAVING COUNT(*) > 1")
    ).first()
    if shared is not None:
        raise RuntimeError("accounts shared by campaigns cannot be split back per campaign")
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("campaign_id", sa.Integer(), nullable=True))
    bind.execute(
        sa.text(
            "UPDATE accounts SET campaign_id = (SELECT campaign_accounts.campaign_id FROM "
            "campaign_accounts WHERE campaign_accounts.account_id = accounts.id)"
        )
    )
    bind.execute(
        sa.text(
            "DELETE FROM accounts WHERE campaign_id IS NULL AND id NOT IN "
            "(SELECT account_id FROM posts)"
        )
    )
    with op.batch_alter_table("accounts") as batch:
        batch.drop_constraint("uq_accounts_identity", type_="unique")
        batch.drop_column("identity")
        batch.drop_column("definition")
        batch.alter_column("campaign_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key("fk_accounts_campaign_id", "campaigns", ["campaign_id"], ["id"])
        batch.create_unique_constraint("uq_accounts_campaign_key", ["campaign_id", "key"])
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("channel")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("config_path")
        batch.drop_column("media_dir")
        batch.drop_column("settings")
    op.drop_table("deployment")
    op.drop_index("ix_campaign_accounts_account_id", table_name="campaign_accounts")
    op.drop_table("campaign_accounts")
