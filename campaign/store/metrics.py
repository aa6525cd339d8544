"""Which published posts are due a metrics snapshot, and saving snapshots (append-only).

A snapshot satisfies every configured offset whose time it comes after, so a sweep that runs
late (a daemon was down) takes one snapshot, labelled with the latest offset due, instead of
several identical ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from campaign.store.models import CampaignRow, MetricSnapshotRow, PostRow, PostState


@dataclass(frozen=True)
class DueCollection:
    post: PostRow
    offset: str


def _latest_snapshots(session: Session, campaign: CampaignRow) -> dict[int, datetime]:
    query = (
        select(MetricSnapshotRow.post_id, func.max(MetricSnapshotRow.collected_at))
        .join(PostRow, PostRow.id == MetricSnapshotRow.post_id)
        .where(PostRow.campaign_id == campaign.id)
        .group_by(MetricSnapshotRow.post_id)
    )
    return {post_id: at for post_id, at in session.execute(query)}


def _published(session: Session, campaign: CampaignRow) -> list[PostRow]:
    return list(
        session.scalars(
            select(PostRow)
            .where(PostRow.campaign_id == campaign.id, PostRow.state == PostState.PUBLISHED)
            .options(selectinload(PostRow.account))
            .order_by(PostRow.published_at)
        )
    )


def due_collections(
    session: Session, campaign: CampaignRow, now: datetime, offsets: dict[str, timedelta]
) -> list[DueCollection]:
    latest = _latest_snapshots(session, campaign)
    due = []
    for post in _published(session, campaign):
        assert post.published_at is not None
        owed = [
            label
            for label, delta in sorted(offsets.items(), key=lambda item: item[1])
            if post.published_at + delta <= now
            and (post.id not in latest or latest[post.id] < post.published_at + delta)
        ]
        if owed:
            due.append(DueCollection(post, owed[-1]))
    return due


def next_collection_due(
    session: Session, campaign: CampaignRow, offsets: dict[str, timedelta]
) -> datetime | None:
    latest = _latest_snapshots(session, campaign)
    moments = []
    for post in _published(session, campaign):
        assert post.published_at is not None
        for delta in sorted(offsets.values()):
            at = post.published_at + delta
            if post.id not in latest or latest[post.id] < at:
                moments.append(at)
                break
    return min(moments, default=None)


def published_posts(session: Session, campaign: CampaignRow) -> list[PostRow]:
    return _published(session, campaign)


def save_snapshot(session: Session, snapshot: MetricSnapshotRow) -> None:
    session.add(snapshot)
