"""Half-published threads: the first part(s) are public, the rest are not.

A thread whose head is public is a fact, not a failure. When publishing stops part-way (a
pause, a give-up after retries, a refusal of a later part) the post becomes `partial`, with the
live parts and the reason in the audit log. `campaign resume` finishes it, even past the grace
window (the rest of a thread usually carries the helpline); an approver may abandon it instead.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.errors import BadInput
from campaign.present.threads import part_links as part_links  # re-exported: the wording
from campaign.present.threads import progress
from campaign.store.audit import Actor
from campaign.store.models import AccountRow, CampaignRow, PostRow, PostState
from campaign.store.transitions import transition

# States whose thread has some parts public and others not: status shows which and where.
LOUD_THREAD_STATES = frozenset({PostState.PARTIAL, PostState.ABANDONED})


class AbandonRefused(BadInput):
    """Only a half-published thread can be abandoned, with a reason."""


def summary(row: PostRow) -> dict[str, object]:
    """What `status --json` and the pages say about a partial (or abandoned) thread."""
    return {
        "public": len(row.live_part_ids),
        "parts": len(row.parts),
        "text": f"{row.state}: {progress(row)}",
        "links": part_links(row),
    }


def stop_partial(
    session: Session, campaign: CampaignRow, row: PostRow, actor: str, now: datetime, why: str
) -> None:
    """Publishing stopped with some parts live: say so loudly (audit) and hold the rest."""
    row.last_error = why
    row.claimed_by, row.in_doubt, row.next_attempt_at = None, False, None
    transition(
        session,
        campaign,
        row,
        PostState.PARTIAL,
        actor,
        now,
        reason=why,
        progress=progress(row),
        live_part_ids=row.live_part_ids,
    )


def requeue(
    session: Session,
    campaign: CampaignRow,
    actor: str | Actor,
    now: datetime,
    account: AccountRow | None = None,
) -> list[str]:
    """At resume: partial threads (of one account, or all) are finished, even past grace.

    Their retry budget starts afresh; the parts already public are never sent again.
    """
    query = select(PostRow).where(
        PostRow.campaign_id == campaign.id, PostRow.state == PostState.PARTIAL
    )
    if account is not None:
        query = query.where(PostRow.account_id == account.id)
    rows = list(session.scalars(query))
    for row in rows:
        row.next_attempt_at = None
        transition(
            session,
            campaign,
            row,
            PostState.SCHEDULED,
            actor,
            now,
            action="partial-resumed",
            progress=progress(row),
            previous_attempts=row.attempts,
        )
        row.attempts = 0
    return [row.key for row in rows]


def abandon(
    session: Session, campaign: CampaignRow, row: PostRow, actor: str, now: datetime, reason: str
) -> None:
    """An approver decides the rest of a partial thread will not be sent."""
    if not reason.strip():
        raise AbandonRefused("abandoning a thread needs a reason (it goes in the audit log)")
    if row.state != PostState.PARTIAL:
        raise AbandonRefused(
            f"{row.key} is {row.state}, not partial: only a thread with some parts public and "
            "the rest unsent can be abandoned"
        )
    row.last_error = f"abandoned by {actor}: {reason} ({progress(row)})"
    transition(
        session,
        campaign,
        row,
        PostState.ABANDONED,
        actor,
        now,
        reason=reason,
        progress=progress(row),
        live_part_ids=row.live_part_ids,
    )
