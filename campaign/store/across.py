"""Questions across every campaign in the database: how many posts each has in each state,
and what the other campaigns plan to send on an account (caps are per account: `campaign
check` adds these to its own campaign's sends to find the windows where, together, the
campaigns sharing an account would go over the platform's cap).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.states import PostState
from campaign.store.models import AccountRow, CampaignRow, PostRow

# Sends these states will never make: they do not count against a cap.
NOT_SENT = (PostState.CANCELLED, PostState.FAILED, PostState.MISSED)


class OtherSend(NamedTuple):
    """One post another campaign plans (or sent) on an account; each part is one send."""

    identity: str  # the account's identity, e.g. "x:@derbyshirepolice"
    at: datetime
    parts: int
    campaign: str  # the other campaign's name
    key: str


def other_sends(session: Session, identities: Collection[str], excluding: str) -> list[OtherSend]:
    """Every post of every campaign but `excluding` (a slug) on the accounts with these
    identities, in a state that still sends or has sent, in time order."""
    query = (
        select(
            AccountRow.identity, PostRow.scheduled_at, PostRow.parts, CampaignRow.name, PostRow.key
        )
        .join(AccountRow, PostRow.account_id == AccountRow.id)
        .join(CampaignRow, PostRow.campaign_id == CampaignRow.id)
        .where(
            AccountRow.identity.in_(list(identities)),
            CampaignRow.slug != excluding,
            PostRow.state.not_in(NOT_SENT),
        )
        .order_by(PostRow.scheduled_at, PostRow.id)
    )
    return [
        OtherSend(identity, at, max(1, len(parts or ())), name, key)
        for identity, at, parts, name, key in session.execute(query)
    ]


def state_counts(session: Session) -> dict[str, dict[str, int]]:
    """How many posts each campaign (by slug) has in each state, in one query."""
    query = (
        select(CampaignRow.slug, PostRow.state, func.count(PostRow.id))
        .join(PostRow, PostRow.campaign_id == CampaignRow.id)
        .group_by(CampaignRow.slug, PostRow.state)
    )
    counts: dict[str, dict[str, int]] = {}
    for slug, state, count in session.execute(query):
        counts.setdefault(slug, {})[str(state)] = count
    return counts
