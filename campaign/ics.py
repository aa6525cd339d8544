"""The stored plan as an iCalendar file, so the team sees the week in its own calendar."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from campaign.present.platforms import display_name
from campaign.store import CampaignRow, PostRow, PostState

EVENT_LENGTH = timedelta(minutes=15)


def plan_to_ics(campaign: CampaignRow, posts: list[PostRow], generated_at: datetime) -> bytes:
    """One event per post at its scheduled time (UTC), with its text and state."""
    calendar = Calendar()
    calendar.add("prodid", "-//awareness-campaign//campaign plan//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", campaign.name)
    calendar.add("x-wr-timezone", campaign.timezone)
    for post in posts:
        event = Event()
        event.add("uid", f"{post.key}@{campaign.slug}")
        event.add("dtstamp", generated_at)
        event.add("dtstart", post.scheduled_at)
        event.add("dtend", post.scheduled_at + EVENT_LENGTH)
        event.add("summary", f"[{post.state}] {post.account.name}: {post.theme}")
        event.add("description", "\n\n---\n\n".join(post.parts))
        event.add("categories", [display_name(post.account.platform), post.day_slug])
        if post.state == PostState.CANCELLED:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    return calendar.to_ical()
