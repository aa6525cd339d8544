"""The store: the database is the source of truth for the plan and what was sent.

`Store(engine)` takes an engine and never owns global state; `Store.open(url)` makes one and
migrates it; `Store.open_existing(url)` uses only a database `campaign plan` made, creating
nothing. Every public method is one short transaction; the ones that only read do not take
SQLite's write lock, so pages (the pause form among them) open while another process writes.
The publishing daemon uses `Store.publishing` (daemon_api.py): the same store, named by what a
daemon does, over every campaign in the database. docs/architecture.md describes both.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from campaign.clock import Clock, SystemClock
from campaign.config import CampaignConfig
from campaign.defaults import PAUSE_PATIENCE
from campaign.errors import (
    AccountNotFound,
    BadInput,
    DatabaseBusy,
    DatabaseFailure,
    NoPlanStored,
    PostNotFound,
)
from campaign.store import accounts, across, approvals, control, partial

# Registers the listener that raises alerts from new audit rows, in their transaction.
from campaign.store import alert_capture as alert_capture
from campaign.store.accounts import users_of
from campaign.store.across import OtherSend
from campaign.store.alerts_api import AlertsStore
from campaign.store.audit import MAX_KEY, MAX_REASON, Actor, as_actor, bounded_text
from campaign.store.daemon_api import PublishingStore
from campaign.store.database import READ_ONLY, make_engine, migrate, open_existing
from campaign.store.editing import ContentMethods, EditResult
from campaign.store.models import (
    AccountRow,
    AuditRow,
    CampaignAccountRow,
    CampaignRow,
    DaemonRow,
    DeploymentRow,
    MetricSnapshotRow,
    PostRow,
    PostState,
)
from campaign.store.plan_sync import PlanChanges
from campaign.store.retry import is_busy, while_busy
from campaign.store.review import review_settings
from campaign.store.review_api import ReviewStore

__all__ = [
    "AccountRow",
    "Actor",
    "AuditRow",
    "CampaignRow",
    "DeploymentRow",
    "EditResult",
    "PlanChanges",
    "PostRow",
    "PostState",
    "PublishingStore",
    "Store",
]


class Store(ContentMethods):
    def __init__(
        self, engine: Engine, clock: Clock | None = None, *, pause_patience: float = PAUSE_PATIENCE
    ) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()
        self.pause_patience = pause_patience
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._readers = sessionmaker(
            engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )
        # SQLite has one writer at a time and every transaction here is BEGIN IMMEDIATE. Threads
        # of this process queue on a lock instead of in SQLite's busy handler, whose sleeps
        # (1, 2, 5 ... 100 ms) would make a burst of due posts late. PostgreSQL needs none.
        self._local_writer = threading.RLock() if engine.dialect.name == "sqlite" else None
        # What the daemon and review pages call: intent-named methods, no sessions.
        self.publishing, self.review = PublishingStore(self), ReviewStore(self)
        self.alerts = AlertsStore(self)

    @classmethod
    def open(cls, url: str, clock: Clock | None = None) -> Store:
        engine = make_engine(url)
        migrate(engine)
        return cls(engine, clock)

    @classmethod
    def open_existing(cls, url: str, clock: Clock | None = None, *, upgrade: bool = False) -> Store:
        """For commands that must not write a database into being: refuse a missing one."""
        return cls(open_existing(url, upgrade=upgrade), clock)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: committed if the block succeeds, rolled back whole if not."""
        try:
            with self._local_writer or nullcontext(), self._sessions.begin() as session:
                yield session
        except SQLAlchemyError as exc:
            raise _store_error(exc) from exc

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction that only reads. On SQLite it does not take the write lock, so it
        answers while another process writes (WAL); writes in it are an error."""
        try:
            with self._readers.begin() as session:
                yield session
        except SQLAlchemyError as exc:
            raise _store_error(exc) from exc

    def campaign(self, slug: str, session: Session | None = None) -> CampaignRow:
        if session is None:
            with self.reading() as own:
                return self.campaign(slug, own)
        row = session.scalar(select(CampaignRow).where(CampaignRow.slug == slug))
        if row is None:
            raise NoPlanStored(f"campaign {slug!r} is not in the database")
        return row

    def campaigns(self) -> list[CampaignRow]:
        """Every campaign in the database, earliest first: what a deployment holds."""
        with self.reading() as session:
            query = select(CampaignRow).order_by(CampaignRow.start, CampaignRow.slug)
            return list(session.scalars(query))

    def state_counts(self) -> dict[str, dict[str, int]]:
        """How many posts each campaign (by slug) has in each state."""
        with self.reading() as session:
            return across.state_counts(session)

    def posts(
        self, slug: str, *, keys: Sequence[str] = (), day: date | None = None
    ) -> list[PostRow]:
        with self.reading() as session:
            return self._select_posts(session, slug, keys, day)

    def posts_and_snapshots(self, slug: str) -> tuple[list[PostRow], list[MetricSnapshotRow]]:
        """Every post of the campaign (accounts loaded) and all their metric snapshots, oldest
        first, read in one transaction: what an engagement report is built from."""
        with self.reading() as session:
            posts = self._select_posts(session, slug, (), None)
            query = (
                select(MetricSnapshotRow)
                .join(PostRow)
                .where(PostRow.campaign_id == self.campaign(slug, session).id)
                .order_by(MetricSnapshotRow.collected_at, MetricSnapshotRow.id)
            )
            return posts, list(session.scalars(query))

    def approve(
        self,
        slug: str,
        actor: str | Actor,
        *,
        keys: Sequence[str] = (),
        day: date | None = None,
        expected: Mapping[str, str] | None = None,
        allow_past: bool = True,
        dry_run: bool = False,
        allow_self_approval: bool = False,
    ) -> approvals.ApprovalResult:
        """Approve drafts (by key, by day, or all when neither is given), all or none.

        `expected` maps each key to the content hash the approver was shown, checked in this
        transaction: a plan stored a moment earlier refuses it. Two-person rule: `review.py`.
        A pair (one post per language) is approved together: keys (and `expected`) must name
        every post of it still to go out, or `approvals.PairIncomplete` names the others with
        their fingerprints; by day or all, the pair goes together.
        """
        who = as_actor(actor)
        with self.transaction() as session:
            campaign, rows = self._signoff_rows(session, slug, keys, day)
            result = approvals.approve(
                session,
                campaign,
                rows,
                who,
                self.clock.now(),
                expected=expected,
                allow_past=allow_past,
                allow_own=allow_self_approval or review_settings(campaign).self_approval,
                # one post, or one pair, named: say why not rather than skip it
                refuse_own=bool(keys) and len({row.unit_key or row.key for row in rows}) == 1,
                named=keys if keys and expected is None else None,
            )
            if dry_run:
                session.rollback()
            return result

    def pair(self, slug: str, key: str) -> list[PostRow]:
        """The posts of the pair `key` belongs to, in their language order (accounts loaded);
        just that post when it goes out alone. What a page shows and approves together
        (`pairs.pair_status` words where it stands)."""
        with self.reading() as session:
            [row] = self._select_posts(session, slug, [key], None)
            return approvals.with_partners(session, [row])

    def withdraw(
        self,
        slug: str,
        actor: str | Actor,
        reason: str,
        *,
        keys: Sequence[str] = (),
        day: date | None = None,
    ) -> approvals.ApprovalResult:
        who = as_actor(actor)
        why = bounded_text("reason", reason, MAX_REASON, required=True)
        with self.transaction() as session:
            campaign, rows = self._signoff_rows(session, slug, keys, day)
            return approvals.withdraw(session, campaign, rows, who, self.clock.now(), why)

    def pause(self, slug: str, actor: str | Actor, reason: str, account: str | None = None) -> None:
        """Stop publishing now (campaign or one account); daemons see it at their next claim.

        While another writer holds the database, keep trying for `pause_patience` seconds: in
        an incident this is the action that must get through. `DatabaseBusy` if it never did
        (then nothing was paused).
        """
        who = as_actor(actor)
        why = bounded_text("reason for the pause", reason, MAX_REASON, required=True)

        def attempt() -> None:
            with self.transaction() as session:
                campaign = self.campaign(slug, session)
                row = self._account(session, campaign, account) if account else None
                control.pause(session, campaign, who, why, self.clock.now(), row)

        while_busy(attempt, patience=self.pause_patience)

    def resume(
        self, slug: str, actor: str | Actor, reason: str, account: str | None = None
    ) -> None:
        who = as_actor(actor)
        why = bounded_text("reason for resuming", reason, MAX_REASON)
        with self.transaction() as session:
            campaign = self.campaign(slug, session)
            row = self._account(session, campaign, account) if account else None
            control.resume(session, campaign, who, why, self.clock.now(), row)

    def abandon(self, slug: str, key: str, actor: str, reason: str) -> PostRow:
        """An approver gives up the rest of a partial thread: it becomes `abandoned`, audited.

        Who may do this is the caller's check (the CLI and the dashboard allow approvers only).
        """
        with self.transaction() as session:
            campaign = self.campaign(slug, session)
            [row] = self._select_posts(session, slug, [key], None)
            partial.abandon(session, campaign, row, actor, self.clock.now(), reason)
            return row

    def accounts(self, slug: str) -> list[AccountRow]:
        """The accounts the campaign uses (shared with any other campaign that uses them)."""
        with self.reading() as session:
            return list(self.campaign(slug, session).accounts)

    def account_conflicts(self, config: CampaignConfig) -> dict[str, str]:
        """By account key: another campaign uses the account with other settings."""
        with self.reading() as session:
            return accounts.conflicts(session, config)

    def all_accounts(self) -> list[AccountRow]:
        """Every account of the organisation, whichever campaigns use it."""
        with self.reading() as session:
            return list(session.scalars(select(AccountRow).order_by(AccountRow.key)))

    def account_users(self, slug: str, key: str) -> tuple[AccountRow, list[CampaignRow]]:
        """The account the campaign calls `key`, and every campaign that uses it."""
        with self.reading() as session:
            account = self._account(session, self.campaign(slug, session), key)
            return account, users_of(session, account)

    def other_sends(self, identities: Collection[str], excluding: str) -> list[OtherSend]:
        """What every campaign but `excluding` plans (or sent) on these accounts: caps are
        per account, whichever campaigns share it."""
        with self.reading() as session:
            return across.other_sends(session, identities, excluding)

    def pause_everything(self, actor: str | Actor, reason: str) -> None:
        """Stop all publishing in the database at once, as patiently as a campaign pause."""
        who = as_actor(actor)
        why = bounded_text("reason for the pause", reason, MAX_REASON, required=True)

        def attempt() -> None:
            with self.transaction() as session:
                control.pause_everything(session, who, why, self.clock.now())

        while_busy(attempt, patience=self.pause_patience)

    def resume_everything(self, actor: str | Actor, reason: str) -> None:
        why = bounded_text("reason for resuming", reason, MAX_REASON)
        with self.transaction() as session:
            control.resume_everything(session, as_actor(actor), why, self.clock.now())

    def everything_paused(self) -> DeploymentRow | None:
        """The pause of everything (reason, by whom, since when), or None."""
        with self.reading() as session:
            return control.everything_paused(session)

    def daemons(self) -> list[DaemonRow]:
        with self.reading() as session:
            return list(session.scalars(select(DaemonRow).order_by(DaemonRow.heartbeat_at.desc())))

    def _account(self, session: Session, campaign: CampaignRow, key: str) -> AccountRow:
        """The account the campaign calls `key` (or the organisation's key for it)."""
        link = session.get(CampaignAccountRow, (campaign.id, key))
        if link is not None:
            return link.account
        for row in campaign.accounts:
            if key in (row.key, row.handle):
                return row
        raise AccountNotFound(key, [link.key for link in _links(session, campaign)])

    def audit_log(self, slug: str) -> list[AuditRow]:
        with self.reading() as session:
            campaign = self.campaign(slug, session)
            query = select(AuditRow).where(AuditRow.campaign_id == campaign.id)
            return list(session.scalars(query.order_by(AuditRow.id)))

    def _lock_campaign(
        self, session: Session, slug: str, *, required: bool = True
    ) -> CampaignRow | None:
        """The campaign row, locked for this transaction on PostgreSQL (SQLite's BEGIN
        IMMEDIATE already serialises writers), so plan changes and approvals take turns."""
        row = session.scalar(select(CampaignRow).where(CampaignRow.slug == slug).with_for_update())
        if row is None and required:
            return self.campaign(slug, session)  # raises the "run `campaign plan`" error
        return row

    def _signoff_rows(
        self, session: Session, slug: str, keys: Sequence[str], day: date | None
    ) -> tuple[CampaignRow, list[PostRow]]:
        """The campaign (locked) and the posts a sign-off names; a day without posts is an
        input error (outside the campaign, or nothing planned), never "0 posts approved"."""
        campaign = self._lock_campaign(session, slug)
        assert campaign is not None
        rows = self._select_posts(session, slug, keys, day)
        if day is not None and not rows:
            raise _empty_day(campaign, day)
        return campaign, rows

    def _select_posts(
        self, session: Session, slug: str, keys: Sequence[str], day: date | None
    ) -> list[PostRow]:
        campaign = self.campaign(slug, session)
        for key in keys:
            bounded_text("post key", key, MAX_KEY, required=True)
        query = select(PostRow).where(PostRow.campaign_id == campaign.id)
        if day is not None:
            query = query.where(PostRow.day == day)
        if keys:
            query = query.where(PostRow.key.in_(keys))
        rows = list(session.scalars(query.order_by(PostRow.scheduled_at, PostRow.key)))
        for row in rows:
            _ = row.account  # loaded while the session is open
        missing = set(keys) - {row.key for row in rows}
        if missing:
            known = session.scalars(select(PostRow.key).where(PostRow.campaign_id == campaign.id))
            raise PostNotFound(sorted(missing)[0], known)
        return rows


def _links(session: Session, campaign: CampaignRow) -> list[CampaignAccountRow]:
    query = select(CampaignAccountRow).where(CampaignAccountRow.campaign_id == campaign.id)
    return list(session.scalars(query))


def _store_error(exc: SQLAlchemyError) -> DatabaseFailure:
    """Our error for a database failure; its text (with the SQL) is for logs, never pages."""
    kind = DatabaseBusy if is_busy(exc) else DatabaseFailure
    return kind(f"database error: {exc.__class__.__name__}: {exc}")


def _empty_day(campaign: CampaignRow, day: date) -> BadInput:
    if not campaign.start <= day <= campaign.end:
        return BadInput(
            f"{day:%A} {day.isoformat()} is outside {campaign.name} "
            f"({campaign.start.isoformat()} to {campaign.end.isoformat()}): give a day of the "
            "campaign"
        )
    return BadInput(
        f"no posts are planned on {day:%A} {day.isoformat()}: `campaign status` lists the days"
    )
