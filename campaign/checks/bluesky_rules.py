"""Bluesky's own rules: the 3,000-byte cap beside the 300 graphemes, and long links.

A link on Bluesky is a facet over the text as written, so it counts in full (X counts any
link as 23): a post that fits on X can be too long on Bluesky because of one long address.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from campaign.checks.findings import Finding, post_finding
from campaign.config import CampaignConfig
from campaign.platforms.bluesky import FACTS, MAX_TEXT_BYTES, graphemes
from campaign.render import RenderedPost
from campaign.x_urls import find_urls

X_LINK = 23  # what X counts for any link, for the comparison in the message


def bluesky_rules(post: RenderedPost, config: CampaignConfig) -> Iterator[Finding]:
    limit = FACTS.max_length(config.checks, config.accounts.get(post.channel))
    for index, part in enumerate(post.parts, 1):
        label = f"thread part {index}" if len(post.parts) > 1 else "the post"
        size = len(part.encode())
        if size > MAX_TEXT_BYTES:
            yield post_finding(
                post,
                "error",
                "bluesky-bytes",
                f"{label} is {size:,} bytes: Bluesky refuses more than {MAX_TEXT_BYTES:,} "
                "(emoji and accented letters take several bytes each)",
                "use fewer emoji, or split it with `---`",
            )
        if graphemes(part) <= limit:
            continue
        for span in find_urls(unicodedata.normalize("NFC", part)):
            if len(span.url) > X_LINK:
                yield post_finding(
                    post,
                    "warning",
                    "bluesky-long-link",
                    f"the link {span.url} counts {graphemes(span.url)} graphemes on Bluesky "
                    f"(X counts any link as {X_LINK}), which takes {label} over {limit}",
                    "use a shorter link (a short page address on the force's own site)",
                    span.url,
                )
