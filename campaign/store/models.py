"""Tables: campaigns, accounts, posts and the append-only audit log. Times are stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from campaign.errors import StoreError

# The states live in campaign.states (light, for the faces); re-exported for the store.
from campaign.states import FROZEN_STATES as FROZEN_STATES
from campaign.states import PostState as PostState


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware in Python, naive UTC in the database (same on SQLite and PostgreSQL)."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise StoreError(f"refusing a naive datetime {value!r}: times must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class PostStateType(TypeDecorator[PostState]):
    """A post's state as its enum in Python and its plain string value in the database (a
    VARCHAR, as before: no migration). An unknown value is refused on the way in."""

    impl = String(20)
    cache_ok = True

    def process_bind_param(self, value: PostState | str | None, dialect: Any) -> str | None:
        return None if value is None else PostState(value).value

    def process_result_value(self, value: str | None, dialect: Any) -> PostState | None:
        return None if value is None else PostState(value)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class CampaignRow(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200))
    hashtag: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    pause_reason: Mapped[str | None] = mapped_column(Text)
    paused_by: Mapped[str | None] = mapped_column(String(100))
    paused_at: Mapped[datetime | None]
    # What a daemon given only the database needs (migration 0008): the publishing and metrics
    # settings as planned, where the images are, and the config it was planned from.
    settings: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    media_dir: Mapped[str | None] = mapped_column(Text)
    config_path: Mapped[str | None] = mapped_column(Text)
    # The config as planned, without its days (migration 0009): posts render without the files.
    source: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    accounts: Mapped[list[AccountRow]] = relationship(
        secondary="campaign_accounts", viewonly=True, order_by="AccountRow.key"
    )


class AccountRow(Base):
    """One of the organisation's accounts, shared by every campaign that uses it: one pause
    switch, one credentials hold, one set of caps (migration 0008; before, one per campaign).

    `identity` is what makes two campaigns' accounts the same (`x:@handle`, `facebook:<page
    id>`); `definition` is the configured account (platform facts, caps and the NAMES of the
    credential variables, never secrets), from which a daemon builds the channel.
    """

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    identity: Mapped[str] = mapped_column(String(300), unique=True)
    key: Mapped[str] = mapped_column(String(100))  # the key it was first configured under
    platform: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str | None] = mapped_column(String(200))
    definition: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    pause_reason: Mapped[str | None] = mapped_column(Text)
    needs_credentials: Mapped[bool] = mapped_column(Boolean, default=False)
    credentials_problem: Mapped[str | None] = mapped_column(Text)


class CampaignAccountRow(Base):
    """Which account a campaign means by each of its channel keys ("x", "facebook")."""

    __tablename__ = "campaign_accounts"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)

    account: Mapped[AccountRow] = relationship()


class DeploymentRow(Base):
    """Switches over everything in the database; one row (id 1) once anyone pressed one.

    `paused` stops every campaign on every account: the incident switch of `pause --all`.
    """

    __tablename__ = "deployment"

    id: Mapped[int] = mapped_column(primary_key=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    pause_reason: Mapped[str | None] = mapped_column(Text)
    paused_by: Mapped[str | None] = mapped_column(String(100))
    paused_at: Mapped[datetime | None]


class PostRow(Base):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("campaign_id", "key"),
        # The daemon asks each second for a campaign's posts in a state, due by a time
        # (migration 0007): without it SQLite read every post of the campaign to answer.
        Index("ix_posts_campaign_state_time", "campaign_id", "state", "scheduled_at"),
        # A pair's posts found from one of them (migration 0011).
        Index("ix_posts_campaign_unit", "campaign_id", "unit_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    channel: Mapped[str] = mapped_column(String(100))  # the campaign's key for the account
    key: Mapped[str] = mapped_column(String(200))
    day: Mapped[date] = mapped_column(Date)
    day_slug: Mapped[str] = mapped_column(String(100))
    theme: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(String(300))
    scheduled_at: Mapped[datetime] = mapped_column(index=True)
    parts: Mapped[list[Any]]
    media: Mapped[list[Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[PostState] = mapped_column(PostStateType(), default=PostState.DRAFT, index=True)
    approved_hash: Mapped[str | None] = mapped_column(String(64))
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[datetime | None]
    platform_post_id: Mapped[str | None] = mapped_column(String(100))
    platform_part_ids: Mapped[list[Any] | None] = mapped_column(JSON)
    published_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]
    # Publishing: who holds the claim, since when, and when to try (or look) again.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    in_doubt: Mapped[bool] = mapped_column(Boolean, default=False)
    # Unknown outcomes: a create may land long after its answer failed. The account is searched
    # from the first attempt; a look waits until the last attempt has had time to land; and a
    # "duplicate content" refusal of a post once sent in doubt means the post is live.
    first_attempt_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    sent_in_doubt: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where the content came from (migration 0009): the current revision of its source, and
    # the source hash the files gave at the last plan (None: the post was made in the browser).
    revision_id: Mapped[int | None] = mapped_column(Integer)
    files_hash: Mapped[str | None] = mapped_column(String(64))
    # Posts in several languages (migration 0011): the post's language and its texts by
    # language ([{"lang", "parts"}], in order; NULL both for a post in the campaign's one
    # language), and the pair it belongs to (one post per language on separate accounts, one
    # unit for people and for publishing) with its place in the pair's order.
    lang: Mapped[str | None] = mapped_column(String(35))
    variants: Mapped[list[Any] | None] = mapped_column(JSON)
    unit_key: Mapped[str | None] = mapped_column(String(200))
    unit_position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    account: Mapped[AccountRow] = relationship()

    @property
    def live_part_ids(self) -> list[str]:
        """Platform ids of the parts already public, in thread order."""
        return [str(p) for p in (self.platform_part_ids or []) if p]

    @property
    def approval_current(self) -> bool:
        """Approved, and for exactly the content that would be sent now."""
        return self.approved_hash is not None and self.approved_hash == self.content_hash

    def clear_approval(self) -> None:
        """Forget who approved what: the post needs a new sign-off before it can go out."""
        self.approved_hash = self.approved_by = None
        self.approved_at = None


class MetricSnapshotRow(Base):
    """Engagement of one post at one moment. Never overwritten: growth curves need them all."""

    __tablename__ = "metric_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    platform_post_id: Mapped[str] = mapped_column(String(100))
    collected_at: Mapped[datetime]
    offset: Mapped[str] = mapped_column(String(20))  # "1h", "24h"... or "on-demand"
    status: Mapped[str] = mapped_column(String(20))  # ok | deleted | unreachable
    api_version: Mapped[str] = mapped_column(String(20))
    metric_names: Mapped[list[Any]] = mapped_column(JSON)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    unavailable: Mapped[dict[str, Any]] = mapped_column(JSON)


class DaemonRow(Base):
    """A publishing daemon's heartbeat, so `status` can say whether anything is alive."""

    __tablename__ = "daemons"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]
    stopped_at: Mapped[datetime | None]


class AuditRow(Base):
    """Who did what, when, and why. Rows are only ever added (enforced below and by triggers)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session: Session, flush_context: object, instances: object) -> None:
    for row in list(session.dirty) + list(session.deleted):
        if isinstance(row, AuditRow):
            raise StoreError("the audit log is append-only: audit rows cannot change")
        if isinstance(row, SignInEventRow):
            raise StoreError("sign-in events are append-only: they cannot change")


class UserRow(Base):
    """Someone who may sign in to the web dashboard: officer, approver or analyst.

    Only an Argon2 hash of the password is kept. A disabled user cannot sign in, and any session
    they hold stops working at their next request.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the user's CSRF tokens are bound to (not the session), so a form left open survives
    # signing in again elsewhere; a new one on a new password, disabling or a new role.
    csrf_secret: Mapped[str | None] = mapped_column(String(64))


class WebSessionRow(Base):
    """A signed-in dashboard session. The cookie holds a random token; only its SHA-256 is kept,
    so the table cannot be used to sign in. Ending a session here ends it for every copy of the
    cookie."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    started_at: Mapped[datetime]
    address: Mapped[str | None] = mapped_column(String(64))
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(50))


class SignInEventRow(Base):
    """One sign-in attempt, sign-out or end of sessions: the record, and the throttle's memory.

    `username` is set only when the name is an account's (a password typed into the name field
    is never stored); `name_key` is a hash of the name as typed, what the throttle counts by.
    """

    __tablename__ = "sign_in_events"
    __table_args__ = (
        Index("ix_sign_in_events_name_key", "name_key", "at"),
        Index("ix_sign_in_events_address", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    event: Mapped[str] = mapped_column(String(20))  # signed-in | failed | throttled | signed-out
    username: Mapped[str | None] = mapped_column(String(64))
    name_key: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(100))
