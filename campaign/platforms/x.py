"""X (API v2): twitter-text's weighted 280, threads, up to 4 images (docs.x.com, December 2026)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from campaign.platforms.facts import MB, ImageRules, PlatformFacts
from campaign.x_length import MAX_WEIGHTED_LENGTH, weighted_length

if TYPE_CHECKING:
    from campaign.config.accounts import Account
    from campaign.config.settings import Checks


def _length(text: str, account: Account | None = None) -> int:
    return weighted_length(text)


def _max_length(checks: Checks, account: Account | None = None) -> int:
    return MAX_WEIGHTED_LENGTH


def _post_url(handle: str | None, post_id: str, account: Account | None = None) -> str:
    name = (handle or "").lstrip("@")
    if name:
        return f"https://x.com/{name}/status/{post_id}"
    return f"https://x.com/i/web/status/{post_id}"


FACTS = PlatformFacts(
    name="x",
    display="X",
    length=_length,
    max_length=_max_length,
    length_unit="by X's weighted count",
    length_rule="links count 23, most emoji 2",
    threads=True,
    max_images=lambda checks: checks.max_images_x,
    # docs.x.com/x-api/media: up to 5 MB; JPEG, PNG, GIF, WEBP; 4 photos or 1 animated GIF;
    # 4x4 to 8192x8192. We upload with media_category=tweet_image (GIFs get the image limit).
    images=ImageRules(
        "X",
        ("JPEG", "PNG", "GIF", "WEBP"),
        max_bytes=5 * MB,
        min_side=4,
        max_side=8192,
        animated_alone=True,
    ),
    credentials=("consumer_key", "consumer_secret", "access_token", "access_token_secret"),
    default_base_url="https://api.twitter.com",
    default_limits={},  # by tier: see campaign.config.accounts.X_TIER_LIMITS
    post_url=_post_url,
)
