"""What the sandbox asks of a platform double beyond answering HTTP (`wsgi.Api`).

The X and Graph doubles came first and are wired by name in the facade; every later platform's
double implements this protocol and is listed once in `facade.DOUBLES`, so the facade, the
rehearsal and `campaign sandbox` reach it without knowing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from campaign.clock import Clock
from campaign.config import Account
from scheduler.sandbox.faults import FaultInjector
from scheduler.sandbox.wsgi import Api


class PlatformDouble(Api, Protocol):
    """A platform double the facade registers accounts with and counts the posts of."""

    platform: str  # the config's `platform`

    def register(self, account: Account, secrets: Mapping[str, str]) -> None:
        """Accept `secrets` (credential name -> fake value) for `account` from now on."""
        ...

    def published_texts(self) -> list[str]:
        """The text of every post (and thread part) created on the platform, deleted ones
        included, so a rehearsal counts what people would have seen twice."""
        ...

    def revoke(self, account: Account, revoked: bool = True) -> None:
        """The platform refuses (or, with False, accepts again) this account's token."""
        ...

    def expire(self, account: Account, at: datetime | None) -> None:
        """The account's token stops working at `at` (sandbox clock; None: never), as the
        platform's token check reports it. Platforms whose tokens never expire raise
        ValueError saying so."""
        ...


class DoubleFactory(Protocol):
    def __call__(self, clock: Clock, faults: FaultInjector) -> PlatformDouble: ...
