"""The dashboard's live status: the banner and every post's status, for the pages and
`/api/status`. The words are `campaign.present`'s, shared with the terminal."""

from __future__ import annotations

from datetime import datetime

from campaign.config import CampaignConfig
from campaign.health import Health, publishing_health
from campaign.present.health import HealthView, health_view
from campaign.present.status import post_status
from campaign.store import Store
from campaign.store.models import PostRow

__all__ = ["Banner", "banner", "post_status", "status_json"]

Banner = HealthView  # the line at the top of every page


def banner(
    store: Store, config: CampaignConfig, rows: list[PostRow], now: datetime
) -> tuple[Banner, Health]:
    health = publishing_health(
        store, config.campaign.slug, now, config.publishing.heartbeat_timeout_seconds
    )
    return health_view(health, rows, now, config.zone), health


def status_json(store: Store, config: CampaignConfig, now: datetime) -> dict[str, object]:
    """What the pages poll: the banner, and every post's status by key. No secrets, no markup."""
    rows = store.posts(config.campaign.slug)
    top, _ = banner(store, config, rows, now)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    return {
        "now": now.isoformat(),
        "banner": top.as_dict(),
        "counts": counts,
        "posts": {row.key: post_status(row, config.zone, now).as_dict() for row in rows},
    }
