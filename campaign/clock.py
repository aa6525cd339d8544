"""Clocks: everything that reads the time takes one, so tests can run a week in seconds."""

from __future__ import annotations

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
    """Time running `speed` times faster than the wall clock from a chosen start: rehearsals."""

    def __init__(self, start: datetime, speed: float) -> None:
        import time

        if start.tzinfo is None:
            raise ValueError("SpeedClock needs a timezone-aware start")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._monotonic = time.monotonic
        self._sleep = time.sleep
        self.start, self.speed = start.astimezone(UTC), speed
        self._origin = self._monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(self._monotonic() - self._origin) * self.speed)

    def sleep_until(self, moment: datetime, at_most: float | None = None) -> None:
        """Sleep (in real seconds) until the accelerated clock reaches `moment`."""
        real = (moment - self.now()).total_seconds() / self.speed
        if at_most is not None:
            real = min(real, at_most)
        if real > 0:
            self._sleep(real)
