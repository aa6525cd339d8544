"""Local wall-clock times in config.toml to UTC moments, honest about clock changes.

A post's `time` is a wall-clock time in the campaign's timezone. Twice a year that is not enough:
when the clocks go forward a time may not exist (refused), and when they go back a time happens
twice. zoneinfo picks the first of the two silently (fold 0); we refuse instead and ask the author
to choose, either with `fold = 0` / `fold = 1` (PEP 495: 0 is the first, 1 the second) or by
writing the UTC offset into the time, e.g. "01:30+01:00".
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(?:([+-])([01]\d|2[0-3]):([0-5]\d))?")
TIME_FORMAT_HINT = 'a 24-hour time like "10:00", or with its UTC offset like "01:30+01:00"'


def parse_wall_time(text: str) -> tuple[time, timedelta | None]:
    """'10:00' -> (10:00, None); '01:30+01:00' -> (01:30, +1 h). ValueError says what is wanted."""
    match = _TIME.fullmatch(text)
    if not match:
        raise ValueError(f"{text!r} is not {TIME_FORMAT_HINT}")
    hour, minute, sign, off_hours, off_minutes = match.groups()
    offset = None
    if sign:
        offset = timedelta(hours=int(off_hours), minutes=int(off_minutes))
        offset = -offset if sign == "-" else offset
    return time(int(hour), int(minute)), offset


def format_offset(offset: timedelta) -> str:
    """timedelta(hours=1) -> '+01:00', as ISO 8601 and our `time` setting write it."""
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def to_utc(
    day: date,
    wall: time,
    zone: ZoneInfo,
    *,
    fold: int | None = None,
    offset: timedelta | None = None,
) -> datetime:
    """The UTC moment of a local wall-clock time on a day; ValueError if it is not one moment.

    Refused: a time the clocks skip; a time they repeat without `fold` or `offset` to choose;
    an `offset` the zone does not have at that time; `fold` and `offset` together.
    """
    first = datetime.combine(day, wall, tzinfo=zone)
    second = first.replace(fold=1)
    when = f"{day} {wall:%H:%M}"
    if fold is not None and offset is not None:
        raise ValueError(f"{when}: give fold or an offset, not both")
    if not _exists(first):
        raise ValueError(
            f"{when} does not exist in {zone.key} (the clocks go forward then): pick another time"
        )
    offsets = [o for o in dict.fromkeys((first.utcoffset(), second.utcoffset())) if o is not None]
    if offset is not None:
        if offset not in offsets:
            raise ValueError(
                f"{when}{format_offset(offset)} is not a time in {zone.key}: its offset then is "
                f"{' or '.join(format_offset(o) for o in offsets)}"
            )
        return datetime.combine(day, wall, tzinfo=timezone(offset)).astimezone(UTC)
    if len(offsets) > 1 and fold is None:
        example = f"{wall:%H:%M}{format_offset(offsets[0])}"
        raise ValueError(
            f"{when} happens twice in {zone.key} (the clocks go back then): say which with "
            f"`fold = 0` for the first ({first.tzname()}, {format_offset(offsets[0])}) or "
            f"`fold = 1` for the second ({second.tzname()}, {format_offset(offsets[1])}), "
            f'or write the offset, e.g. time = "{example}"'
        )
    return (second if fold == 1 else first).astimezone(UTC)


def _exists(local: datetime) -> bool:
    """Whether a zone-aware wall time survives a round trip through UTC (not in a gap)."""
    back = local.astimezone(UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)
