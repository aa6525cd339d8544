"""How Mastodon counts a status, as its `StatusLengthValidator` does.

Mastodon (app/validators/status_length_validator.rb) rewrites the text before counting: every
URL with a scheme becomes 23 placeholder characters (`characters_reserved_per_url`, whatever
its length), a mention `@user@domain` becomes `@user`, and what remains is counted in
grapheme clusters (`each_grapheme_cluster.size`), so a family emoji counts 1.
"""

from __future__ import annotations

import re

import regex

from campaign.x_urls import find_urls

# Account::USERNAME_RE and Account::MENTION_RE: `@user` or `@user@domain.tld`, not preceded
# by a word character, `=` or `/` (so e-mail addresses and URL paths are not mentions).
_USERNAME = r"[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*"
_MENTION = re.compile(rf"(?<![=/\w])@({_USERNAME})(?:@\w+(?:[.-]+\w+)*)?", re.IGNORECASE)
_SCHEME = re.compile(r"https?://", re.IGNORECASE)
_GRAPHEME = regex.compile(r"\X")


def graphemes(text: str) -> int:
    """User-perceived characters (extended grapheme clusters), as Ruby's String counts them."""
    return len(_GRAPHEME.findall(text))


def status_length(text: str, url_length: int = 23) -> int:
    """The length Mastodon gives `text`: links `url_length` each, mentions their user name."""
    spans = [(s.start, s.end) for s in find_urls(text) if _SCHEME.match(s.url)]
    pieces: list[str] = []
    urls = 0
    pos = 0
    for start, end in spans:
        pieces.append(without_mention_domains(text[pos:start]))
        urls += 1
        pos = end
    pieces.append(without_mention_domains(text[pos:]))
    return graphemes("".join(pieces)) + urls * url_length


def without_mention_domains(text: str) -> str:
    """`@user@domain` -> `@user`: the domain of a mention is free."""
    return _MENTION.sub(lambda m: f"@{m.group(1)}", text)
