"""Platforms as people see them: their names, links to a post, and how long a post may be.

The limits are the checks' own (X's weighted 280, the configured Facebook limit): a card and the
check that judges it must never count differently.
"""

from __future__ import annotations

from collections.abc import Sequence

from campaign.config import Checks
from campaign.links import post_url
from campaign.x_length import MAX_WEIGHTED_LENGTH, weighted_length

__all__ = ["display_name", "length_limit", "lengths", "link_text", "post_url"]

NAMES = {"x": "X", "facebook": "Facebook"}


def display_name(platform: str) -> str:
    """'x' -> 'X', 'facebook' -> 'Facebook'."""
    return NAMES.get(platform, platform.capitalize())


def link_text(platform: str) -> str:
    """'View on X': the words of a link to a published post."""
    return f"View on {display_name(platform)}"


def length_limit(platform: str, checks: Checks) -> int:
    """The most a post (or thread part) may count on this platform."""
    return MAX_WEIGHTED_LENGTH if platform == "x" else checks.facebook_max_length


def lengths(platform: str, parts: Sequence[str]) -> list[int]:
    """Each part's length as the platform counts it (X: twitter-text weighted)."""
    if platform == "x":
        return [weighted_length(part) for part in parts]
    return [len(part) for part in parts]
