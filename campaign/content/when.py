"""A date and wall-clock time typed in the composer, read in the campaign's timezone, in words.

`campaign.wall_time.to_utc` decides what a time means (the same rule as config.toml); this says
it the way an officer reads it: a time the clocks skip is refused with what happens then, and a
time the clocks repeat offers the two moments to choose from (saved as `fold`: 0 the first,
1 the second).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from campaign.present.times import long_date
from campaign.wall_time import format_offset, parse_wall_time, to_utc


@dataclass(frozen=True)
class TimeChoice:
    fold: int
    label: str  # "the first 01:30 (BST, UTC+01:00), before the clocks go back"


@dataclass(frozen=True)
class ResolvedTime:
    """What the date and time typed mean: one moment, or why not (`problem`), with the two
    moments to choose from when the clocks repeat the time and no choice was made yet."""

    moment: datetime | None  # UTC
    problem: str = ""
    choices: tuple[TimeChoice, ...] = ()
    zone_label: str = ""  # "BST (UTC+01:00)", once the moment is known

    @property
    def ok(self) -> bool:
        return self.moment is not None


def resolve(day: date | None, wall: str, zone: ZoneInfo, fold: int | None) -> ResolvedTime:
    """The UTC moment of `wall` on `day` in `zone`, or a problem in plain words."""
    if day is None:
        return ResolvedTime(None, "Give the date of the post.")
    if not wall:
        return ResolvedTime(None, "Give the time of the post.")
    try:
        clock, offset = parse_wall_time(wall)
    except ValueError:
        return ResolvedTime(
            None,
            f"“{wall}” is not a time: write it as 24-hour hours and minutes, like 10:00 or 14:30.",
        )
    first = datetime.combine(day, clock, tzinfo=zone)
    second = first.replace(fold=1)
    when = f"{clock:%H:%M} on {long_date(day)}"
    if not _exists(first):
        return ResolvedTime(
            None,
            f"{when} does not exist in {zone.key}: the clocks go forward that night and skip "
            "it. Pick another time, such as an hour later.",
        )
    twice = first.utcoffset() != second.utcoffset()
    if twice and fold not in (0, 1) and offset is None:
        choices = tuple(
            TimeChoice(
                number,
                f"the {'first' if number == 0 else 'second'} {clock:%H:%M} "
                f"({moment.tzname()}, UTC{format_offset(_offset(moment))}), "
                f"{'before' if number == 0 else 'after'} the clocks go back",
            )
            for number, moment in ((0, first), (1, second))
        )
        return ResolvedTime(
            None,
            f"{when} happens twice in {zone.key}: the clocks go back that night. Say which "
            "one you mean.",
            choices,
        )
    try:
        moment = to_utc(
            day, clock, zone, fold=None if offset else (fold if twice else None), offset=offset
        )
    except ValueError as exc:  # an offset the zone does not have then
        return ResolvedTime(None, str(exc))
    local = moment.astimezone(zone)
    return ResolvedTime(moment, zone_label=f"{local.tzname()} (UTC{format_offset(_offset(local))})")


def _offset(moment: datetime) -> timedelta:
    offset = moment.utcoffset()
    assert offset is not None
    return offset


def _exists(local: datetime) -> bool:
    back = local.astimezone(UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def parse_date(text: str) -> date | None:
    """'2020-04-20' (what a date input sends) -> a date; None for anything else."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def wall_text(clock: time) -> str:
    return f"{clock:%H:%M}"
