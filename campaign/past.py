"""Which posts of a plan are already in the past, so a week planned for the wrong year is said.

A daemon marks a post `missed` once its time and the grace window have passed: a week whose
days are behind us would all be missed within seconds of starting one. `init`, `check`, `plan`
and `approve` all ask this one function and show its message as a warning (not an error: a
late post can be deliberate, and a week being rehearsed is often in the past).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from campaign.config import CampaignConfig, post_key
from campaign.present.times import dated_day, dated_time

SHOWN_KEYS = 5


@dataclass(frozen=True)
class PastPosts:
    """The posts at or before `now` (keys in time order, local times), of `total` looked at."""

    past: tuple[tuple[str, datetime], ...]
    total: int
    now: datetime

    @property
    def keys(self) -> list[str]:
        return [key for key, _ in self.past]

    @property
    def all_past(self) -> bool:
        return bool(self.past) and len(self.past) == self.total

    def message(self, noun: str = "post") -> str | None:
        """A plain-words warning, or None when nothing is in the past."""
        if not self.past:
            return None
        first, last = self.past[0][1], self.past[-1][1]
        now = f"it is now {dated_time(self.now, self.now.tzinfo or UTC)}"
        if self.all_past:
            span = dated_day(first) + (
                f" to {dated_day(last)}" if last.date() != first.date() else ""
            )
            return (
                f"Every {noun} is in the past ({span}; {now}): a publishing daemon would mark "
                f"them all missed. If the dates are wrong, move [campaign] start and end and "
                f"each day's date in config.toml to days ahead."
            )
        shown = ", ".join(self.keys[:SHOWN_KEYS]) + (", …" if len(self.past) > SHOWN_KEYS else "")
        return (
            f"{len(self.past)} of {self.total} {noun}s are in the past ({shown}; {now}): a "
            f"publishing daemon will mark them missed once the grace window has passed. Move "
            f"them later in config.toml if they should still go out."
        )


def posts_in_the_past(
    schedule: Iterable[tuple[str, datetime]], now: datetime, zone: ZoneInfo
) -> PastPosts:
    """Of (key, scheduled time) pairs, those due at or before `now`, shown in `zone`."""
    times = [(key, at.astimezone(zone)) for key, at in schedule]
    past = sorted(((key, at) for key, at in times if at <= now), key=lambda item: item[1])
    return PastPosts(tuple(past), len(times), now.astimezone(zone))


def past_in_config(config: CampaignConfig, now: datetime) -> PastPosts:
    """Every post the config plans, by its local time in the campaign's timezone."""
    schedule = [
        (post_key(day, post), config.scheduled_at(day, post))
        for day in config.days
        for post in day.posts
    ]
    return posts_in_the_past(schedule, now, config.zone)
