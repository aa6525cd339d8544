"""Bluesky (AT Protocol): 300 graphemes, links as facets, threads, up to 4 images of ~1 MB.

From docs.bsky.app (December 2026): a post's text is at most 300 graphemes; links, mentions and
tags are facets over byte ranges of the text; `app.bsky.embed.images` takes up to 4 images,
each blob at most 1,000,000 bytes, with alt text; a reply names its thread's `root` and its
`parent` by strong reference; sessions (`createSession`) are rate-limited: reuse them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from campaign.platforms.facts import ImageRules, PlatformFacts, characters

if TYPE_CHECKING:
    from campaign.config.accounts import Account
    from campaign.config.settings import Checks

MAX_GRAPHEMES = 300
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 1_000_000
MAX_ALT = 2_000


def _max_length(checks: Checks, account: Account | None = None) -> int:
    return MAX_GRAPHEMES


def _post_url(handle: str | None, post_id: str, account: Account | None = None) -> str:
    """`at://did:plc:…/app.bsky.feed.post/RKEY` -> https://bsky.app/profile/HANDLE/post/RKEY."""
    repo, _, rkey = post_id.removeprefix("at://").partition("/app.bsky.feed.post/")
    who = (handle or "").lstrip("@") or repo
    return (
        f"https://bsky.app/profile/{who}/post/{rkey}" if rkey else f"https://bsky.app/profile/{who}"
    )


FACTS = PlatformFacts(
    name="bluesky",
    display="Bluesky",
    length=characters,
    max_length=_max_length,
    length_unit="graphemes",
    length_rule="each letter, emoji or flag counts 1; a link counts as written",
    threads=True,
    max_images=lambda checks: MAX_IMAGES,
    max_alt=MAX_ALT,
    images=ImageRules("Bluesky", ("JPEG", "PNG", "WEBP"), max_bytes=MAX_IMAGE_BYTES),
    credentials=("app_password",),
    required_settings=("handle",),
    default_base_url="https://bsky.social",
    post_url=_post_url,
    metric_map={
        "engagements": ("likeCount", "repostCount", "replyCount", "quoteCount"),
        "shares": ("repostCount", "quoteCount"),
    },
    metric_definitions={
        "impressions": "Bluesky: not offered (unavailable).",
        "engagements": "Bluesky: likes + reposts + replies + quotes.",
        "shares": "Bluesky: reposts + quotes.",
    },
    css_class="bsky",
)
