"""Rules across a post's languages: each text of a bilingual post, and each post of a pair, must
give the same phone numbers and the same links.

A reader of either language must be able to call the same line and open the same page: a
Welsh text that gives an older number than its English one treats Welsh readers less favourably.
Numbers are compared in E.164 (`campaign.phones`), links with their scheme and host in lower
case, without a trailing slash, and with a path segment or query value naming the text's own
language taken as the same ("/cy/adrodd" and "/en/adrodd" are one page in two languages).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from campaign.checks.content import URL  # the url rule's: the links compared are those it checks
from campaign.checks.findings import Finding, post_finding
from campaign.checks.texts import texts_of
from campaign.config import CampaignConfig, language_name, same_language
from campaign.phones import find_numbers, number_key
from campaign.render import RenderedPost, Variant
from campaign.words import all_of

LANGUAGE_MARK = "{lang}"  # what a link's own-language segment ("cy", "en") is compared as
_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z]{2})?$")  # a path segment that may name one


@dataclass(frozen=True)
class _Facts:
    """The numbers and links one text gives: comparable key -> as written (the first time)."""

    post: RenderedPost
    variant: Variant
    numbers: dict[str, str]
    links: dict[str, str]


def check_language_facts(posts: list[RenderedPost], config: CampaignConfig) -> Iterator[Finding]:
    """An error for each text that gives other phone numbers or links than the first language's
    text of the same post (bilingual) or of the same pair."""
    groups: dict[str, list[tuple[RenderedPost, Variant]]] = defaultdict(list)
    for post in posts:
        for variant in texts_of(post, config):
            groups[post.unit or post.key].append((post, variant))
    for texts in groups.values():
        if len(texts) < 2:
            continue
        texts.sort(key=lambda item: item[0].position)
        first, *others = (_facts(post, variant, config) for post, variant in texts)
        for other in others:
            yield from _compare(first, other)


def _facts(post: RenderedPost, variant: Variant, config: CampaignConfig) -> _Facts:
    region = config.checks.phone_region
    known = {number_key(line.number, region) for line in config.helplines.values()}
    numbers: dict[str, str] = {}
    for number in find_numbers(variant.text, region, known):
        numbers.setdefault(number.key or "".join(filter(str.isdigit, number.raw)), number.raw)
    links: dict[str, str] = {}
    for match in URL.finditer(variant.text):
        url = match.group().rstrip(".,;:!?)")
        links.setdefault(normal_link(url, variant.lang), url)
    return _Facts(post, variant, numbers, links)


def normal_link(url: str, lang: str = "") -> str:
    """A link as compared across languages: scheme and host in lower case, no trailing slash,
    no default port, and a path segment or query value naming `lang` as `LANGUAGE_MARK`."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    host = (parts.hostname or "").lower()
    if parts.port and (parts.scheme.lower(), parts.port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{parts.port}"
    segments = [_marked(segment, lang) for segment in parts.path.split("/")]
    path = "/".join(segments).rstrip("/")
    query = urlencode([(name, _marked(value, lang)) for name, value in parse_qsl(parts.query)])
    return urlunsplit((parts.scheme.lower(), host, path, query, parts.fragment))


def _marked(piece: str, lang: str) -> str:
    """`LANGUAGE_MARK` for a piece of a link that is the text's own language tag ("cy", "en",
    "en-GB"), else the piece."""
    try:
        return LANGUAGE_MARK if lang and _TAG.match(piece) and same_language(piece, lang) else piece
    except ValueError:  # langcodes: not a tag after all
        return piece


def _compare(first: _Facts, other: _Facts) -> Iterator[Finding]:
    """One finding on `other` naming what it leaves out of `first`'s numbers and links and what
    it gives besides."""
    missing = [first.numbers[k] for k in first.numbers if k not in other.numbers]
    missing += [first.links[k] for k in first.links if k not in other.links]
    added = [other.numbers[k] for k in other.numbers if k not in first.numbers]
    added += [other.links[k] for k in other.links if k not in first.links]
    if not missing and not added:
        return
    name, reference = language_name(other.variant.lang), language_name(first.variant.lang)
    where = "" if other.post.key == first.post.key else f" ({first.post.key})"
    said = [f"leaves out {all_of(missing)}"] if missing else []
    said += [f"gives {all_of(added)} besides"] if added else []
    templates = [t for t in (other.variant.template, first.variant.template) if t]
    yield post_finding(
        other.post,
        "error",
        "language-facts",
        f"the {name} text does not give the same facts as the {reference} text{where}: it "
        f"{', and '.join(said)}; readers in each language must be given the same phone "
        "numbers and links",
        "give the same numbers and links in every language: correct "
        + (" or ".join(templates) if templates else "the text that is wrong"),
        added[0] if added else "",
        other.variant,
    )
