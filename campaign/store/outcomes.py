"""What happened to a claimed post: recorded part by part, then published, retried or failed.

Every function checks that the caller still holds the claim, so a daemon that lost its claim
(taken over after a stall) cannot overwrite what the new holder recorded. Each takes the post's
id and works out its campaign itself: one daemon may hold posts of many campaigns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.errors import StoreError
from campaign.present.threads import progress
from campaign.store import pairs
from campaign.store.audit import record
from campaign.store.models import AccountRow, CampaignRow, DeploymentRow, PostRow, PostState
from campaign.store.partial import stop_partial
from campaign.store.publishing import campaigns_of
from campaign.store.transitions import transition


def _held(session: Session, post_id: int, daemon_id: str) -> tuple[PostRow, CampaignRow]:
    row = session.scalar(
        select(PostRow).where(
            PostRow.id == post_id,
            PostRow.state == PostState.PUBLISHING,
            PostRow.claimed_by == daemon_id,
        )
    )
    if row is None:
        raise StoreError(f"post {post_id} is no longer claimed by {daemon_id}")
    campaign = session.get(CampaignRow, row.campaign_id)
    assert campaign is not None
    return row, campaign


def attempting(session: Session, post_id: int, daemon_id: str, now: datetime) -> str | None:
    """Just before a create: the claim must still be ours and nothing paused (for a pair's
    post, no account of its pair either).

    Returns why publishing must stop (a pause recorded since the claim), or None after noting
    the moment of this attempt: a look for the post waits until it has had time to land.
    """
    row, campaign = _held(session, post_id, daemon_id)
    switch = session.get(DeploymentRow, 1)
    if switch is not None and switch.paused:
        return f"all publishing paused ({switch.pause_reason})"
    if campaign.paused:
        return f"campaign paused ({campaign.pause_reason})"
    account = session.get(AccountRow, row.account_id)
    if account is not None and account.paused:
        return f"account paused ({account.pause_reason})"
    partner = pairs.stopped_partner(session, row)
    if partner is not None:  # a pair is paused together
        return f"the {partner.key} account of its pair is paused ({partner.pause_reason})"
    row.first_attempt_at = row.first_attempt_at or now
    row.last_attempt_at = now
    return None


def part_sent(
    session: Session, post_id: int, daemon_id: str, now: datetime, *, index: int, part_id: str
) -> None:
    """Record a thread part the platform now has, before sending the next one."""
    row, _ = _held(session, post_id, daemon_id)
    ids = list(row.platform_part_ids or [])
    if index < len(ids):
        ids[index] = part_id
    else:
        ids.extend([""] * (index - len(ids)) + [part_id])
    row.platform_part_ids = ids
    if index == 0:
        row.platform_post_id = part_id


@dataclass(frozen=True)
class Published:
    """A send that succeeded, to be recorded with others in one transaction."""

    post_id: int
    part_ids: tuple[str, ...]
    url: str | None
    at: datetime
    found_by_reconciliation: bool = False


def published_many(session: Session, daemon_id: str, sends: Sequence[Published]) -> list[int]:
    """Record many successful sends with one read of the posts (and one flush at commit).
    Returns the ids whose claim this daemon no longer holds: those are left alone."""
    ids = [send.post_id for send in sends]
    held = {
        row.id: row
        for row in session.scalars(
            select(PostRow).where(
                PostRow.id.in_(ids),
                PostRow.state == PostState.PUBLISHING,
                PostRow.claimed_by == daemon_id,
            )
        )
    }
    campaigns = campaigns_of(session, list(held.values()))
    for send in sends:
        row = held.get(send.post_id)
        if row is not None:
            campaign = campaigns[row.campaign_id]
            _published(
                session,
                campaign,
                row,
                daemon_id,
                send.at,
                list(send.part_ids),
                send.url,
                send.found_by_reconciliation,
            )
    return [post_id for post_id in ids if post_id not in held]


def _published(
    session: Session,
    campaign: CampaignRow,
    row: PostRow,
    daemon_id: str,
    now: datetime,
    part_ids: list[str],
    url: str | None,
    found_by_reconciliation: bool,
) -> None:
    row.published_at = now
    row.platform_post_id, row.platform_part_ids = part_ids[0], part_ids
    row.in_doubt, row.next_attempt_at, row.last_error = False, None, None
    transition(
        session,
        campaign,
        row,
        PostState.PUBLISHED,
        daemon_id,
        now,
        platform_id=part_ids[0],
        part_ids=part_ids,
        url=url,
        attempts=row.attempts,
        found_by_reconciliation=found_by_reconciliation,
        lateness_seconds=round((now - row.scheduled_at).total_seconds(), 3),
    )


def retry_later(
    session: Session,
    post_id: int,
    daemon_id: str,
    now: datetime,
    *,
    at: datetime,
    error: str,
    in_doubt: bool = False,
) -> None:
    """Back to scheduled (or kept publishing but in doubt: look for it at `at`)."""
    row, campaign = _held(session, post_id, daemon_id)
    row.next_attempt_at, row.last_error = at, error
    row.in_doubt = in_doubt
    row.sent_in_doubt = row.sent_in_doubt or in_doubt
    why: dict[str, Any] = {
        "at": at.isoformat(),
        "error": error,
        "in_doubt": in_doubt,
        "attempt": row.attempts,
    }
    if in_doubt:  # still publishing, still ours: no move, but the record says when we look
        row.updated_at = now
        record(session, campaign, "retry-scheduled", daemon_id, now, post=row, **why)
        return
    row.claimed_by = None
    transition(
        session, campaign, row, PostState.SCHEDULED, daemon_id, now, action="retry-scheduled", **why
    )


def failed(
    session: Session,
    post_id: int,
    daemon_id: str,
    now: datetime,
    *,
    error: str,
    state: PostState = PostState.FAILED,
    failure: str | None = None,
) -> None:
    """Publishing ends here; a thread with parts already public is `partial`, not failed. A
    pair's post whose partner went out says so (the alert names the pair). `failure` is the
    kind of refusal (alert_facts.failure_kind), which chooses the advice."""
    row, campaign = _held(session, post_id, daemon_id)
    if row.live_part_ids:
        stop_partial(session, campaign, row, daemon_id, now, error)
        return
    error += pairs.published_note(session, row)  # a pair out in one language only: say so
    row.last_error = error
    row.claimed_by, row.in_doubt, row.next_attempt_at = None, False, None
    why: dict[str, Any] = {"failure": failure} if failure else {}
    transition(
        session, campaign, row, state, daemon_id, now, reason=error, attempts=row.attempts, **why
    )


def hold_for_credentials(
    session: Session, post_id: int, daemon_id: str, now: datetime, *, error: str
) -> None:
    """A rejected token: the account needs new credentials; the post waits, neither failed nor
    burned (it keeps its attempt count for the record but goes back to scheduled)."""
    row, campaign = _held(session, post_id, daemon_id)
    account = session.get(AccountRow, row.account_id)
    assert account is not None
    hold_account(session, campaign, account, daemon_id, now, error=error)
    row.claimed_by, row.last_error = None, f"held: {row.channel} needs new credentials"
    row.in_doubt, row.next_attempt_at = False, None
    transition(
        session, campaign, row, PostState.SCHEDULED, daemon_id, now, action="held", reason=error
    )


def hold_account(
    session: Session,
    campaign: CampaignRow,
    account: AccountRow,
    actor: str,
    now: datetime,
    *,
    error: str,
) -> bool:
    """The platform refused the account's token: its posts wait (in every campaign that uses
    it) until someone renews it and resumes the account. Audited once, as
    "credentials-rejected", in `campaign`'s log; False if it was already held."""
    if account.needs_credentials:
        return False
    account.needs_credentials, account.credentials_problem = True, error
    record(session, campaign, "credentials-rejected", actor, now, account=account, error=error)
    return True


def release(session: Session, post_id: int, daemon_id: str, now: datetime, *, reason: str) -> None:
    """Give a claimed post back (a pause arrived before a create). A thread with parts already
    public becomes `partial`, finished after `campaign resume`; otherwise it is scheduled
    again and the misfire rule applies."""
    row, campaign = _held(session, post_id, daemon_id)
    if row.live_part_ids:
        stop_partial(session, campaign, row, daemon_id, now, f"{reason}; {progress(row)}")
        return
    row.claimed_by, row.in_doubt = None, False
    transition(
        session,
        campaign,
        row,
        PostState.SCHEDULED,
        daemon_id,
        now,
        action="released",
        reason=reason,
    )


def approval_void(
    session: Session, post_id: int, daemon_id: str, now: datetime, *, reason: str
) -> None:
    """What would be sent no longer matches what was approved: back to draft, nothing sent."""
    row, campaign = _held(session, post_id, daemon_id)
    row.claimed_by = None
    row.clear_approval()
    transition(
        session,
        campaign,
        row,
        PostState.DRAFT,
        daemon_id,
        now,
        action="approval-cleared",
        reason=reason,
    )
