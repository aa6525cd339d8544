"""Every local date and time the product shows, in the campaign's zone: one function a format.

Times are stored in UTC and shown in the campaign's timezone with its abbreviation (BST/GMT), so
a reader near a clock change knows which hour is meant. Days are written without a leading zero
("Mon 6 Apr"), as people write them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo


def long_date(day: date) -> str:
    """'Monday 20 April 2020': a day heading."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_date(day: date) -> str:
    """'Mon 20 Apr': a day in a calendar strip or a table."""
    return f"{day:%a} {day.day} {day:%b}"


def dated_day(day: date) -> str:
    """'Mon 20 Apr 2020': a day that may not be in this campaign's year."""
    return f"{short_date(day)} {day:%Y}"


def day_month(day: date) -> str:
    """'20 Apr': the date as the platforms print it beside a post."""
    return f"{day.day} {day:%b}"


def weekday(day: date) -> str:
    """'Monday'."""
    return f"{day:%A}"


def date_range(start: date, end: date) -> str:
    """'Monday 20 April 2020 to Sunday 26 April 2020', or one day."""
    return long_date(start) if start == end else f"{long_date(start)} to {long_date(end)}"


def clock_time(moment: datetime, zone: tzinfo) -> str:
    """'10:00 BST': the time of day, for a card whose day is already said."""
    return f"{moment.astimezone(zone):%H:%M %Z}"


def wall_clock(moment: datetime, zone: tzinfo) -> str:
    """'10:00': the bare time of day, where space is short and the zone is said nearby."""
    return f"{moment.astimezone(zone):%H:%M}"


def short_time(moment: datetime | None, zone: tzinfo) -> str:
    """'Mon 20 Apr 10:00 BST': a moment this week ('' for none)."""
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    return f"{short_date(local)} {local:%H:%M %Z}"


def precise_time(moment: datetime, zone: tzinfo) -> str:
    """'Mon 20 Apr 10:00:05 BST': a moment in a record, to the second."""
    local = moment.astimezone(zone)
    return f"{short_date(local)} {local:%H:%M:%S %Z}"


def dated_time(moment: datetime, zone: tzinfo) -> str:
    """'Mon 20 Apr 2020 10:00 BST': a moment that may not be in this campaign's year."""
    local = moment.astimezone(zone)
    return f"{dated_day(local)} {local:%H:%M %Z}"


def record_time(moment: datetime, zone: tzinfo) -> str:
    """'2020-04-20 10:00:05 BST': a sortable moment for lists of records (sign-ins, users)."""
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M:%S %Z}"


def long_time(moment: datetime, zone: tzinfo) -> str:
    """'Monday 20 April 2020 at 10:00 BST': when a page or report was made."""
    local = moment.astimezone(zone)
    return f"{long_date(local)} at {clock_time(local, zone)}"


def ago(moment: datetime, now: datetime) -> str:
    """'12 s ago': how long since a heartbeat (never negative)."""
    return f"{max(0, round((now - moment).total_seconds()))} s ago"


def duration(span: timedelta) -> str:
    """For plain sentences: 'a minute', '5 minutes', 'an hour', '2 hours'."""
    minutes = round(span.total_seconds() / 60)
    if minutes % 60 == 0 and minutes >= 60:
        hours = minutes // 60
        return "an hour" if hours == 1 else f"{hours} hours"
    return "a minute" if minutes == 1 else f"{minutes} minutes"


def template_filters(zone: tzinfo) -> dict[str, Callable[..., str | datetime]]:
    """The same formats for Jinja pages: `{{ post.scheduled_at | when }}`."""
    return {
        "when": lambda moment: short_time(moment, zone),
        "local": lambda moment: moment.astimezone(zone),
        "clock": lambda moment: wall_clock(moment, zone),
        "clock_time": lambda moment: clock_time(moment, zone),
        "short_day": lambda moment: short_date(moment.astimezone(zone)),
        "weekday": weekday,
        "duration": duration,
    }
