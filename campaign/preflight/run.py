"""One pre-flight run over the database: the campaigns in scope, the period ahead, every check
that needs only the database (the credentials check needs a probe: `credentials.py`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from campaign.errors import CampaignNotFound, NoPlanStored
from campaign.preflight.accounts import held_or_paused
from campaign.preflight.approvals import unapproved
from campaign.preflight.caps import caps_over
from campaign.preflight.daemons import no_daemon
from campaign.preflight.findings import PreflightReport
from campaign.preflight.images import image_changes
from campaign.preflight.media_urls import MediaFetch, media_url_problems
from campaign.store import Store
from campaign.store.models import AccountRow, CampaignRow


def campaigns_in_scope(store: Store, slug: str | None = None) -> list[CampaignRow]:
    """Every stored campaign, or the one `slug` names (an unknown slug lists the known)."""
    campaigns = store.campaigns()
    if not campaigns:
        raise NoPlanStored("the database holds no campaign")
    if slug is None:
        return campaigns
    chosen = [row for row in campaigns if row.slug == slug]
    if not chosen:
        raise CampaignNotFound(slug, [row.slug for row in campaigns])
    return chosen


def accounts_in_scope(
    store: Store, campaigns: list[CampaignRow]
) -> list[tuple[CampaignRow, AccountRow]]:
    """Each campaign's accounts, with the campaign (an account two campaigns share comes
    twice: its findings are located in the first)."""
    return [(campaign, row) for campaign in campaigns for row in store.accounts(campaign.slug)]


def run_checks(
    store: Store,
    now: datetime,
    *,
    slug: str | None = None,
    hours: float = 24,
    fetch_media: MediaFetch | None = None,
) -> PreflightReport:
    """Approvals, daemons, caps, images and held or paused accounts, for the `hours` ahead;
    with `fetch_media`, also the images Instagram and Threads will fetch from their public
    address (a web request each: the CLI passes `media_urls.http_fetch`)."""
    until = now + timedelta(hours=hours)
    campaigns = campaigns_in_scope(store, slug)
    report = PreflightReport(now, until, [row.slug for row in campaigns])
    everything = store.everything_paused()
    for campaign in campaigns:
        posts = store.posts(campaign.slug)
        report.findings += unapproved(campaign, posts, now, until)
        report.findings += image_changes(campaign, posts, now, until, store.media_bytes)
        if fetch_media is not None:
            report.findings += media_url_problems(campaign, posts, now, until, fetch_media)
        report.findings += held_or_paused(campaign, store.accounts(campaign.slug), everything)
        report.findings += no_daemon(store, campaign, posts, now)
    report.findings += caps_over(store, accounts_in_scope(store, campaigns), now, until)
    return report
