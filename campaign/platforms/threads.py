"""Threads (Threads API v1.0 at graph.threads.net): 500 characters, container then publish.

From developers.facebook.com/documentation/threads (posts, overview, insights,
troubleshooting; December 2026): a post is a media container (`TEXT`, `IMAGE` fetched from a
public URL, or `CAROUSEL` of 2 to 20 items), then `threads_publish`; text up to 500
characters, "emojis are counted as the number of UTF-8 bytes" (so 👍 counts 4); at most 5
unique links a post (since 22 December 2025 more fail at the container step with
`THREADS_API__LINK_LIMIT_EXCEEDED`); replies by `reply_to_id`; 250 published posts and 1,000
replies per 24 hours (`threads_publishing_limit`); images JPEG or PNG up to 8 MB, aspect ratio
up to 10:1 (width 320 to 1440, scaled by Threads), with `alt_text` up to 1,000 characters.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import emoji

from campaign.platforms.facts import MB, ImageRules, PlatformFacts

if TYPE_CHECKING:
    from campaign.config.accounts import Account
    from campaign.config.settings import Checks

MAX_TEXT = 500
MAX_CAROUSEL = 20
MAX_ALT = 1000
MAX_LINKS = 5


def length(text: str, account: Account | None = None) -> int:
    """Threads' count: one a character, but an emoji counts its UTF-8 bytes (👍 4, a family
    joined by zero-width joiners all the bytes of the sequence)."""
    total = len(text)
    for found in emoji.emoji_list(text):
        sequence = str(found["emoji"])
        total += len(sequence.encode("utf-8")) - len(sequence)
    return total


def _max_length(checks: Checks, account: Account | None = None) -> int:
    return MAX_TEXT


def _post_url(handle: str | None, post_id: str, account: Account | None = None) -> str:
    # A post's address holds a shortcode, not its id: the channel keeps the permalink.
    name = (handle or "").lstrip("@")
    return f"https://www.threads.net/@{name}" if name else "https://www.threads.net/"


FACTS = PlatformFacts(
    name="threads",
    display="Threads",
    length=length,
    max_length=_max_length,
    length_rule="an emoji counts its UTF-8 bytes, 👍 counts 4",
    threads=True,
    max_images=lambda checks: MAX_CAROUSEL,
    max_alt=MAX_ALT,
    images=ImageRules(
        "Threads", ("JPEG", "PNG"), max_bytes=8 * MB, min_aspect=1 / 10, max_aspect=10.0
    ),
    credentials=("access_token",),
    required_settings=("user_id",),
    default_base_url="https://graph.threads.net",
    fetches_media=True,
    default_limits={timedelta(hours=24): 250},
    post_url=_post_url,
    metric_map={
        "impressions": ("views",),
        "engagements": ("likes", "replies", "reposts", "quotes"),
        "shares": ("reposts", "quotes", "shares"),
    },
    metric_definitions={
        "impressions": "Threads: views (a metric Meta marks as in development).",
        "engagements": "Threads: likes + replies + reposts + quotes.",
        "shares": "Threads: reposts + quotes + shares.",
    },
    css_class="threads",
)
