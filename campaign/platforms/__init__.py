"""The platforms a campaign can post to, each one's rules in a module of its own.

`facts("bluesky")` gives what the checks, cards, config and report need to know of a platform.
"""

from __future__ import annotations

from urllib.parse import quote

from campaign.platforms import bluesky, facebook, instagram, mastodon, threads, x
from campaign.platforms.facts import MB, ImageRules, PlatformFacts, characters, size_limit

__all__ = [
    "MB",
    "PLATFORMS",
    "ImageRules",
    "PlatformFacts",
    "characters",
    "facts",
    "public_media_url",
    "size_limit",
]

PLATFORMS: dict[str, PlatformFacts] = {
    module.FACTS.name: module.FACTS
    for module in (x, facebook, instagram, bluesky, mastodon, threads)
}


def public_media_url(media_base_url: str, file: str) -> str:
    """Where a platform that fetches images finds one: `https://media.example/images/a.jpg`
    for `images/a.jpg` (each part of the name escaped)."""
    return f"{media_base_url.rstrip('/')}/{quote(file.lstrip('/'))}"


def facts(platform: str) -> PlatformFacts:
    """The rules of a configured platform (the config refuses any other name)."""
    return PLATFORMS[platform]
