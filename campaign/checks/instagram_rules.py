"""Instagram's own caption rule: at most 20 @-mentions (the IG User Media reference; more and
the container is refused). Hashtags (30) and length (2,200) are the shared rules'."""

from __future__ import annotations

import re
from collections.abc import Iterator

from campaign.checks.findings import Finding, post_finding
from campaign.config import CampaignConfig
from campaign.platforms.instagram import MAX_MENTIONS
from campaign.render import RenderedPost

# `@name` not inside an e-mail address (`help@force.police.uk` mentions nobody).
_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)")


def instagram_rules(post: RenderedPost, config: CampaignConfig) -> Iterator[Finding]:
    mentioned = list(dict.fromkeys(m.lower() for m in _MENTION.findall(post.text)))
    if len(mentioned) > MAX_MENTIONS:
        yield post_finding(
            post,
            "error",
            "instagram-mentions",
            f"{len(mentioned)} accounts @-mentioned: Instagram refuses a caption that mentions "
            f"more than {MAX_MENTIONS}",
            f"remove {len(mentioned) - MAX_MENTIONS} of the @-mentions",
        )
