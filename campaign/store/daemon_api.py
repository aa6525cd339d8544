"""The store as the publishing daemon sees it: intent-named methods, ids in, plain values out.

Like APScheduler's `DataStore.acquire_jobs(scheduler_id, lease_duration, limit)`, the daemon
never opens a session or builds a query: each method is one short transaction and returns
frozen dataclasses, not ORM rows. Nothing assumes one campaign per process: a method that
selects posts takes `scope`: a campaign id, a tuple of ids, or None for every campaign, and a
claim or an outcome names posts by id, whatever their campaign. Every state change inside goes
through `transitions.transition`, which audits it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.errors import StoreError
from campaign.render import hashed_languages
from campaign.store import control, credentials, metrics, outcomes, pairs, publishing
from campaign.store.deployment import Deployment, deployment_version, load_deployment
from campaign.store.models import AuditRow, CampaignRow, MetricSnapshotRow, PostRow, PostState
from campaign.store.publishing import Scope, in_scope

if TYPE_CHECKING:
    from campaign.store import Store

DueCollection = metrics.DueCollection
Published = outcomes.Published


@dataclass(frozen=True)
class PostRef:
    """A post a step moved: enough to count it and name it."""

    id: int
    campaign_id: int
    key: str


@dataclass(frozen=True)
class ClaimedPost:
    """A post this daemon holds, as read in the transaction that claimed (or took over) it."""

    id: int
    campaign_id: int
    campaign: str  # the campaign's slug
    key: str
    account: str  # the account's key in its campaign's config
    platform: str
    scheduled_at: datetime
    claimed_at: datetime | None
    attempts: int
    approved_hash: str | None
    parts: tuple[str, ...]
    media: tuple[tuple[str, str, str | None], ...]  # (file, alt text, SHA-256 of the bytes)
    part_ids: tuple[str, ...]  # platform ids of the parts already public
    first_attempt_at: datetime | None
    last_attempt_at: datetime | None
    sent_in_doubt: bool
    account_id: int = 0  # the organisation's account (what the channel is built for)
    languages: tuple[str, ...] = ()  # its texts' languages (BCP 47), for a post in several
    unit: str | None = None  # the pair it belongs to (None: it goes out alone)
    position: int = 0  # its place in the pair's order

    @property
    def hashed_languages(self) -> list[str] | None:
        return hashed_languages(self.languages, self.unit)


@dataclass(frozen=True)
class Housekeeping:
    """What one housekeeping step did: posts scheduled, missed, and taken over in doubt."""

    scheduled: list[PostRef]
    missed: list[PostRef]
    in_doubt: list[ClaimedPost]
    held: list[PostRef] = field(default_factory=list)  # a pair's post whose partner failed


@dataclass(frozen=True)
class Snapshot:
    """One metrics reading of one post, to append."""

    post_id: int
    platform_post_id: str
    collected_at: datetime
    offset: str
    status: str  # ok | deleted | unreachable
    api_version: str
    metric_names: tuple[str, ...]
    values: dict[str, Any]
    unavailable: dict[str, Any]


def _ref(row: PostRow) -> PostRef:
    return PostRef(row.id, row.campaign_id, row.key)


def _claimed(row: PostRow, slugs: dict[int, str]) -> ClaimedPost:
    return ClaimedPost(
        id=row.id,
        campaign_id=row.campaign_id,
        campaign=slugs[row.campaign_id],
        key=row.key,
        account=row.channel,
        platform=row.account.platform,
        scheduled_at=row.scheduled_at,
        claimed_at=row.claimed_at,
        attempts=row.attempts,
        approved_hash=row.approved_hash,
        parts=tuple(row.parts),
        media=tuple((m["file"], m["alt"], m.get("sha256")) for m in row.media),
        part_ids=tuple(row.live_part_ids),
        first_attempt_at=row.first_attempt_at,
        last_attempt_at=row.last_attempt_at,
        sent_in_doubt=row.sent_in_doubt,
        account_id=row.account_id,
        languages=tuple(str(variant["lang"]) for variant in row.variants or ()),
        unit=row.unit_key,
        position=row.unit_position,
    )


def _claimed_all(session: Session, rows: Sequence[PostRow]) -> list[ClaimedPost]:
    slugs = {c.id: c.slug for c in publishing.campaigns_of(session, rows).values()}
    return [_claimed(row, slugs) for row in rows]


class PublishingStore:
    """The daemon's store. `Store.publishing` is one; it shares the Store's engine and lock."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # -- campaigns and daemons ----------------------------------------------------------------

    def campaign_id(self, slug: str) -> int:
        """The id of a stored campaign (NoPlanStored if `campaign plan` never stored it)."""
        return self._store.campaign(slug).id

    def campaign_ids(self) -> list[int]:
        with self._store.reading() as session:
            return list(session.scalars(select(CampaignRow.id).order_by(CampaignRow.id)))

    def heartbeat(self, daemon_id: str, now: datetime, *, stopping: bool = False) -> None:
        with self._store.transaction() as session:
            control.heartbeat(session, daemon_id, now, stopping=stopping)

    # -- housekeeping -------------------------------------------------------------------------

    def housekeeping(
        self,
        daemon_id: str,
        now: datetime,
        *,
        grace: timedelta,
        stale_before: datetime,
        busy: Collection[int] = (),
        scope: Scope = None,
        graces: Mapping[int, timedelta] | None = None,
    ) -> Housekeeping:
        """Heartbeat, schedule approvals, mark misfires and take over sends in doubt: the four
        in one transaction (one write lock per sweep, not four). `graces`: a grace window per
        campaign id, where campaigns differ (`grace` for the others)."""
        with self._store.transaction() as session:
            control.heartbeat(session, daemon_id, now)
            scheduled = publishing.schedule_approved(session, scope, now)
            missed = publishing.mark_missed(session, scope, now, grace, graces)
            held = pairs.hold_partners(session, in_scope(scope), now)
            taken = publishing.claim_in_doubt(session, scope, daemon_id, now, stale_before, busy)
            return Housekeeping(
                [_ref(r) for r in scheduled],
                [_ref(r) for r in missed],
                _claimed_all(session, taken),
                [_ref(r) for r in held],
            )

    def schedule_approved(self, now: datetime, scope: Scope = None) -> list[PostRef]:
        with self._store.transaction() as session:
            return [_ref(r) for r in publishing.schedule_approved(session, scope, now)]

    def mark_missed(
        self,
        now: datetime,
        grace: timedelta,
        scope: Scope = None,
        graces: Mapping[int, timedelta] | None = None,
    ) -> list[PostRef]:
        with self._store.transaction() as session:
            return [_ref(r) for r in publishing.mark_missed(session, scope, now, grace, graces)]

    def take_over_in_doubt(
        self,
        daemon_id: str,
        now: datetime,
        stale_before: datetime,
        busy: Collection[int] = (),
        scope: Scope = None,
    ) -> list[ClaimedPost]:
        with self._store.transaction() as session:
            rows = publishing.claim_in_doubt(session, scope, daemon_id, now, stale_before, busy)
            return _claimed_all(session, rows)

    # -- what is due, and claiming it ---------------------------------------------------------

    def due(
        self,
        now: datetime,
        limit: int,
        scope: Scope = None,
        exclude: Collection[int] = (),
        units: Collection[tuple[int, str]] | None = None,
    ) -> list[int]:
        """Ids of posts due now, oldest first, that no pause or credentials hold stops
        (`units`: only those of these pairs, by (campaign id, unit key))."""
        with self._store.reading() as session:
            return publishing.due_post_ids(session, scope, now, limit, exclude, units)

    def acquire(
        self, daemon_id: str, post_ids: Collection[int], now: datetime
    ) -> list[ClaimedPost]:
        """Claim these posts (of any campaigns) in one statement; only those won come back."""
        with self._store.transaction() as session:
            return _claimed_all(session, publishing.claim_many(session, post_ids, daemon_id, now))

    def acquire_due(
        self,
        daemon_id: str,
        now: datetime,
        limit: int,
        scope: Scope = None,
        exclude: Collection[int] = (),
    ) -> list[ClaimedPost]:
        """Everything due at `now` (up to `limit`), across campaigns, claimed in one batch."""
        with self._store.transaction() as session:
            ids = publishing.due_post_ids(session, scope, now, limit, exclude)
            return _claimed_all(session, publishing.claim_many(session, ids, daemon_id, now))

    def next_due(self, scope: Scope = None) -> datetime | None:
        """When the next post (or retry, or look) falls due."""
        with self._store.reading() as session:
            return publishing.next_due(session, scope)

    def upcoming(
        self, now: datetime, until: datetime, scope: Scope = None
    ) -> list[tuple[int, datetime]]:
        """(id, time) of first attempts due after `now` up to `until`: for exact-time jobs."""
        with self._store.reading() as session:
            query = select(PostRow.id, PostRow.scheduled_at).where(
                in_scope(scope),
                PostRow.state == PostState.SCHEDULED,
                PostRow.next_attempt_at.is_(None),
                PostRow.scheduled_at > now,
                PostRow.scheduled_at <= until,
            )
            return [(post_id, at) for post_id, at in session.execute(query)]

    def unfinished(self, scope: Scope = None) -> int:
        """How many posts are approved, scheduled or being published: work still to do."""
        waiting = [PostState.APPROVED, PostState.SCHEDULED, PostState.PUBLISHING]
        with self._store.reading() as session:
            query = select(func.count()).where(in_scope(scope), PostRow.state.in_(waiting))
            return session.scalar(query) or 0

    def count_actions(self, action: str, scope: Scope = None) -> int:
        """How many audit rows of `action` (of one campaign, or all)."""
        query = select(func.count()).where(AuditRow.action == action)
        if scope is not None:
            query = query.where(in_scope(scope, AuditRow.campaign_id))
        with self._store.reading() as session:
            return session.scalar(query) or 0

    # -- outcomes of a claimed post -----------------------------------------------------------

    def attempting(self, post_id: int, daemon_id: str, now: datetime) -> str | None:
        """Just before a create: why to stop (a pause since the claim), or None to go on."""
        with self._store.transaction() as session:
            return outcomes.attempting(session, post_id, daemon_id, now)

    def attempting_many(
        self, daemon_id: str, post_ids: Sequence[int], now: datetime
    ) -> dict[int, str | StoreError | None]:
        """`attempting` for many sends in one transaction: per post, why to stop, None to go
        on, or the error saying its claim is lost (that post alone is left untouched)."""
        with self._store.transaction() as session:
            answers: dict[int, str | StoreError | None] = {}
            for post_id in post_ids:
                try:
                    answers[post_id] = outcomes.attempting(session, post_id, daemon_id, now)
                except StoreError as lost:  # raised before it changed anything
                    answers[post_id] = lost
            return answers

    def record_part(
        self, post_id: int, daemon_id: str, now: datetime, *, index: int, part_id: str
    ) -> None:
        with self._store.transaction() as session:
            outcomes.part_sent(session, post_id, daemon_id, now, index=index, part_id=part_id)

    def record_published(self, daemon_id: str, done: Published) -> None:
        lost = self.record_outcomes(daemon_id, [done])
        if lost:
            raise StoreError(f"post {done.post_id} is no longer claimed by {daemon_id}")

    def record_outcomes(self, daemon_id: str, done: Sequence[Published]) -> list[int]:
        """Record many successful sends in one transaction. Returns the ids whose claim this
        daemon had lost (taken over after a stall): those are left to their new holder."""
        if not done:
            return []
        with self._store.transaction() as session:
            return outcomes.published_many(session, daemon_id, done)

    def retry_later(
        self,
        post_id: int,
        daemon_id: str,
        now: datetime,
        *,
        at: datetime,
        error: str,
        in_doubt: bool = False,
    ) -> None:
        with self._store.transaction() as session:
            outcomes.retry_later(
                session, post_id, daemon_id, now, at=at, error=error, in_doubt=in_doubt
            )

    def fail(
        self,
        post_id: int,
        daemon_id: str,
        now: datetime,
        *,
        error: str,
        state: PostState = PostState.FAILED,
        failure: str | None = None,
    ) -> None:
        """Publishing of this post ends `failed` (or `missed`; `partial` if parts are live)."""
        with self._store.transaction() as session:
            outcomes.failed(
                session, post_id, daemon_id, now, error=error, state=state, failure=failure
            )

    def hold_for_credentials(
        self, post_id: int, daemon_id: str, now: datetime, *, error: str
    ) -> None:
        with self._store.transaction() as session:
            outcomes.hold_for_credentials(session, post_id, daemon_id, now, error=error)

    # -- credentials (the daily probe, `campaign preflight`) -------------------------------------

    def hold_refused_account(
        self, account_id: int, actor: str, now: datetime, *, error: str
    ) -> bool:
        """The platform refused the account's token: hold it as a refused send would (its
        posts wait); False if it was already held."""
        with self._store.transaction() as session:
            return credentials.hold_refused(session, account_id, actor, now, error=error)

    def token_expiring(
        self, account_id: int, expires_at: datetime, now: datetime, *, days: int | None = None
    ) -> credentials.Expiry:
        """Raise "token-expiring" (once per account and date) if the token ends within
        `days` (default: the campaigns' `[alerts] token_warning_days`)."""
        with self._store.transaction() as session:
            return credentials.token_expiring(session, account_id, expires_at, now, days=days)

    def release(self, post_id: int, daemon_id: str, now: datetime, *, reason: str) -> None:
        with self._store.transaction() as session:
            outcomes.release(session, post_id, daemon_id, now, reason=reason)

    def void_approval(self, post_id: int, daemon_id: str, now: datetime, *, reason: str) -> None:
        with self._store.transaction() as session:
            outcomes.approval_void(session, post_id, daemon_id, now, reason=reason)

    def deployment(self, scope: int | None = None) -> Deployment:
        """Every campaign in scope with its stored settings, and the accounts they use."""
        with self._store.reading() as session:
            return load_deployment(session, scope)

    def deployment_version(self, scope: int | None = None) -> tuple[int, ...]:
        """A cheap signature of which campaigns and accounts exist (two tiny queries, no
        settings read): it changes when a campaign, an account or a link is added or removed,
        so a running daemon knows to read the deployment again."""
        with self._store.reading() as session:
            return deployment_version(session, scope)

    # -- metrics ------------------------------------------------------------------------------

    def metrics_due(
        self,
        now: datetime,
        offsets: dict[str, timedelta],
        scope: Scope = None,
        by_campaign: Mapping[int, dict[str, timedelta]] | None = None,
    ) -> list[DueCollection]:
        """Published posts whose next offset has come (`by_campaign`: offsets per campaign id
        where campaigns differ; `offsets` for the others)."""
        with self._store.reading() as session:
            return metrics.due_collections(session, scope, now, offsets, by_campaign)

    def published(self, offset: str, scope: Scope = None) -> list[DueCollection]:
        """Every published post, to read now under the label `offset`."""
        with self._store.reading() as session:
            return metrics.published_posts(session, scope, offset)

    def next_metrics_due(
        self,
        offsets: dict[str, timedelta],
        scope: Scope = None,
        by_campaign: Mapping[int, dict[str, timedelta]] | None = None,
    ) -> datetime | None:
        with self._store.reading() as session:
            return metrics.next_collection_due(session, scope, offsets, by_campaign)

    def save_snapshots(self, snapshots: Sequence[Snapshot]) -> None:
        """Append readings in one transaction (snapshots are never overwritten)."""
        if not snapshots:
            return
        with self._store.transaction() as session:
            session.add_all(
                MetricSnapshotRow(
                    post_id=s.post_id,
                    platform_post_id=s.platform_post_id,
                    collected_at=s.collected_at,
                    offset=s.offset,
                    status=s.status,
                    api_version=s.api_version,
                    metric_names=list(s.metric_names),
                    values=dict(s.values),
                    unavailable=dict(s.unavailable),
                )
                for s in snapshots
            )
