"""Posts due in the window that nobody has approved: they will not go out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from campaign.preflight.findings import Problem
from campaign.preflight.places import post_place, post_words
from campaign.states import PostState
from campaign.store.models import CampaignRow, PostRow


def unapproved(
    campaign: CampaignRow, posts: Sequence[PostRow], now: datetime, until: datetime
) -> Iterator[Problem]:
    """A problem for each draft due between `now` and `until`, soonest first."""
    due = [p for p in posts if p.state == PostState.DRAFT and now <= p.scheduled_at < until]
    for post in sorted(due, key=lambda p: (p.scheduled_at, p.key)):
        yield Problem(
            severity="problem",
            check="approvals",
            where=post_place(campaign, post),
            what=f"Not approved: {post_words(campaign, post)} will not go out unless an "
            "approver signs it off before its time.",
            fix=f"Approve it on the dashboard, or run `campaign approve --campaign "
            f"{campaign.slug} {post.key}`; if it should not go out, cancel it.",
            campaign=campaign.slug,
            post=post.key,
            account=post.channel,
        )
