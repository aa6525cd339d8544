"""What goes out on the organisation's accounts in a span of time, across every campaign: the
dashboard's month calendar reads it in one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from campaign.states import PostState
from campaign.store import Store
from campaign.store.models import AccountRow, CampaignRow, PostRow


@dataclass(frozen=True)
class Outgoing:
    """One post due in the span (its account loaded), with its campaign."""

    post: PostRow
    campaign: CampaignRow


def outgoing(store: Store, start: datetime, end: datetime) -> list[Outgoing]:
    """Every post due in [start, end) in every campaign, soonest first; cancelled ones are not
    going out and are left out."""
    query = (
        select(PostRow, CampaignRow)
        .join(CampaignRow, PostRow.campaign_id == CampaignRow.id)
        .join(AccountRow, PostRow.account_id == AccountRow.id)
        .options(contains_eager(PostRow.account))
        .where(
            PostRow.scheduled_at >= start,
            PostRow.scheduled_at < end,
            PostRow.state != PostState.CANCELLED,
        )
        .order_by(PostRow.scheduled_at, CampaignRow.slug, PostRow.key)
    )
    with store.reading() as session:
        return [Outgoing(post, campaign) for post, campaign in session.execute(query)]
