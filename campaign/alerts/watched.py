"""A campaign as the alerts watch sees it (its stored facts and alert settings), and the small
pieces its messages share: posts in a window, one line per post, dashboard paths."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from campaign.config.alerts import Alerts
from campaign.present.health import SENDABLE_STATES
from campaign.store.alert_facts import post_line
from campaign.store.facts import CampaignFacts
from campaign.store.models import CampaignRow, PostRow

# Not sent yet, and still to be: what the morning messages list (as the dashboard counts it).
UNSENT_STATES = SENDABLE_STATES


@dataclass(frozen=True)
class Watched:
    """One campaign: its row, its stored settings, and its alert settings."""

    row: CampaignRow
    facts: CampaignFacts
    alerts: Alerts

    @property
    def zone(self) -> ZoneInfo:
        return self.facts.zone

    def morning(self, day: date) -> datetime:
        """`[alerts] morning` on `day` in the campaign's zone (its UTC moment follows DST)."""
        return datetime.combine(day, self.alerts.morning, tzinfo=self.zone)


def lines(posts: list[PostRow], campaign: Watched, *, approval: bool = False) -> list[str]:
    """One line per post, in the campaign's time; `approval`: say which are not approved."""
    said = []
    for post in posts:
        line = post_line(post, campaign.row, post.account)
        if approval and post.state in UNSENT_STATES and not post.approval_current:
            line += " (not approved yet)"
        said.append(line)
    return said


def posts_between(
    session: Session, campaign: Watched, start: datetime, end: datetime
) -> list[PostRow]:
    """The campaign's posts due from `start` (included) to `end`, in time order."""
    return list(
        session.scalars(
            select(PostRow)
            .where(
                PostRow.campaign_id == campaign.row.id,
                PostRow.scheduled_at >= start,
                PostRow.scheduled_at < end,
            )
            .options(selectinload(PostRow.account))
            .order_by(PostRow.scheduled_at, PostRow.id)
        )
    )


def path(campaign: Watched, page: str) -> str:
    """The campaign's page on the dashboard, as a path: the messages put the dashboard's
    address (`[alerts] dashboard_url`) in front, and leave the link out without one."""
    return f"/c/{campaign.row.slug}/{page}"
