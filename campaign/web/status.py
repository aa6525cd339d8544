"""The dashboard's live status: the banner and every post's status, for the pages and
`/api/status`. The words are `campaign.present`'s, shared with the terminal."""

from __future__ import annotations

from datetime import datetime

from campaign.config import Publishing
from campaign.health import Health, publishing_health
from campaign.present.health import HealthView, health_view
from campaign.present.status import post_status
from campaign.store import Store
from campaign.store.facts import CampaignFacts
from campaign.store.models import PostRow
from campaign.web.current import CampaignPage

__all__ = ["Banner", "banner", "post_status", "publishing", "status_json"]

Banner = HealthView  # the line at the top of every page


def publishing(page: CampaignPage) -> Publishing:
    """How the campaign publishes (grace, heartbeats): its config's, else as stored with it."""
    if page.config is not None:
        return page.config.publishing
    return CampaignFacts.from_row(page.row).publishing


def banner(
    store: Store, page: CampaignPage, rows: list[PostRow], now: datetime
) -> tuple[Banner, Health]:
    """The campaign's banner (a pause of everything outranks the campaign's own state)."""
    timeout = publishing(page).heartbeat_timeout_seconds
    health = publishing_health(store, page.slug, now, timeout)
    view = health_view(health, rows, now, page.zone)
    return view, health


def status_json(store: Store, page: CampaignPage, now: datetime) -> dict[str, object]:
    """What the pages poll: the banner, and every post's status by key. No secrets, no markup."""
    rows = store.posts(page.slug)
    top, _ = banner(store, page, rows, now)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    return {
        "now": now.isoformat(),
        "banner": top.as_dict(),
        "counts": counts,
        "posts": {row.key: post_status(row, page.zone, now).as_dict() for row in rows},
    }
