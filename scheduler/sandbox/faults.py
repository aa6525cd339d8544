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
    "graph_html_502_share",
)


@dataclass(frozen=True)
class SandboxSettings:
    """How the sandbox behaves; change a running sandbox with `PlatformSandbox.update`.

    Rates are probabilities per request (0 never, 1 always). `rate_drop_after_create` only
    applies to requests that create a post: the post is stored, then the connection is closed
    without an answer.
    """

    seed: int = 0
    rate_429: float = 0.0
    rate_5xx: float = 0.0
    rate_slow: float = 0.0
    slow_seconds: float = 2.0
    rate_drop_after_create: float = 0.0
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
        for name in ("slow_seconds", "latency_seconds"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")


class Fault(enum.Enum):
    NONE = "none"
    THROTTLE = "429"
    SERVER_ERROR = "5xx"
    SLOW = "slow"
    DROP = "drop"


class FaultInjector:
    """Draws faults for one platform from its own seeded generator, safely across threads."""

    def __init__(self, settings: SandboxSettings, salt: str) -> None:
        self._lock = threading.Lock()
        self._salt = salt
        self._settings = settings
        self._rng = random.Random(f"{settings.seed}:{salt}")

    @property
    def settings(self) -> SandboxSettings:
        return self._settings

    def update(self, settings: SandboxSettings) -> None:
        with self._lock:
            if settings.seed != self._settings.seed:
                self._rng = random.Random(f"{settings.seed}:{self._salt}")
            self._settings = settings

    def draw(self, *, creates: bool) -> Fault:
        """One fault for a request; a draw is made for every rate so sequences stay stable."""
        with self._lock:
            s = self._settings
            throttle, error, drop, slow = (self._rng.random() for _ in range(4))
        if throttle < s.rate_429:
            return Fault.THROTTLE
        if error < s.rate_5xx:
            return Fault.SERVER_ERROR
        if creates and drop < s.rate_drop_after_create:
            return Fault.DROP
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
