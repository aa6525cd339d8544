"""Threads' own rule: at most 5 unique links a post (more fail at the container step)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from campaign.checks.findings import Finding, post_finding
from campaign.config import CampaignConfig
from campaign.platforms.threads import MAX_LINKS
from campaign.render import RenderedPost
from campaign.x_urls import find_urls


def unique_links(text: str) -> list[str]:
    """The distinct URLs in a text, in order, as Threads counts them (each unique URL once)."""
    urls = [span.url for span in find_urls(unicodedata.normalize("NFC", text))]
    return list(dict.fromkeys(urls))


def threads_rules(post: RenderedPost, config: CampaignConfig) -> Iterator[Finding]:
    for index, part in enumerate(post.parts, 1):
        links = unique_links(part)
        if len(links) > MAX_LINKS:
            label = f"thread part {index}" if len(post.parts) > 1 else "the post"
            yield post_finding(
                post,
                "error",
                "threads-links",
                f"{label} has {len(links)} different links; Threads refuses a post with more "
                f"than {MAX_LINKS}",
                f"keep {MAX_LINKS} links at most, or move some to another thread part",
                links[MAX_LINKS],
            )
