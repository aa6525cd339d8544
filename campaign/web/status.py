"""The dashboard's live status: the banner and every post's status, for the pages and
`/api/status`. The words are `campaign.present`'s, shared with the terminal.

The banner never says "Publishing is ON" in green while nothing sends: when no publishing
service has beaten recently, it says that approved posts will not go out and who must start
the service, in a warning style (`tone` "stopped").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from campaign.config import Publishing
from campaign.health import Health, publishing_health
from campaign.present.health import HealthView, health_view
from campaign.present.status import post_status
from campaign.present.times import short_time
from campaign.store import Store
from campaign.store.facts import CampaignFacts
from campaign.store.models import PostRow
from campaign.web.current import CampaignPage

__all__ = [
    "Banner",
    "banner",
    "card_version",
    "post_status",
    "publishing",
    "status_json",
    "unit_versions",
]


@dataclass(frozen=True)
class Banner(HealthView):
    """The line at the top of every page; `tone` chooses its style: "on" (green, something is
    sending), "paused" (red) or "stopped" (a warning: switched on, but nothing sends)."""

    tone: str = "on"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


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
    return truthful(health_view(health, rows, now, page.zone), health, page.zone), health


def truthful(view: HealthView, health: Health, zone: ZoneInfo) -> Banner:
    """The view as the banner shows it: "ON" only while a publishing service is alive."""
    fields = asdict(view)
    if view.paused:
        return Banner(**fields, tone="paused")
    if view.daemons_ok:
        return Banner(**fields, tone="on")
    fields.update(daemons=_silent(health, zone))  # the title and detail say it already
    return Banner(**fields, tone="stopped")


def _silent(health: Health, zone: ZoneInfo) -> str:
    """Since when nothing has sent: never, or the last sign of life of the newest service."""
    if not health.daemons:
        return "The publishing service has not been started for this database yet."
    last = max(daemon.heartbeat_at for daemon in health.daemons)
    return (
        f"The publishing service was last heard from at {short_time(last, zone)}; it has stopped."
    )


def card_version(row: PostRow) -> str:
    """What a post's card shows changes with this (state, text, approval, attempts): live.js
    asks for the whole card again when it does."""
    fields = (
        row.state,
        row.revision_id,
        row.content_hash,
        row.approved_by,
        row.approved_at,
        row.attempts,
        row.last_error,
        row.platform_post_id,
        row.scheduled_at,
        row.updated_at,
    )
    return hashlib.sha256(repr(fields).encode("utf-8")).hexdigest()[:16]


def unit_versions(rows: Iterable[PostRow]) -> dict[str, str]:
    """By pair key: what the pair's card (both posts, one sign-off) shows changes with this."""
    members: dict[str, list[PostRow]] = {}
    for row in rows:
        if row.unit_key is not None:
            members.setdefault(row.unit_key, []).append(row)
    return {
        unit: hashlib.sha256(
            " ".join(card_version(row) for row in sorted(pair, key=lambda r: r.key)).encode()
        ).hexdigest()[:16]
        for unit, pair in members.items()
    }


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
        "posts": {
            row.key: {**post_status(row, page.zone, now).as_dict(), "version": card_version(row)}
            for row in rows
        },
        "units": {unit: {"version": version} for unit, version in unit_versions(rows).items()},
    }
