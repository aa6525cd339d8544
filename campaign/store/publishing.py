"""Publishing moves inside one transaction, over every campaign in the database or one of them.

These take a session; the daemon reaches them through `PublishingStore` (daemon_api.py), which
runs each in a short transaction of its own. `scope` is a campaign id, or None for all.

The claim is one conditional UPDATE (state scheduled -> publishing) that also requires, in the
same statement, that neither the post's campaign nor its account is paused or waiting for
credentials and that the approval matches the content, and, for a post of a pair, that every
earlier language's post is published and no account of the pair is stopped (pairs.py). The
campaign rows are read FOR SHARE
first (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers), so a claim waits for a
pause being written and then sees it: no post is claimed after a pause is recorded.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.orm import Session, selectinload

from campaign.store import pairs
from campaign.store.audit import record
from campaign.store.models import (
    AccountRow,
    CampaignRow,
    DaemonRow,
    DeploymentRow,
    PostRow,
    PostState,
)
from campaign.store.partial import stop_partial
from campaign.store.transitions import audited, transition

DAEMON = "daemon"
# One campaign's id, several (a daemon serving every campaign names those it knows, so each
# question reads the (campaign, state, time) index, not every post in a state), or None: every
# campaign in the database.
Scope = int | tuple[int, ...] | None


def in_scope(scope: Scope, column: Any = PostRow.campaign_id) -> ColumnElement[bool]:
    if scope is None:
        return true()
    if isinstance(scope, tuple):
        return cast("ColumnElement[bool]", column.in_(scope))
    return cast("ColumnElement[bool]", column == scope)


def _open_gate() -> ColumnElement[bool]:
    """Posts whose campaign and account (and, for a pair, its partners) may publish now."""
    account_ok = exists().where(
        AccountRow.id == PostRow.account_id,
        AccountRow.paused.is_(False),
        AccountRow.needs_credentials.is_(False),
    )
    campaign_ok = exists().where(
        CampaignRow.id == PostRow.campaign_id, CampaignRow.paused.is_(False)
    )
    everything_paused = exists().where(DeploymentRow.paused.is_(True))
    return and_(account_ok, campaign_ok, ~everything_paused, pairs.pair_gate())


def campaigns_of(session: Session, rows: Collection[PostRow]) -> dict[int, CampaignRow]:
    """The campaign rows of these posts, by id (one query)."""
    ids = {row.campaign_id for row in rows}
    if not ids:
        return {}
    return {c.id: c for c in session.scalars(select(CampaignRow).where(CampaignRow.id.in_(ids)))}


def schedule_approved(session: Session, scope: Scope, now: datetime) -> list[PostRow]:
    """Approved posts whose approval matches their content become scheduled."""
    rows = session.scalars(
        select(PostRow).where(
            in_scope(scope),
            PostRow.state == PostState.APPROVED,
            PostRow.approved_hash == PostRow.content_hash,
        )
    ).all()
    campaigns = campaigns_of(session, rows)
    for row in rows:
        transition(
            session,
            campaigns[row.campaign_id],
            row,
            PostState.SCHEDULED,
            DAEMON,
            now,
            scheduled_at=row.scheduled_at.isoformat(),
        )
    return list(rows)


def mark_missed(
    session: Session,
    scope: Scope,
    now: datetime,
    grace: timedelta,
    graces: Mapping[int, timedelta] | None = None,
) -> list[PostRow]:
    """Scheduled posts past their grace window are missed, with the reason, never sent late.

    `graces` gives a campaign its own window (by campaign id; `grace` for any other), so one
    daemon serving several campaigns honours each one's. A thread whose first part is public
    is the exception: it is finished late rather than left without its helpline, and while
    publishing is stopped it is `partial`. Returns the missed.
    """
    graces = graces or {}
    shortest = min([grace, *graces.values()])
    rows = session.scalars(
        select(PostRow)
        .where(
            in_scope(scope),
            PostRow.state == PostState.SCHEDULED,
            PostRow.scheduled_at < now - shortest,
            # waiting for its pair's earlier language: it goes (or is held) with that one
            or_(PostRow.unit_key.is_(None), ~pairs.earlier_in(pairs.MAY_GO_OUT)),
        )
        .options(selectinload(PostRow.account))
    ).all()
    rows = [row for row in rows if row.scheduled_at < now - graces.get(row.campaign_id, grace)]
    campaigns = campaigns_of(session, rows)
    switch = session.get(DeploymentRow, 1) if rows else None
    everything = switch.pause_reason if switch is not None and switch.paused else None
    missed = []
    for row in rows:
        campaign, account = campaigns[row.campaign_id], row.account
        window = graces.get(row.campaign_id, grace)
        why = _missed_reason(campaign, account, row, window, everything)
        why += pairs.published_note(session, row)
        if row.live_part_ids:
            # A thread whose head is public is finished late rather than left without its
            # helpline: while publishing is stopped it is `partial`, otherwise it goes on.
            stopped = campaign.paused or account.paused or account.needs_credentials
            if stopped or everything is not None:
                stop_partial(session, campaign, row, DAEMON, now, why)
            continue
        row.last_error, row.next_attempt_at = why, None
        transition(session, campaign, row, PostState.MISSED, DAEMON, now, reason=why)
        missed.append(row)
    return missed


def _missed_reason(
    campaign: CampaignRow,
    account: AccountRow,
    row: PostRow,
    grace: timedelta,
    everything: str | None = None,
) -> str:
    minutes = f"{grace.total_seconds() / 60:g} min"
    if everything is not None:
        return f"all publishing paused ({everything}) past the {minutes} grace window"
    if campaign.paused:
        return f"campaign paused ({campaign.pause_reason}) past the {minutes} grace window"
    if account.paused:
        return f"account paused ({account.pause_reason}) past the {minutes} grace window"
    if account.needs_credentials:
        return f"account needed new credentials past the {minutes} grace window"
    if row.last_error:
        return f"not published within the {minutes} grace window; last error: {row.last_error}"
    if row.approved_at is not None and row.approved_at > row.scheduled_at + grace:
        late = _duration(row.approved_at - row.scheduled_at)
        return f"approved {late} after its time, past the {minutes} grace window"
    return f"no daemon published it within the {minutes} grace window"


def _duration(span: timedelta) -> str:
    """'23 minutes', '2 hours 5 minutes', '3 days 1 hour' (never seconds: a grace window is
    minutes long)."""
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    said = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n][:2]
    return " ".join(said) or "less than a minute"


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        PostRow.state == PostState.SCHEDULED,
        PostRow.scheduled_at <= now,
        or_(PostRow.next_attempt_at.is_(None), PostRow.next_attempt_at <= now),
    )


def due_post_ids(
    session: Session,
    scope: Scope,
    now: datetime,
    limit: int,
    exclude: Collection[int] = (),
    units: Collection[tuple[int, str]] | None = None,
) -> list[int]:
    """Ids of scheduled posts whose time (or retry time) has come, oldest first (a pair's
    later language is not among them until its earlier one is published). `units`: only posts
    of these pairs, by (campaign id, unit key)."""
    query = (
        select(PostRow.id)
        .where(in_scope(scope), _due(now), _open_gate())
        .order_by(PostRow.scheduled_at, PostRow.id)
        .limit(limit)
    )
    if exclude:
        query = query.where(PostRow.id.not_in(list(exclude)))
    if units is not None:
        if not units:
            return []
        query = query.where(tuple_(PostRow.campaign_id, PostRow.unit_key).in_(list(units)))
    return list(session.scalars(query))


def next_due(session: Session, scope: Scope) -> datetime | None:
    """When the next scheduled post (or retry) falls due: what a rehearsal sleeps towards."""
    base = select(PostRow).where(
        in_scope(scope),
        or_(
            PostRow.state == PostState.PUBLISHING,
            # a pair's later language follows its earlier one, not its own time
            and_(PostRow.state == PostState.SCHEDULED, pairs.earlier_all_published()),
        ),
    )
    first = session.scalar(
        base.with_only_columns(func.min(PostRow.scheduled_at)).where(
            PostRow.next_attempt_at.is_(None)
        )
    )
    retry = session.scalar(base.with_only_columns(func.min(PostRow.next_attempt_at)))
    return min((t for t in (first, retry) if t is not None), default=None)


def claim_many(
    session: Session, post_ids: Collection[int], daemon_id: str, now: datetime
) -> list[PostRow]:
    """Claim due posts (of any campaigns) in one statement; returns only those this daemon won.

    The conditional UPDATE is the claim: a row another daemon already moved to `publishing`
    no longer matches. On PostgreSQL the candidates are first locked FOR UPDATE SKIP LOCKED,
    so daemons split a burst between them instead of queueing on each other's rows.
    """
    if not post_ids:
        return []
    ids = list(post_ids)
    _lock_campaigns(session, ids)
    claimable = and_(
        PostRow.id.in_(ids),
        PostRow.state == PostState.SCHEDULED,
        PostRow.approved_hash == PostRow.content_hash,
        or_(PostRow.next_attempt_at.is_(None), PostRow.next_attempt_at <= now),
        _open_gate(),
    )
    if session.get_bind().dialect.name == "postgresql":
        unlocked = select(PostRow.id).where(claimable).with_for_update(skip_locked=True)
        claimable = PostRow.id.in_(unlocked.scalar_subquery())
    won = list(
        session.scalars(
            update(PostRow)
            .where(claimable)
            .values(
                state=PostState.PUBLISHING,
                claimed_by=daemon_id,
                claimed_at=now,
                first_attempt_at=func.coalesce(
                    PostRow.first_attempt_at, literal(now, PostRow.first_attempt_at.type)
                ),
                attempts=PostRow.attempts + 1,
                in_doubt=False,
                updated_at=now,
            )
            .returning(PostRow.id)
            .execution_options(synchronize_session=False)
        )
    )
    if not won:
        return []
    rows = list(
        session.scalars(
            select(PostRow)
            .where(PostRow.id.in_(won))
            .options(selectinload(PostRow.account))
            .order_by(PostRow.scheduled_at, PostRow.id)
            .execution_options(populate_existing=True)
        )
    )
    campaigns = campaigns_of(session, rows)
    for row in rows:
        audited(
            session,
            campaigns[row.campaign_id],
            row,
            PostState.SCHEDULED,
            daemon_id,
            now,
            action="claimed",
            attempt=row.attempts,
        )
    return rows


def claim_in_doubt(
    session: Session,
    scope: Scope,
    daemon_id: str,
    now: datetime,
    stale_before: datetime,
    busy: Collection[int] = (),
) -> list[PostRow]:
    """Take over posts left `publishing` by a dead daemon, or marked in doubt and due a look.

    `busy` are posts this process is already sending or looking for: never taken twice. A
    taken post's next look is put off by the heartbeat timeout, so no other daemon takes it
    while this one looks (the look ends well before: it is a few bounded requests). The post
    stays `publishing` (no move): only its holder changes, audited as `reconciling`.
    """
    alive = select(DaemonRow.id).where(
        DaemonRow.heartbeat_at >= stale_before, DaemonRow.stopped_at.is_(None)
    )
    candidates = session.scalars(
        select(PostRow).where(
            in_scope(scope),
            PostRow.state == PostState.PUBLISHING,
            PostRow.id.not_in(list(busy)),
            or_(
                and_(PostRow.in_doubt.is_(True), PostRow.next_attempt_at <= now),
                PostRow.claimed_by.not_in(alive),
                PostRow.claimed_by.is_(None),
            ),
        )
    ).all()
    campaigns = campaigns_of(session, candidates)
    taken = []
    for row in candidates:
        previous = row.claimed_by
        # An UPDATE answers a CursorResult (with rowcount); Session.execute is typed wider.
        result = session.execute(
            update(PostRow)
            .where(
                PostRow.id == row.id,
                PostRow.state == PostState.PUBLISHING,
                PostRow.claimed_by.is_(previous)
                if previous is None
                else PostRow.claimed_by == previous,
            )
            # A dead daemon's create may have left: its outcome is unknown.
            .values(
                claimed_by=daemon_id,
                claimed_at=now,
                in_doubt=True,
                sent_in_doubt=True,
                next_attempt_at=now + (now - stale_before),
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if cast("CursorResult[Any]", result).rowcount == 1:
            session.refresh(row)
            _ = row.account
            record(
                session,
                campaigns[row.campaign_id],
                "reconciling",
                daemon_id,
                now,
                post=row,
                previous_claimer=previous,
            )
            taken.append(row)
    return taken


def _lock_campaigns(session: Session, post_ids: list[int]) -> None:
    """Read the campaigns of these posts FOR SHARE: a pause being written is waited for."""
    if session.get_bind().dialect.name != "postgresql":
        return
    of_posts = select(PostRow.campaign_id).where(PostRow.id.in_(post_ids))
    session.execute(
        select(CampaignRow.id)
        .where(CampaignRow.id.in_(of_posts.scalar_subquery()))
        .order_by(CampaignRow.id)
        .with_for_update(read=True)
    )
