"""Back to draft: an edit from the dashboard voids the post's approval, whatever it changed (a
plan's content change uses the same path).

A plan from files keeps an approval when only the time moves (the approval binds to the
content), but an officer who moves a post in the dashboard is asking for a new sign-off of the
new time: the approver agreed to that text at that moment. A failed or missed post that is
moved is a draft again, so it can be approved for its new time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from campaign.store.audit import Actor, record
from campaign.store.models import CampaignRow, PostRow, PostState
from campaign.store.transitions import transition

REASON = "changed in the dashboard since approval"


def back_to_draft(
    session: Session,
    campaign: CampaignRow,
    row: PostRow,
    actor: Actor | str,
    now: datetime,
    reason: str = REASON,
) -> bool:
    """Make `row` a draft without approval (audited); False: it was a plain draft already."""
    if row.state != PostState.DRAFT:
        transition(
            session,
            campaign,
            row,
            PostState.DRAFT,
            actor,
            now,
            action="approval-cleared",
            reason=reason,
        )
    elif row.approved_hash is not None:
        record(
            session,
            campaign,
            "approval-cleared",
            actor,
            now,
            post=row,
            previous_state=row.state,
            reason=reason,
        )
    else:
        return False
    row.clear_approval()
    return True
