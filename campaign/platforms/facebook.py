"""Facebook Pages (Graph API): characters up to the configured limit, one image, no threads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from campaign.platforms.facts import MB, ImageRules, PlatformFacts, characters

if TYPE_CHECKING:
    from campaign.config.accounts import Account
    from campaign.config.settings import Checks


def _max_length(checks: Checks, account: Account | None = None) -> int:
    return checks.facebook_max_length


def _post_url(handle: str | None, post_id: str, account: Account | None = None) -> str:
    page, _, post = post_id.partition("_")
    if post:
        return f"https://www.facebook.com/{page}/posts/{post}"
    return f"https://www.facebook.com/{post_id}"


FACTS = PlatformFacts(
    name="facebook",
    display="Facebook",
    length=characters,
    max_length=_max_length,
    # developers.facebook.com/docs/graph-api/photo-uploads: JPEG, BMP, PNG, GIF and TIFF;
    # under 4 MB recommended, a PNG over 1 MB "may appear pixelated": recommendations, so
    # warnings.
    images=ImageRules(
        "Facebook",
        ("JPEG", "PNG", "GIF", "BMP", "TIFF"),
        advised_bytes=4 * MB,
        advised_png_bytes=1 * MB,
    ),
    credentials=("page_access_token",),
    required_settings=("page_id",),
    default_base_url="https://graph.facebook.com",
    post_url=_post_url,
    css_class="fb",
)
