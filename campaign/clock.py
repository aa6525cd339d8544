"""Clocks: everything that reads the time takes one, so tests can run a week in seconds."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to: for tests and rehearsals."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment.astimezone(UTC)


class SpeedClock:
    """Time running `speed` times faster than the wall clock from `start` (rehearsals).

    The timeline is anchored to a Unix wall-clock `origin`, so several processes given the
    same start, speed and origin share one accelerated time.
    """

    def __init__(self, start: datetime, speed: float, origin: float | None = None) -> None:
        if start.tzinfo is None:
            raise ValueError("SpeedClock needs a timezone-aware start")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.start, self.speed = start.astimezone(UTC), speed
        self.origin = time.time() if origin is None else origin

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.time() - self.origin) * self.speed)

    def sleep_until(self, moment: datetime, at_most: float | None = None) -> None:
        """Sleep (in real seconds) until the accelerated clock reaches `moment`."""
        real = (moment - self.now()).total_seconds() / self.speed
        if at_most is not None:
            real = min(real, at_most)
        if real > 0:
            time.sleep(real)
