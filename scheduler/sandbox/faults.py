"""Sandbox settings and the seeded fault injector that decides each request's fate.

Faults are drawn from a `random.Random` seeded per platform, so the same settings and the same
sequence of requests give the same faults on every run.
"""

from __future__ import annotations

import dataclasses
import enum
import random
import threading
from dataclasses import dataclass
from typing import Any

RATE_FIELDS = (
    "rate_429",
    "rate_5xx",
    "rate_slow",
    "rate_drop_after_create",
    "rate_late_create",
    "graph_html_502_share",
)


@dataclass(frozen=True)
class SandboxSettings:
    """How the sandbox behaves; change a running sandbox with `PlatformSandbox.update`.

    Rates are probabilities per request (0 never, 1 always). `rate_drop_after_create` only
    applies to requests that create a post: the post is stored, then the connection is closed
    without an answer. `rate_late_create` also only applies to creates: the platform accepts
    the request but finishes it late, so the post appears on the account `late_create_seconds`
    after the request (on the sandbox clock; invisible to reads and to the duplicate check
    until then) and the answer comes `late_create_seconds` later in real time, after a client
    with a shorter timeout has given up. Looking at once finds nothing; resending at once
    makes two copies.
    """

    seed: int = 0
    rate_429: float = 0.0
    rate_5xx: float = 0.0
    rate_slow: float = 0.0
    slow_seconds: float = 2.0
    rate_drop_after_create: float = 0.0
    rate_late_create: float = 0.0
    late_create_seconds: float = 20.0
    expired_token: bool = False
    latency_seconds: float = 0.0
    # How far ahead (sandbox clock) an injected 429 resets; Graph rounds it up to minutes.
    throttle_reset_seconds: int = 5
    # Real quotas the sandbox enforces on its own.
    x_posts_per_15min: int = 100
    x_posts_per_24h: int = 10_000
    x_reads_per_15min: int = 900
    graph_calls_per_hour: int = 4_800
    # Share of Graph 5xx faults answered by an HTML 502 page (the rest: JSON 500, code 2).
    graph_html_502_share: float = 0.5
    # Texts containing one of these are refused by policy (X 403, Graph code 368).
    blocked_phrases: tuple[str, ...] = ()
    # X serves non_public/organic metrics only for posts younger than this.
    private_metrics_days: int = 30
    # Graph refuses the `insights.metric(...)` field expansion on post nodes (code 100), as it
    # does for some post types, while the `/{post-id}/insights` edge still answers.
    graph_refuse_insights_field: bool = False

    def __post_init__(self) -> None:
        for name in RATE_FIELDS:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value!r}")
        for name in ("slow_seconds", "latency_seconds", "late_create_seconds"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")


class Fault(enum.Enum):
    NONE = "none"
    THROTTLE = "429"
    SERVER_ERROR = "5xx"
    SLOW = "slow"
    DROP = "drop"
    LATE = "late"


class FaultInjector:
    """Draws faults for one platform from its own seeded generator, safely across threads."""

    def __init__(self, settings: SandboxSettings, salt: str) -> None:
        self._lock = threading.Lock()
        self._salt = salt
        self._settings = settings
        self._rng = random.Random(f"{settings.seed}:{salt}")
        # Late creates draw from their own generator, so adding them left the sequences of
        # the older faults (and every seeded run built on them) unchanged.
        self._late_rng = random.Random(f"{settings.seed}:{salt}:late")
        self._late_next = 0

    @property
    def settings(self) -> SandboxSettings:
        return self._settings

    def update(self, settings: SandboxSettings) -> None:
        with self._lock:
            if settings.seed != self._settings.seed:
                self._rng = random.Random(f"{settings.seed}:{self._salt}")
                self._late_rng = random.Random(f"{settings.seed}:{self._salt}:late")
            self._settings = settings

    def land_late(self, count: int) -> None:
        """Make the next `count` creates land late, whatever the rates say (for tests)."""
        with self._lock:
            self._late_next = count

    def draw(self, *, creates: bool) -> Fault:
        """One fault for a request; a draw is made for every rate so sequences stay stable."""
        with self._lock:
            if creates and self._late_next > 0:
                self._late_next -= 1
                return Fault.LATE
            s = self._settings
            throttle, error, drop, slow = (self._rng.random() for _ in range(4))
            late = self._late_rng.random() if creates else 1.0
        if throttle < s.rate_429:
            return Fault.THROTTLE
        if error < s.rate_5xx:
            return Fault.SERVER_ERROR
        if creates and drop < s.rate_drop_after_create:
            return Fault.DROP
        if late < s.rate_late_create:
            return Fault.LATE
        if slow < s.rate_slow:
            return Fault.SLOW
        return Fault.NONE

    def random(self) -> float:
        with self._lock:
            return self._rng.random()

    def choice(self, options: tuple[Any, ...]) -> Any:
        with self._lock:
            return self._rng.choice(options)


def replace_settings(settings: SandboxSettings, **changes: Any) -> SandboxSettings:
    """A copy of `settings` with `changes`, validated like a new instance."""
    unknown = set(changes) - {f.name for f in dataclasses.fields(SandboxSettings)}
    if unknown:
        raise TypeError(f"unknown sandbox setting(s): {', '.join(sorted(unknown))}")
    return dataclasses.replace(settings, **changes)
