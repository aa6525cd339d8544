"""`PlatformFacts`: what one platform accepts and how it counts, in one place.

The checks, the cards, the config and the report read a platform's rules from here, so a card
and the check that judges it never count differently, and a new platform is one module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from campaign.config.accounts import Account
    from campaign.config.settings import Checks

MB = 1024 * 1024


@dataclass(frozen=True)
class ImageRules:
    """What one platform accepts; sizes above `max_bytes` are errors, above `advised_*` warnings."""

    platform: str
    formats: tuple[str, ...]
    max_bytes: int | None = None
    advised_bytes: int | None = None
    advised_png_bytes: int | None = None
    min_side: int = 1
    max_side: int | None = None
    animated_alone: bool = False
    # Width / height allowed (Instagram's feed: 4:5 to 1.91:1); None: any shape.
    min_aspect: float | None = None
    max_aspect: float | None = None


def size_limit(size: int) -> str:
    """A platform's size limit as its documentation writes it: 5 MB, or 1,000,000 bytes."""
    return f"{size // MB} MB" if size % MB == 0 else f"{size:,} bytes"


def characters(text: str, account: Account | None = None) -> int:
    """Plain characters (code points): Facebook's and most platforms' count."""
    return len(text)


@dataclass(frozen=True)
class PlatformFacts:
    """One platform's rules as its documentation gives them (each module says where from)."""

    name: str  # "bluesky": the config's `platform`
    display: str  # "Bluesky"
    # The length of a text as the platform counts it, and the most one post (or thread part)
    # may count. `length_unit` names the count for people ("graphemes").
    length: Callable[[str, Account | None], int]
    max_length: Callable[[Checks, Account | None], int]
    length_unit: str = "characters"
    length_rule: str = ""  # the short why of the count, for a finding ("links count 23")
    threads: bool = False  # `---` parts become replies to the first
    max_images: Callable[[Checks], int] = lambda checks: 1
    image_required: bool = False
    max_alt: int | None = None  # the platform's own alt text limit (the house limit applies too)
    max_hashtags: int | None = None  # more is refused by the platform (not house style)
    images: ImageRules | None = None
    # Environment variable names the account's `credentials` must give, and other account
    # settings it needs (`page_id`, `user_id`, `base_url`, `media_base_url`, `handle`).
    credentials: tuple[str, ...] = ()
    required_settings: tuple[str, ...] = ()
    default_base_url: str | None = None
    # Images fetched by the platform from a public address (`media_base_url`), not uploaded.
    fetches_media: bool = False
    # Posting caps by window when the account sets none (the platform's own).
    default_limits: Mapping[timedelta, int] = field(default_factory=dict)
    # A link people can open to a post: (handle, platform post id, account) -> URL.
    post_url: Callable[[str | None, str, Account | None], str] | None = None
    # The report's comparable metrics (impressions, engagements, link_clicks, shares) from the
    # platform's own names: comparable -> the names summed; a comparable none of whose names
    # were read is unavailable, never 0. (X and Facebook keep their own code in the report.)
    metric_map: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # comparable -> what it is on this platform, for the report's definitions.
    metric_definitions: Mapping[str, str] = field(default_factory=dict)
    css_class: str = ""  # the card's look ("x", "fb"...): the platform's name when empty

    @property
    def card_class(self) -> str:
        return self.css_class or self.name
