"""Rules only one platform has (Bluesky's facets, say), beside the shared ones in `content`.

Each platform with rules of its own has a module `campaign/checks/<platform>_rules.py` and one
line here; `check_post` runs the post's platform's rules after the shared ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from campaign.checks.bluesky_rules import bluesky_rules
from campaign.checks.findings import Finding
from campaign.checks.instagram_rules import instagram_rules
from campaign.checks.threads_rules import threads_rules
from campaign.config import CampaignConfig
from campaign.render import RenderedPost

Rule = Callable[[RenderedPost, CampaignConfig], Iterator[Finding]]

RULES: dict[str, Rule] = {
    "instagram": instagram_rules,
    "bluesky": bluesky_rules,
    "threads": threads_rules,
}


def platform_rules(post: RenderedPost, config: CampaignConfig) -> Iterator[Finding]:
    rule = RULES.get(post.platform)
    if rule is not None:
        yield from rule(post, config)
