"""Threads (Threads API at graph.threads.net): 500 characters, container then publish.

From developers.facebook.com/docs/threads (December 2026): a post is a media container
(`TEXT`, `IMAGE` fetched from a public URL, or `CAROUSEL`), then `threads_publish`; text up to
500 characters; replies by `reply_to_id`; 250 published posts and 1,000 replies per 24 hours
(`threads_publishing_limit`); images JPEG or PNG up to 8 MB, with `alt_text`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from campaign.platforms.facts import MB, ImageRules, PlatformFacts, characters

if TYPE_CHECKING:
    from campaign.config.accounts import Account
    from campaign.config.settings import Checks

MAX_TEXT = 500
MAX_CAROUSEL = 20


def _max_length(checks: Checks, account: Account | None = None) -> int:
    return MAX_TEXT


def _post_url(handle: str | None, post_id: str, account: Account | None = None) -> str:
    # Like Instagram, a post's address holds a shortcode: the channel keeps the permalink.
    name = (handle or "").lstrip("@")
    return f"https://www.threads.net/@{name}" if name else "https://www.threads.net/"


FACTS = PlatformFacts(
    name="threads",
    display="Threads",
    length=characters,
    max_length=_max_length,
    threads=True,
    max_images=lambda checks: MAX_CAROUSEL,
    images=ImageRules("Threads", ("JPEG", "PNG"), max_bytes=8 * MB),
    credentials=("access_token",),
    required_settings=("user_id",),
    default_base_url="https://graph.threads.net",
    fetches_media=True,
    default_limits={timedelta(hours=24): 250},
    post_url=_post_url,
    metric_map={
        "impressions": ("views",),
        "engagements": ("likes", "replies", "reposts", "quotes"),
        "shares": ("reposts", "quotes"),
    },
    metric_definitions={
        "impressions": "Threads: views.",
        "engagements": "Threads: likes + replies + reposts + quotes.",
        "shares": "Threads: reposts + quotes.",
    },
    css_class="threads",
)
