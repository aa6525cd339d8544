"""The morning messages and the end-of-campaign summary: what each says, from the database.

Each builder returns the alert to raise, or None when there is nothing to say (no post today,
none unapproved). Times are the campaign's local times; links are dashboard paths (the messages
put `[alerts] dashboard_url` in front).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from campaign.alerts.watched import UNSENT_STATES, Watched, lines, path, posts_between
from campaign.present.times import date_range, long_date
from campaign.report.dataset import Source, build_dataset
from campaign.report.summary import summarise
from campaign.store.models import MetricSnapshotRow, PostRow
from campaign.store.models import PostState as S
from campaign.store.outbox import AlertEvent

TODAY_STATES = (S.DRAFT, S.APPROVED, S.SCHEDULED, S.PUBLISHING, S.PUBLISHED, S.PARTIAL)


def approvals_due(
    session: Session, campaign: Watched, key: str, now: datetime, beats: list[Any]
) -> AlertEvent | None:
    # The 24 hours from this morning's time, whenever the pass runs: a pass later in the day
    # does not find tomorrow's posts and call them this morning's.
    morning = campaign.morning(now.astimezone(campaign.zone).date())
    posts = [
        post
        for post in posts_between(session, campaign, now, morning + timedelta(hours=24))
        if post.state in UNSENT_STATES and not post.approval_current
    ]
    if not posts:
        return None
    many = f"{len(posts)} posts" if len(posts) > 1 else "1 post"
    facts = {
        "posts": len(posts),
        "lines": lines(posts, campaign),
        "what_to_do": "Read and approve them on the dashboard: unapproved posts are not sent.",
        "link": path(campaign, "review"),
    }
    title = f"{campaign.row.name}: {many} of the next 24 hours not approved yet"
    return AlertEvent(key, "approvals-due", title, facts)


def morning_digest(
    session: Session, campaign: Watched, key: str, now: datetime, beats: list[Any]
) -> AlertEvent | None:
    today = now.astimezone(campaign.zone).date()
    start = datetime.combine(today, datetime.min.time(), tzinfo=campaign.zone)
    end = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=campaign.zone)
    posts = [
        post for post in posts_between(session, campaign, start, end) if post.state in TODAY_STATES
    ]
    if not posts:
        return None
    waiting = sum(1 for post in posts if post.state in UNSENT_STATES and not post.approval_current)
    many = f"{len(posts)} posts go out" if len(posts) > 1 else "1 post goes out"
    title = f"{campaign.row.name} today, {long_date(today)}: {many}"
    if waiting:
        title += f"; {waiting} not approved yet"
    facts = {
        "day": long_date(today),
        "posts": len(posts),
        "not_approved": waiting,
        "lines": lines(posts, campaign, approval=True),
        "link": path(campaign, "week"),
    }
    return AlertEvent(key, "morning-digest", title, facts)


def campaign_summary(
    session: Session, campaign: Watched, key: str, now: datetime, beats: list[Any]
) -> AlertEvent | None:
    row = campaign.row
    posts = list(
        session.scalars(
            select(PostRow)
            .where(PostRow.campaign_id == row.id)
            .options(selectinload(PostRow.account))
            .order_by(PostRow.scheduled_at, PostRow.id)
        )
    )
    snapshots = list(
        session.scalars(
            select(MetricSnapshotRow)
            .join(PostRow, PostRow.id == MetricSnapshotRow.post_id)
            .where(PostRow.campaign_id == row.id)
            .order_by(MetricSnapshotRow.collected_at, MetricSnapshotRow.id)
        )
    )
    totals = summarise(build_dataset(Source.of_row(row), posts, snapshots)).campaign
    published = sum(1 for post in posts if post.state == S.PUBLISHED)
    rate = totals.engagement_rate
    facts = {
        "dates": date_range(row.start, row.end),
        "published": published,
        "planned": sum(1 for post in posts if post.state != S.CANCELLED),
        "measured": totals.measured,
        "impressions": totals.impressions,
        "engagements": totals.engagements,
        "link_clicks": totals.link_clicks,
        "shares": totals.shares,
        "engagement_rate": f"{rate:g} %" if rate is not None else None,
        "link": path(campaign, "results"),
    }
    title = f"{row.name} has ended: {published} posts published"
    if totals.impressions is not None:
        title += f", {totals.impressions:,} impressions"
    if totals.engagements is not None:
        title += f", {totals.engagements:,} engagements"
    return AlertEvent(key, "campaign-summary", title, facts)
