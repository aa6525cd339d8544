"""Publishing transitions, each one short transaction with the database as the source of truth.

The claim is one conditional UPDATE (state scheduled -> publishing) that also requires, in the
same statement, that neither the campaign nor the account is paused or waiting for credentials
and that the approval matches the content. The campaign row is read FOR SHARE first (PostgreSQL;
SQLite's BEGIN IMMEDIATE already serialises writers), so a claim waits for a pause being written
and then sees it: no post is claimed after a pause is recorded.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, literal, or_, select, update
from sqlalchemy.orm import Session, selectinload

from campaign.store.audit import record
from campaign.store.models import AccountRow, CampaignRow, DaemonRow, PostRow, PostState
from campaign.store.partial import stop_partial

DAEMON = "daemon"


def _open_gate(campaign_id: int, now: datetime):  # noqa: ANN202 - SQL expression
    """Posts of this campaign whose account may publish now."""
    account_ok = exists().where(
        AccountRow.id == PostRow.account_id,
        AccountRow.paused.is_(False),
        AccountRow.needs_credentials.is_(False),
    )
    campaign_ok = exists().where(CampaignRow.id == campaign_id, CampaignRow.paused.is_(False))
    return and_(PostRow.campaign_id == campaign_id, account_ok, campaign_ok)


def schedule_approved(session: Session, campaign: CampaignRow, now: datetime) -> list[str]:
    """Approved posts whose approval matches their content become scheduled."""
    rows = session.scalars(
        select(PostRow).where(
            PostRow.campaign_id == campaign.id,
            PostRow.state == PostState.APPROVED,
            PostRow.approved_hash == PostRow.content_hash,
        )
    ).all()
    for row in rows:
        row.state, row.updated_at = PostState.SCHEDULED, now
        record(
            session,
            campaign,
            "scheduled",
            DAEMON,
            now,
            post=row,
            scheduled_at=row.scheduled_at.isoformat(),
        )
    return [row.key for row in rows]


def mark_missed(
    session: Session, campaign: CampaignRow, now: datetime, grace: timedelta
) -> list[str]:
    """Scheduled posts past their grace window are missed, with the reason, never sent late.

    A thread whose first part is public is the exception: it is finished late rather than left
    without its helpline, and while publishing is stopped it is `partial`. Returns the missed.
    """
    rows = session.scalars(
        select(PostRow).where(
            PostRow.campaign_id == campaign.id,
            PostRow.state == PostState.SCHEDULED,
            PostRow.scheduled_at < now - grace,
        )
    ).all()
    for row in rows:
        why = _missed_reason(session, campaign, row, grace)
        if row.live_part_ids:
            # A thread whose head is public is finished late rather than left without its
            # helpline: while publishing is stopped it is `partial`, otherwise it goes on.
            account = session.get(AccountRow, row.account_id)
            held = account is not None and (account.paused or account.needs_credentials)
            if campaign.paused or held:
                stop_partial(session, campaign, row, DAEMON, now, why)
            continue
        row.state, row.last_error, row.updated_at = PostState.MISSED, why, now
        row.next_attempt_at = None
        record(session, campaign, "missed", DAEMON, now, post=row, reason=why)
    return [row.key for row in rows if row.state == PostState.MISSED]


def _missed_reason(session: Session, campaign: CampaignRow, row: PostRow, grace: timedelta) -> str:
    minutes = f"{grace.total_seconds() / 60:g} min"
    if campaign.paused:
        return f"campaign paused ({campaign.pause_reason}) past the {minutes} grace window"
    account = session.get(AccountRow, row.account_id)
    if account is not None and account.paused:
        return f"account paused ({account.pause_reason}) past the {minutes} grace window"
    if account is not None and account.needs_credentials:
        return f"account needed new credentials past the {minutes} grace window"
    if row.last_error:
        return f"not published within the {minutes} grace window; last error: {row.last_error}"
    return f"no daemon published it within the {minutes} grace window"


def due_post_ids(session: Session, campaign: CampaignRow, now: datetime, limit: int) -> list[int]:
    """Ids of scheduled posts whose time (or retry time) has come, oldest first."""
    query = (
        select(PostRow.id)
        .where(
            _open_gate(campaign.id, now),
            PostRow.state == PostState.SCHEDULED,
            PostRow.scheduled_at <= now,
            or_(PostRow.next_attempt_at.is_(None), PostRow.next_attempt_at <= now),
        )
        .order_by(PostRow.scheduled_at, PostRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def next_due(session: Session, campaign: CampaignRow) -> datetime | None:
    """When the next scheduled post (or retry) falls due: what a rehearsal sleeps towards."""
    base = select(PostRow).where(
        PostRow.campaign_id == campaign.id,
        PostRow.state.in_([PostState.SCHEDULED, PostState.PUBLISHING]),
    )
    first = session.scalar(
        base.with_only_columns(func.min(PostRow.scheduled_at)).where(
            PostRow.next_attempt_at.is_(None)
        )
    )
    retry = session.scalar(base.with_only_columns(func.min(PostRow.next_attempt_at)))
    return min((t for t in (first, retry) if t is not None), default=None)


def claim(
    session: Session, campaign: CampaignRow, post_id: int, daemon_id: str, now: datetime
) -> PostRow | None:
    """Claim one due post; None if another daemon won, it changed, or a pause holds."""
    rows = claim_many(session, campaign, [post_id], daemon_id, now)
    return rows[0] if rows else None


def claim_many(
    session: Session, campaign: CampaignRow, post_ids: list[int], daemon_id: str, now: datetime
) -> list[PostRow]:
    """Claim due posts in one statement; returns only those this daemon won.

    The conditional UPDATE is the claim: a row another daemon already moved to `publishing`
    no longer matches. On PostgreSQL the candidates are first locked FOR UPDATE SKIP LOCKED,
    so daemons split a burst between them instead of queueing on each other's rows.
    """
    if not post_ids:
        return []
    _lock_campaign(session, campaign.id)
    claimable = and_(
        PostRow.id.in_(post_ids),
        PostRow.state == PostState.SCHEDULED,
        PostRow.approved_hash == PostRow.content_hash,
        or_(PostRow.next_attempt_at.is_(None), PostRow.next_attempt_at <= now),
        _open_gate(campaign.id, now),
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
    for row in rows:
        record(session, campaign, "claimed", daemon_id, now, post=row, attempt=row.attempts)
    return rows


def claim_in_doubt(
    session: Session,
    campaign: CampaignRow,
    daemon_id: str,
    now: datetime,
    stale_before: datetime,
    busy: Collection[int] = (),
) -> list[PostRow]:
    """Take over posts left `publishing` by a dead daemon, or marked in doubt and due a look.

    `busy` are posts this process is already sending or looking for: never taken twice. A
    taken post's next look is put off by the heartbeat timeout, so no other daemon takes it
    while this one looks (the look ends well before: it is a few bounded requests).
    """
    alive = select(DaemonRow.id).where(
        DaemonRow.heartbeat_at >= stale_before, DaemonRow.stopped_at.is_(None)
    )
    candidates = session.scalars(
        select(PostRow).where(
            PostRow.campaign_id == campaign.id,
            PostRow.state == PostState.PUBLISHING,
            PostRow.id.not_in(list(busy)),
            or_(
                and_(PostRow.in_doubt.is_(True), PostRow.next_attempt_at <= now),
                PostRow.claimed_by.not_in(alive),
                PostRow.claimed_by.is_(None),
            ),
        )
    ).all()
    taken = []
    for row in candidates:
        previous = row.claimed_by
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
        if result.rowcount == 1:
            session.refresh(row)
            _ = row.account
            record(
                session,
                campaign,
                "reconciling",
                daemon_id,
                now,
                post=row,
                previous_claimer=previous,
            )
            taken.append(row)
    return taken


def _lock_campaign(session: Session, campaign_id: int) -> None:
    query = select(CampaignRow.id).where(CampaignRow.id == campaign_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(read=True)
    session.execute(query)
