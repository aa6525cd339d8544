"""Fixtures for the later platforms' tests: a started sandbox (every double, and the public
image address) on the shared manual clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from campaign.clock import ManualClock
from scheduler.sandbox import PlatformSandbox, SandboxSettings

SEED = 7


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[PlatformSandbox]:
    with PlatformSandbox(SandboxSettings(seed=SEED, slow_seconds=2.0), clock) as started:
        yield started
