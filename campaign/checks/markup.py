"""Rule: a post (or its alt text) that holds markup or script-like text gets a warning.

Posts are plain text: X and Facebook publish `<b>`, `<script>` or `javascript:` exactly as
typed, where they read as garbage or as an attempt to attack readers. Such text usually came in
by pasting from a web page or a content system, or was put there on purpose; an officer should
look at it before anyone approves it. A warning, not an error: a post may have to quote such
text (a scam warning showing a fake link, say).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from campaign.checks.findings import Finding, config_finding, post_finding
from campaign.checks.texts import text_label, texts_of
from campaign.config import CampaignConfig
from campaign.render import RenderedPost

# Each kind with text its every match holds once case-folded: a pattern is only searched for
# in a text that holds its needle, as most posts hold none (searching each took most of this
# rule's time). No needle holds an "i": case-insensitive "i" also matches "İ", which folds to
# two characters.
_KINDS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("a script tag", "scr", re.compile(r"<\s*script\b[^>]*>?", re.IGNORECASE)),
    ("a script address", "scr", re.compile(r"\b(?:java|vb)script\s*:", re.IGNORECASE)),
    ("a data: address", "data:", re.compile(r"\bdata:[a-z]+/[\w.+-]+[;,]", re.IGNORECASE)),
    (
        "an event-handler attribute",
        "=",
        re.compile(r"\bon[a-z]{3,}\s*=\s*[\"'\w]", re.IGNORECASE),
    ),
    ("an HTML tag", "<", re.compile(r"</?[a-z][a-z0-9-]*(?:\s[^<>]*)?/?>", re.IGNORECASE)),
)


def check_markup(post: RenderedPost, config: CampaignConfig) -> Iterator[Finding]:
    """One warning per kind of markup, in the post text and in each image's alt text."""
    for variant in texts_of(post, config):
        for kind, snippet in _markup(variant.text):
            yield post_finding(
                post,
                "warning",
                "markup",
                f"{text_label(post, variant)} holds {kind}, {snippet!r}: it would be published "
                "as typed",
                "remove it (paste text only, not from a web page), or keep it only if the post "
                "must quote it",
                snippet,
                variant,
            )
    for image in post.images:
        for kind, snippet in _markup(image.alt):
            yield config_finding(
                config,
                "warning",
                "markup",
                f"the alt text of {image.file} holds {kind}, {snippet!r}: screen readers would "
                "read it out",
                "describe the image in plain words in `alt`",
                image.alt[:60],
                post,
            )


def _markup(text: str) -> Iterator[tuple[str, str]]:
    seen: set[str] = set()
    folded = text.casefold()
    for kind, needle, pattern in _KINDS:
        match = pattern.search(text) if needle in folded else None
        if match and not any(match.group() in earlier for earlier in seen):
            seen.add(match.group())
            yield kind, match.group()[:40]
