"""The platforms a campaign can post to, each one's rules in a module of its own.

`facts("bluesky")` gives what the checks, cards, config and report need to know of a platform.
"""

from __future__ import annotations

from campaign.platforms import bluesky, facebook, instagram, mastodon, threads, x
from campaign.platforms.facts import MB, ImageRules, PlatformFacts, characters, size_limit

__all__ = ["MB", "PLATFORMS", "ImageRules", "PlatformFacts", "characters", "facts", "size_limit"]

PLATFORMS: dict[str, PlatformFacts] = {
    module.FACTS.name: module.FACTS
    for module in (x, facebook, instagram, bluesky, mastodon, threads)
}


def facts(platform: str) -> PlatformFacts:
    """The rules of a configured platform (the config refuses any other name)."""
    return PLATFORMS[platform]
