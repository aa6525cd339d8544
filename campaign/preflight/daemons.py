"""No publishing daemon alive: judged as `campaign status` judges it (a heartbeat within the
campaign's timeout, not stopped), worded as it words it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from campaign.health import publishing_health
from campaign.preflight.findings import Problem
from campaign.present.health import daemons_line
from campaign.states import PostState
from campaign.store import Store
from campaign.store.facts import CampaignFacts
from campaign.store.models import CampaignRow, PostRow

WAITING = (PostState.DRAFT, PostState.APPROVED, PostState.SCHEDULED, PostState.PARTIAL)


def no_daemon(
    store: Store, campaign: CampaignRow, posts: Sequence[PostRow], now: datetime
) -> Iterator[Problem]:
    """A problem when the campaign still has posts to send and no daemon is alive (a
    warning once nothing is left to send)."""
    facts = CampaignFacts.from_row(campaign)
    timeout = facts.publishing.heartbeat_timeout_seconds
    health = publishing_health(store, campaign.slug, now, timeout)
    if health.any_daemon_alive:
        return
    left = sum(1 for p in posts if p.state in WAITING and p.scheduled_at >= now)
    yield Problem(
        severity="problem" if left else "warning",
        check="daemon",
        where=campaign.name,
        what=daemons_line(health, now)
        + (f" {left} post(s) of this campaign are still to go out." if left else ""),
        fix="Ask whoever runs the server for your team to start the publishing service "
        "(`campaign daemon`), and check it stays running.",
        campaign=campaign.slug,
    )
