"""Mastodon: the instance's own limits, URLs counted as 23, threads, up to 4 attachments.

From docs.joinmastodon.org (December 2026): `configuration.statuses.max_characters` (500 by
default) and `characters_reserved_per_url` (23) in the instance's `/api/v2/instance`; a mention
counts only its user name and the rest counts by grapheme clusters (Mastodon's
app/validators/status_length_validator.rb: `each_grapheme_cluster.size`); up to 4 media
attachments, images up to 16 MB (`image_size_limit`), descriptions up to 1,500 characters
(`description_limit`); replies by `in_reply_to_id`; `Idempotency-Key` on status creation
(kept an hour); posting limited to 300 statuses in 3 hours per account
(docs.joinmastodon.org/api/rate-limits).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from campaign.platforms.facts import MB, ImageRules, PlatformFacts
from campaign.platforms.mastodon_length import status_length

if TYPE_CHECKING:
    from campaign.config.accounts import Account
    from campaign.config.settings import Checks

DEFAULT_MAX_CHARACTERS = 500
DEFAULT_URL_LENGTH = 23
MAX_IMAGES = 4
MAX_DESCRIPTION = 1_500


def _length(text: str, account: Account | None = None) -> int:
    reserved = account.characters_reserved_per_url if account is not None else None
    return status_length(text, reserved or DEFAULT_URL_LENGTH)


def _max_length(checks: Checks, account: Account | None = None) -> int:
    if account is not None and account.max_characters:
        return account.max_characters
    return DEFAULT_MAX_CHARACTERS


def _post_url(handle: str | None, post_id: str, account: Account | None = None) -> str:
    """@name@instance.social and 1234 -> https://instance.social/@name/1234."""
    name, _, host = (handle or "").lstrip("@").partition("@")
    if not host and account is not None and account.base_url:
        host = account.base_url.split("://", 1)[-1].rstrip("/")
    return f"https://{host}/@{name}/{post_id}" if name and host else post_id


FACTS = PlatformFacts(
    name="mastodon",
    display="Mastodon",
    length=_length,
    max_length=_max_length,
    length_rule="every link counts 23, a mention only its user name, an emoji 1",
    threads=True,
    max_images=lambda checks: MAX_IMAGES,
    max_alt=MAX_DESCRIPTION,
    images=ImageRules("Mastodon", ("JPEG", "PNG", "GIF", "WEBP"), max_bytes=16 * MB),
    credentials=("access_token",),
    required_settings=("base_url", "handle"),
    default_limits={timedelta(hours=3): 300},
    post_url=_post_url,
    metric_map={
        "engagements": ("favourites_count", "reblogs_count", "replies_count"),
        "shares": ("reblogs_count",),
    },
    metric_definitions={
        "impressions": "Mastodon: not offered (unavailable).",
        "engagements": "Mastodon: favourites + boosts + replies.",
        "shares": "Mastodon: boosts.",
    },
    css_class="masto",
)
