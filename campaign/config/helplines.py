"""Helplines and their opening hours: which numbers posts may give, and when a line is open."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, time
from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator

from campaign.config.base import Frozen
from campaign.phones import number_key

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class OpeningHours(Frozen):
    """Opening hours of a helpline by weekday; a missing weekday means closed that day."""

    mon: str | None = None
    tue: str | None = None
    wed: str | None = None
    thu: str | None = None
    fri: str | None = None
    sat: str | None = None
    sun: str | None = None

    @field_validator("*")
    @classmethod
    def _range(cls, value: str | None) -> str | None:
        if value is not None:
            _parse_range(value)
        return value

    def window(self, weekday: int) -> tuple[time, time] | None:
        """The (open, close) local times on a weekday (0 = Monday), or None when closed."""
        value = getattr(self, WEEKDAYS[weekday])
        return _parse_range(value) if value else None


@lru_cache(maxsize=256)
def _parse_range(value: str) -> tuple[time, time]:
    match = re.fullmatch(r"(\d{2}):(\d{2})-(\d{2}):(\d{2})", value)
    if not match:
        raise ValueError(f"opening hours {value!r} must look like '09:30-16:00'")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    opens, closes = time(h1, m1), time(h2, m2)
    if not opens < closes:
        raise ValueError(f"opening hours {value!r} must open before they close")
    return opens, closes


class Helpline(Frozen):
    """A phone line a post may give; posts may give no other number."""

    name: str
    number: str = Field(min_length=3)  # as its owner writes it; checked with phone_region
    purpose: str
    run_by: str | None = None
    hours: OpeningHours | None = None  # None: always open (999, 101)

    def is_open(self, at: datetime) -> bool:
        """Whether the line is open at a local, timezone-aware moment."""
        if self.hours is None:
            return True
        window = self.hours.window(at.weekday())
        return window is not None and window[0] <= at.time() < window[1]

    @property
    def hours_text(self) -> str:
        """Opening hours in words, e.g. '9.30am to 4pm Monday and Tuesday; closed at weekends'."""
        return "24 hours a day, every day" if self.hours is None else _in_words(self.hours)


def check_numbers(helplines: Mapping[str, Helpline], region: str) -> None:
    """Parse every helpline's number in `region` now, so a mistyped one stops at load."""
    for name, helpline in helplines.items():
        try:
            number_key(helpline.number, region)
        except ValueError as exc:
            raise ValueError(f"helplines.{name}.number: {exc}") from None


@lru_cache(maxsize=64)
def _in_words(hours: OpeningHours) -> str:
    """Cached: templates and findings give the same few helplines' hours in post after post."""
    groups: dict[str, list[str]] = {}
    for index in range(len(WEEKDAYS)):
        window = hours.window(index)
        if window:
            span = f"{_spoken(window[0])} to {_spoken(window[1])}"
            groups.setdefault(span, []).append(DAY_NAMES[index])
    text = "; ".join(f"{span} {_join(days)}" for span, days in groups.items())
    if hours.sat is None and hours.sun is None:
        text += "; closed at weekends"
    return text


def _spoken(moment: time) -> str:
    """'9.30am', '4pm', '12 noon': how UK public-sector style writes times."""
    if moment == time(12, 0):
        return "12 noon"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}.{moment.minute:02d}{suffix}" if moment.minute else f"{hour}{suffix}"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
