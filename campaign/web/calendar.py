"""The month calendar: everything going out on the organisation's accounts, across campaigns.

A month grid (a table with a header per weekday), today marked in words, each post as its local
time, platform and account, and the campaign's name in text beside its colour: colour is never
the only cue. Times are in each post's campaign's timezone, so a post falls on the day it goes
out where that campaign runs.
"""

from __future__ import annotations

import calendar as months
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, render_template, request, url_for

from campaign.present.platforms import display_name
from campaign.present.status import post_status
from campaign.present.times import clock_time, long_date
from campaign.report.html import first_line
from campaign.store import Store
from campaign.store.calendar import Outgoing, outgoing
from campaign.store.models import CampaignRow, PostRow
from campaign.web.auth import current_user, requires
from campaign.web.current import campaigns, listed, route, zone
from campaign.web.month_filters import PLATFORMS, authors, month_filter, state_choices

bp = Blueprint("calendar", __name__)
COLOURS = 8  # campaign colours in web.css (.camp-0 … .camp-7), reused in turn after that
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Entry:
    time: str  # "10:00 BST", in the campaign's timezone
    platform: str
    account: str
    campaign: str  # the campaign's name: said in text, not only by colour
    colour: int
    state: str
    link: str
    text: str = ""  # the post's first line, for the list view
    lang: str = ""  # its language, for a post written in several (its first text's)


@dataclass
class Cell:
    day: date
    in_month: bool
    today: bool
    entries: list[Entry] = field(default_factory=list)

    @property
    def label(self) -> str:
        return long_date(self.day)


@dataclass(frozen=True)
class LegendItem:
    name: str
    colour: int
    dates: str  # "20 Apr – 26 Apr 2020"
    month_link: str
    count: int  # its posts in this month


@dataclass(frozen=True)
class MonthView:
    title: str  # "April 2020"
    weeks: list[list[Cell]]
    previous: str
    following: str
    this_month: str
    legend: list[LegendItem]
    total: int


@route(bp, "/calendar")
@requires("view")
def month() -> str:
    store = campaigns().store
    now = store.clock.now()
    today = now.astimezone(zone()).date()  # in the timezone the page header names
    first = _month(request.args.get("month"), today)
    chosen = month_filter(request.args)
    user = current_user()
    assert user is not None
    keep = chosen.keeper(user.username, authors(store) if chosen.mine else {})
    view = month_view(store, first, today, now, listed(), keep, chosen.args())
    return render_template(
        "calendar.html.j2",
        month=view,
        chosen=chosen,
        states=state_choices(),
        platforms=PLATFORMS,
        shown_month=f"{first:%Y-%m}",
        active_page="calendar",
    )


def _month(text: str | None, today: date) -> date:
    if not text:
        return today.replace(day=1)
    try:
        year, number = (int(part) for part in text.split("-"))
        return date(year, number, 1)
    except ValueError:
        abort(400, description="Give the month as a year and month, for example 2020-04.")


def month_view(
    store: Store,
    first: date,
    today: date,
    now: datetime,
    rows: list[CampaignRow],
    keep: Callable[[PostRow], bool] = lambda post: True,
    args: dict[str, Any] | None = None,
) -> MonthView:
    """The month starting `first`, with every campaign's posts on their local days (those
    `keep` keeps); its links to other months keep `args` (the filters)."""
    args = args or {}
    colours = {row.slug: index % COLOURS for index, row in enumerate(rows)}
    last = first.replace(day=months.monthrange(first.year, first.month)[1])
    # Wide enough for any timezone; each post is then placed on its local day.
    start = datetime.combine(first - timedelta(days=1), time(), UTC)
    end = datetime.combine(last + timedelta(days=2), time(), UTC)
    by_day: dict[date, list[Entry]] = {}
    counts: dict[str, int] = {}
    for post in outgoing(store, start, end):
        if not keep(post.post):
            continue
        where = ZoneInfo(post.campaign.timezone)
        local = post.post.scheduled_at.astimezone(where).date()
        if first <= local <= last:
            by_day.setdefault(local, []).append(_entry(post, where, colours, now))
            counts[post.campaign.slug] = counts.get(post.campaign.slug, 0) + 1
    weeks = [
        [Cell(day, day.month == first.month, day == today, by_day.get(day, [])) for day in week]
        for week in months.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    legend = [
        LegendItem(
            row.name,
            colours[row.slug],
            _dates(row),
            url_for("calendar.month", month=f"{row.start:%Y-%m}", **args),
            counts.get(row.slug, 0),
        )
        for row in rows
    ]
    return MonthView(
        title=f"{first:%B %Y}",
        weeks=weeks,
        previous=url_for("calendar.month", month=f"{first - timedelta(days=1):%Y-%m}", **args),
        following=url_for("calendar.month", month=f"{last + timedelta(days=1):%Y-%m}", **args),
        this_month=url_for("calendar.month", month=f"{today:%Y-%m}", **args),
        legend=legend,
        total=sum(counts.values()),
    )


def _entry(found: Outgoing, where: ZoneInfo, colours: dict[str, int], now: datetime) -> Entry:
    post, slug = found.post, found.campaign.slug
    return Entry(
        time=clock_time(post.scheduled_at, where),
        platform=display_name(post.account.platform),
        account=post.account.handle or post.account.name,
        campaign=found.campaign.name,
        colour=colours.get(slug, 0),
        state=post_status(post, where, now).label,
        link=url_for("week.week", slug=slug) + f"#post-{post.key}",
        text=first_line(str(post.parts[0]) if post.parts else ""),
        lang=post.lang or "",
    )


def _dates(row: CampaignRow) -> str:
    if row.start == row.end:
        return f"{row.start.day} {row.start:%b %Y}"
    return f"{row.start.day} {row.start:%b} – {row.end.day} {row.end:%b %Y}"
