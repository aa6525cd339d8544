"""An image an officer uploads in the composer, judged by its bytes before it is stored.

The name and the browser's content type say nothing reliable: Pillow decodes the bytes
(`campaign.checks.images.inspect_bytes`, the same as `campaign check` uses on files). The formats
and sizes are the platforms' own, from the same table the checks use (`RULES`): an upload the
platform would refuse, or advises against (Facebook over 4 MB), is refused here, in plain words,
so the officer can export it again before it is part of a post.
"""

from __future__ import annotations

from dataclasses import dataclass

from campaign.checks.images import NAMES, RULES, ImageFacts, NotAnImage, inspect_bytes
from campaign.errors import BadInput
from campaign.platforms import MB, size_limit
from campaign.present.platforms import display_name
from campaign.words import either

# What the composer takes at all; each platform may take fewer (Facebook: no WebP).
UPLOAD_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
SUFFIX = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}
# The largest upload any platform takes (a Mastodon instance's usual 16 MB): the web server
# refuses bigger bodies.
MAX_UPLOAD_BYTES = max(rules.max_bytes or rules.advised_bytes or 0 for rules in RULES.values())


class ImageRefused(BadInput):
    """The upload cannot go on this post; the message says why and what to do."""


@dataclass(frozen=True)
class CheckedImage:
    """An upload that passed: its facts and the name it is stored under."""

    facts: ImageFacts
    mime: str
    name: str


def check_upload(data: bytes, name: str, platform: str) -> CheckedImage:
    """The upload's facts if `platform` can post it; ImageRefused in plain words otherwise."""
    shown = name or "The file"
    if not data:
        raise ImageRefused(f"{shown} is empty: choose the picture again.")
    try:
        facts = inspect_bytes(data)
    except NotAnImage as exc:
        raise ImageRefused(f"{shown} {exc}. Choose a PNG, JPEG, GIF or WebP picture.") from None
    platform_name = display_name(platform)
    rules = RULES.get(platform)
    formats = [f for f in UPLOAD_FORMATS if rules is None or f in rules.formats]
    if facts.format not in formats:
        accepted = either([NAMES[f] for f in formats])
        raise ImageRefused(
            f"{shown} is a {facts.name} picture; a {platform_name} post takes {accepted}. "
            "Export it again in one of those."
        )
    limit = None if rules is None else rules.max_bytes or rules.advised_bytes
    if limit is not None and facts.size > limit:
        raise ImageRefused(
            f"{shown} is {facts.size / MB:.1f} MB; a {platform_name} post takes pictures up to "
            f"{size_limit(limit)}. Compress or resize it, then upload it again."
        )
    if rules is not None:
        small = min(facts.width, facts.height) < rules.min_side
        large = rules.max_side is not None and max(facts.width, facts.height) > rules.max_side
        if small or large:
            raise ImageRefused(
                f"{shown} is {facts.width}×{facts.height} pixels, which {platform_name} does "
                "not take. Resize it (1200×675 suits a single picture in a post)."
            )
    stem = _stem(name)
    return CheckedImage(facts, MIME[facts.format], f"{stem}{SUFFIX[facts.format]}")


@dataclass(frozen=True)
class MediaFacts:
    """What is stored about an image (the media table), enough to judge it for a platform."""

    mime: str
    size: int
    width: int | None
    height: int | None


def check_media(facts: MediaFacts, name: str, platform: str) -> tuple[str, str, str] | None:
    """(rule, problem, fix) when a stored image cannot go on `platform` (a post copied to
    another channel keeps its pictures); None when it can."""
    rules = RULES.get(platform)
    if rules is None:
        return None
    platform_name = display_name(platform)
    kind = next((f for f, mime in MIME.items() if mime == facts.mime), None)
    if kind is None or kind not in rules.formats:
        accepted = either([NAMES[f] for f in UPLOAD_FORMATS if f in rules.formats])
        return (
            "image-format",
            f"{name} is a {NAMES.get(kind or '', facts.mime)} picture; a {platform_name} post "
            f"takes {accepted}",
            "upload it again in one of those formats",
        )
    limit = rules.max_bytes or rules.advised_bytes
    if limit is not None and facts.size > limit:
        return (
            "image-size",
            f"{name} is {facts.size / MB:.1f} MB; a {platform_name} post takes up to "
            f"{limit // MB} MB",
            "compress or resize it, then upload it again",
        )
    return None


def _stem(name: str) -> str:
    """A tidy file name for the picture: its own name's letters, digits and dashes."""
    base = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    kept = "".join(c if c.isalnum() or c in "-_" else "-" for c in base.lower()).strip("-_")
    return kept[:60] or "picture"
