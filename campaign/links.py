"""Public addresses of posts on the platforms, for status lines, pages and reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from campaign.platforms import facts

if TYPE_CHECKING:
    from campaign.config.accounts import Account


def post_url(
    platform: str, handle: str | None, post_id: str, account: Account | None = None
) -> str:
    """A post as a link people can open: an X status, a Facebook Page post ("PAGEID_POSTID"),
    a Bluesky post (its at:// URI), a Mastodon status, or the account's page where the
    platform's post address cannot be made from its id (Instagram, Threads)."""
    make = facts(platform).post_url
    return make(handle, post_id, account) if make else post_id
