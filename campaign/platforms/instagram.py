"""Instagram (professional account, Content Publishing API over the Graph API).

From developers.facebook.com/docs/instagram-platform/content-publishing and the IG User Media
reference (checked December 2026): an image container is made from an image Meta fetches from
a public URL, then published with `media_publish`; captions up to 2,200 characters, 30
hashtags and 20 @-mentions; JPEG only, up to 8 MiB, aspect ratio 4:5 to 1.91:1 (outside it
the container is refused, code 36003); widths below 320 or above 1440 pixels are scaled, not
refused, so they are no error here; carousels of 2 to 10; 50 API-published posts per rolling
24 hours (`content_publishing_limit`). Media insights: `views` (which replaced `impressions`
for media made after July 2024), `reach`, `likes`, `comments`, `shares`, `saved`,
`total_interactions`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from campaign.platforms.facts import MB, ImageRules, PlatformFacts, characters

if TYPE_CHECKING:
    from campaign.config.accounts import Account
    from campaign.config.settings import Checks

MAX_CAPTION = 2_200
MAX_HASHTAGS = 30
MAX_MENTIONS = 20
MAX_CAROUSEL = 10


def _max_length(checks: Checks, account: Account | None = None) -> int:
    return MAX_CAPTION


def _post_url(handle: str | None, post_id: str, account: Account | None = None) -> str:
    # A post's address holds a shortcode the id does not give; the channel keeps the
    # permalink the platform returns, and this is the account's page otherwise.
    name = (handle or "").lstrip("@")
    return f"https://www.instagram.com/{name}/" if name else "https://www.instagram.com/"


FACTS = PlatformFacts(
    name="instagram",
    display="Instagram",
    length=characters,
    max_length=_max_length,
    max_images=lambda checks: MAX_CAROUSEL,
    image_required=True,
    max_hashtags=MAX_HASHTAGS,
    images=ImageRules("Instagram", ("JPEG",), max_bytes=8 * MB, min_aspect=0.8, max_aspect=1.91),
    credentials=("access_token",),
    required_settings=("user_id",),
    default_base_url="https://graph.facebook.com",
    fetches_media=True,
    default_limits={timedelta(hours=24): 50},
    post_url=_post_url,
    metric_map={
        "impressions": ("views",),
        "engagements": ("likes", "comments", "shares", "saved"),
        "shares": ("shares",),
    },
    metric_definitions={
        "impressions": "Instagram: views.",
        "engagements": "Instagram: likes + comments + shares + saves.",
        "shares": "Instagram: shares.",
    },
    css_class="ig",
)
