"""Bluesky (AT Protocol): 300 graphemes, links as facets, threads, up to 4 images of ~1 MB.

From docs.bsky.app and the lexicons (December 2026): `app.bsky.feed.post` text is at most 300
graphemes (`maxGraphemes`, user-perceived characters per Unicode UAX #29: a family emoji or a
flag counts 1) and 3,000 UTF-8 bytes; links, mentions and tags are facets over byte ranges of
the text, so a link counts in full as written (no shortening as on X); `app.bsky.embed.images`
takes up to 4 images, each blob at most 1,000,000 bytes, with alt text (the app caps it at
2,000) and an aspect ratio; a reply names its thread's `root` and its `parent` by strong
reference (uri + cid). Rate limits ("Rate Limits" guide): 5,000 points an hour and 35,000 a
day per account, a create costing 3; `createSession` 30 per 5 minutes and 300 a day per
handle: sessions are reused and refreshed, not created per post.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import regex

from campaign.platforms.facts import ImageRules, PlatformFacts

if TYPE_CHECKING:
    from campaign.config.accounts import Account
    from campaign.config.settings import Checks

MAX_GRAPHEMES = 300
MAX_IMAGES = 4
MAX_LANGS = 3  # a post record's `langs` (app.bsky.feed.post lexicon: maxLength 3)
MAX_IMAGE_BYTES = 1_000_000
MAX_ALT = 2_000
MAX_TEXT_BYTES = 3_000
# Points per account: a create costs 3 (so 1,666 posts an hour, 11,666 a day).
POINTS_PER_HOUR, POINTS_PER_DAY, CREATE_POINTS = 5_000, 35_000, 3
_GRAPHEME = regex.compile(r"\X")


def graphemes(text: str, account: Account | None = None) -> int:
    """Extended grapheme clusters (UAX #29), as the lexicon's `maxGraphemes` counts them."""
    return sum(1 for _ in _GRAPHEME.finditer(text))


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
    length=graphemes,
    max_length=_max_length,
    length_unit="graphemes",
    length_rule=(
        "each letter, emoji or flag counts 1; a link counts in full as written: "
        "a shorter link saves room"
    ),
    threads=True,
    max_images=lambda checks: MAX_IMAGES,
    max_alt=MAX_ALT,
    images=ImageRules("Bluesky", ("JPEG", "PNG", "WEBP"), max_bytes=MAX_IMAGE_BYTES),
    credentials=("app_password",),
    required_settings=("handle",),
    default_base_url="https://bsky.social",
    default_limits={
        timedelta(hours=1): POINTS_PER_HOUR // CREATE_POINTS,
        timedelta(days=1): POINTS_PER_DAY // CREATE_POINTS,
    },
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
