"""Which published posts are due a metrics snapshot, and saving snapshots (append-only).

A snapshot satisfies every configured offset whose time it comes after, so a sweep that runs
late (a daemon was down) takes one snapshot, labelled with the latest offset due, instead of
several identical ones. `scope` is a campaign id, or None for every campaign.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from campaign.store.models import MetricSnapshotRow, PostRow, PostState
from campaign.store.publishing import Scope, in_scope


@dataclass(frozen=True)
class DueCollection:
    """A published post to read, and the label of the snapshot to take."""

    post_id: int
    campaign_id: int
    key: str
    account: str  # the account's key in its campaign's config
    platform_post_id: str | None
    offset: str
    account_id: int = 0  # the organisation's account (what the channel is built for)


def _latest_snapshots(session: Session, scope: Scope) -> dict[int, datetime]:
    query = (
        select(MetricSnapshotRow.post_id, func.max(MetricSnapshotRow.collected_at))
        .join(PostRow, PostRow.id == MetricSnapshotRow.post_id)
        .where(in_scope(scope))
        .group_by(MetricSnapshotRow.post_id)
    )
    return {post_id: at for post_id, at in session.execute(query)}


def _published(session: Session, scope: Scope) -> list[PostRow]:
    return list(
        session.scalars(
            select(PostRow)
            .where(in_scope(scope), PostRow.state == PostState.PUBLISHED)
            .options(selectinload(PostRow.account))
            .order_by(PostRow.published_at)
        )
    )


def _due(row: PostRow, offset: str) -> DueCollection:
    return DueCollection(
        row.id, row.campaign_id, row.key, row.channel, row.platform_post_id, offset, row.account_id
    )


Offsets = dict[str, timedelta]


def due_collections(
    session: Session,
    scope: Scope,
    now: datetime,
    offsets: Offsets,
    by_campaign: Mapping[int, Offsets] | None = None,
) -> list[DueCollection]:
    """`by_campaign`: a campaign's own offsets, by its id; `offsets` for any other."""
    latest = _latest_snapshots(session, scope)
    by_campaign = by_campaign or {}
    due = []
    for post in _published(session, scope):
        assert post.published_at is not None
        own = by_campaign.get(post.campaign_id, offsets)
        owed = [
            label
            for label, delta in sorted(own.items(), key=lambda item: item[1])
            if post.published_at + delta <= now
            and (post.id not in latest or latest[post.id] < post.published_at + delta)
        ]
        if owed:
            due.append(_due(post, owed[-1]))
    return due


def next_collection_due(
    session: Session,
    scope: Scope,
    offsets: Offsets,
    by_campaign: Mapping[int, Offsets] | None = None,
) -> datetime | None:
    latest = _latest_snapshots(session, scope)
    by_campaign = by_campaign or {}
    moments = []
    for post in _published(session, scope):
        assert post.published_at is not None
        for delta in sorted(by_campaign.get(post.campaign_id, offsets).values()):
            at = post.published_at + delta
            if post.id not in latest or latest[post.id] < at:
                moments.append(at)
                break
    return min(moments, default=None)


def published_posts(session: Session, scope: Scope, offset: str) -> list[DueCollection]:
    """Every published post, to read now under the label `offset`."""
    return [_due(post, offset) for post in _published(session, scope)]
