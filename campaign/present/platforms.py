"""Platforms as people see them: their names, links to a post, and how long a post may be.

The counts and limits are the checks' own (`campaign.platforms`): a card and the check that
judges it must never count differently.
"""

from __future__ import annotations

from collections.abc import Sequence

from campaign.config import Account, Checks
from campaign.links import post_url
from campaign.platforms import PLATFORMS, facts

__all__ = ["account_label", "display_name", "length_limit", "lengths", "link_text", "post_url"]


def display_name(platform: str) -> str:
    """'x' -> 'X', 'facebook' -> 'Facebook', 'bluesky' -> 'Bluesky'."""
    known = PLATFORMS.get(platform)
    return known.display if known else platform.capitalize()


def account_label(account: Account) -> str:
    """'Derbyshire Constabulary on Instagram': an account's name with its platform, unless
    the name says it already ('… on X'), so accounts named alike are told apart."""
    platform = display_name(account.platform)
    if platform.lower() in account.name.lower().split():
        return account.name
    return f"{account.name} on {platform}"


def link_text(platform: str) -> str:
    """'View on X': the words of a link to a published post."""
    return f"View on {display_name(platform)}"


def length_limit(platform: str, checks: Checks, account: Account | None = None) -> int:
    """The most a post (or thread part) may count on this platform (or this account's
    instance, for Mastodon)."""
    return facts(platform).max_length(checks, account)


def lengths(platform: str, parts: Sequence[str], account: Account | None = None) -> list[int]:
    """Each part's length as the platform counts it (X: twitter-text weighted; Bluesky:
    graphemes; Mastodon: links as 23)."""
    count = facts(platform).length
    return [count(part, account) for part in parts]
