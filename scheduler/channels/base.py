"""The one small interface every platform channel implements: publish, find, measure, probe.

Channels turn platform errors into our own (`campaign.errors`): `Transient` (with `RateLimited`
and `OutcomeUnknown`) or `Permanent` (with `AuthRejected`, `DuplicateContent`, `PolicyBlocked`),
always keeping the platform's own message. They never log or repeat credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

import langcodes


@dataclass(frozen=True)
class OutgoingMedia:
    """An image to send: a file to upload, and its name in the campaign (`images/card.jpg`),
    which is also where platforms that fetch images find it under `media_base_url`."""

    path: Path
    alt: str
    file: str = ""
    sha256: str | None = None


@dataclass(frozen=True)
class OutgoingPost:
    """Exactly what will be sent: thread parts in order; media go with the first part.
    `languages` are its texts' BCP 47 tags in order (a bilingual post has several; () for a
    post in the campaign's one language), for platforms that take a post's language."""

    key: str
    parts: tuple[str, ...]
    media: tuple[OutgoingMedia, ...] = ()
    languages: tuple[str, ...] = ()

    def language_codes(self, most: int | None = None) -> tuple[str, ...]:
        """Its languages as ISO 639 codes ("cy", "en" for "en-GB"), the shortest there is
        (two letters where the language has them), without repeats, at most `most`."""
        codes: list[str] = []
        for tag in self.languages:
            code = langcodes.Language.get(tag).language or ""
            if code and code not in codes:
                codes.append(code)
        return tuple(codes[:most])


@dataclass(frozen=True)
class Sent:
    """Where the post now lives on the platform."""

    platform_post_id: str  # the first part (the thread's head)
    part_ids: tuple[str, ...]
    url: str | None = None


@dataclass(frozen=True)
class MetricReading:
    """Engagement of one post at one moment; a metric absent from `values` is unavailable."""

    platform_post_id: str
    values: dict[str, int]
    unavailable: dict[str, str] = field(default_factory=dict)  # metric -> why
    api_version: str = ""
    deleted: bool = False


@dataclass(frozen=True)
class AccountHealth:
    """What a cheap authenticated read says about an account's credentials: who the platform
    says the account is, and when its token stops working (None: never, or not said)."""

    platform: str
    account_id: str  # the platform's id for the account (X user id, Facebook Page id)
    name: str
    handle: str | None = None
    expires_at: datetime | None = None  # the earliest moment the token stops working
    notes: tuple[str, ...] = ()  # anything else worth showing, in plain words
    # What the platform's own settings say could make posts fail (a Mastodon instance that
    # takes fewer characters than the checks allow), in plain words: preflight warns of each.
    warnings: tuple[str, ...] = ()


PartSent = Callable[[int, str], None]
BeforeCreate = Callable[[int], None]


class ClosingChannel:
    """`with channel:` closes the channel's HTTP session on the way out."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class Channel(Protocol):
    platform: str

    def publish(
        self,
        post: OutgoingPost,
        *,
        already_sent: Sequence[str] = (),
        on_part_sent: PartSent | None = None,
        before_create: BeforeCreate | None = None,
    ) -> Sent:
        """Send the post; with `already_sent` part ids, continue a thread where it stopped.

        `before_create(index)` is called right before each request that would create a part
        (after any media upload), so the caller can stop it (a pause) by raising.
        `on_part_sent(index, id)` is called as soon as each part exists on the platform, so the
        caller can record progress before the next request.
        """
        ...

    def find_published(
        self, post: OutgoingPost, since: datetime, *, already_sent: Sequence[str] = ()
    ) -> Sent | None:
        """Look on the account for the post (sent since `since`); None if it is not there.

        Used when a send's outcome is unknown, before any resend. A partly sent thread comes
        back with the part ids found, in order, and `Sent.part_ids` shorter than the parts.
        """
        ...

    def fetch_metrics(self, platform_post_ids: Sequence[str]) -> dict[str, MetricReading]:
        """Engagement for many posts in as few requests as the platform allows."""
        ...

    def metric_batches(
        self, platform_post_ids: Sequence[str]
    ) -> Iterator[dict[str, MetricReading]]:
        """Engagement as `fetch_metrics` reads it, one request's posts at a time.

        A rate limit or refusal part way raises from the iterator; every batch yielded before
        it was read in full, so the caller can keep it.
        """
        ...

    def probe(self) -> AccountHealth:
        """Check the credentials with one or two cheap authenticated reads.

        A refused token raises AuthRejected (as publishing would); a network failure or a
        platform error on its side raises Transient. Nothing is posted.
        """
        ...
