"""Image files judged by their bytes, not their names: real format, pixels and size per platform.

Pillow opens each file read-only (the bytes, and so the content hash, never change), decodes it to
catch damaged or cut-short files, and reports its real format and dimensions.

Platform limits are each platform's own, in `campaign.platforms` (with their sources).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from campaign.checks.findings import Finding, post_finding
from campaign.config import CampaignConfig
from campaign.content.library import Library
from campaign.platforms import MB, PLATFORMS, ImageRules, size_limit
from campaign.render import RenderedPost
from campaign.words import either

# Pillow's format names -> the suffixes a file of that format may have.
SUFFIXES = {
    "JPEG": {".jpg", ".jpeg"},
    "PNG": {".png"},
    "GIF": {".gif"},
    "WEBP": {".webp"},
    "BMP": {".bmp"},
    "TIFF": {".tif", ".tiff"},
}
NAMES = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WebP", "BMP": "BMP", "TIFF": "TIFF"}


# Each platform's image rules, from its module in campaign.platforms (sources named there).
RULES: dict[str, ImageRules] = {
    name: facts.images for name, facts in PLATFORMS.items() if facts.images is not None
}


@dataclass(frozen=True)
class ImageFacts:
    """What the bytes of an image file are, whatever its name says."""

    format: str
    width: int
    height: int
    frames: int
    size: int

    @property
    def name(self) -> str:
        return NAMES.get(self.format, self.format)


class NotAnImage(ValueError):
    """The file cannot be used as an image; the message says why in plain words."""


def inspect(path: Path) -> ImageFacts:
    """Open and fully decode an image file; NotAnImage if it is not one, or is damaged."""
    return inspect_bytes(path.read_bytes())


def inspect_bytes(data: bytes) -> ImageFacts:
    """What these bytes are as an image; NotAnImage if they are not one, or are damaged."""
    with warnings.catch_warnings():
        # Our own size rules speak about huge images; Pillow's bomb warning would only repeat it.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                facts = ImageFacts(
                    format=image.format or "unknown",
                    width=image.width,
                    height=image.height,
                    frames=getattr(image, "n_frames", 1),
                    size=len(data),
                )
                image.load()
            with Image.open(io.BytesIO(data)) as image:
                image.verify()  # checksums (PNG CRCs) that decoding alone does not read
        except UnidentifiedImageError:
            raise NotAnImage(
                "is not an image: its bytes are in no picture format (a renamed document?)"
            ) from None
        except Image.DecompressionBombError:
            raise NotAnImage("has far too many pixels to open safely") from None
        except (OSError, SyntaxError, ValueError, EOFError):  # Pillow's words are for engineers
            raise NotAnImage("is damaged or cut short") from None
    return facts


def check_images(
    post: RenderedPost,
    config: CampaignConfig,
    opened: dict[str, ImageFacts | NotAnImage | None] | None = None,
    library: Library | None = None,
) -> Iterator[Finding]:
    """Each attached file, opened, against the post's platform; a missing file is config's job.

    `opened` keeps what each file (by its name in the posts folder) turned out to be across
    the posts of one check run: a plan attaches the same few images to many posts, and
    decoding one takes milliseconds.
    """
    rules = RULES.get(post.platform)
    opened = {} if opened is None else opened
    animated = []
    for image in post.images:
        if image.file not in opened:
            data = (
                library.read(image.file)
                if library is not None
                else _bytes(config.posts_dir / image.file)
            )
            opened[image.file] = _open(data)
        facts = opened[image.file]
        if facts is None:
            continue
        if isinstance(facts, NotAnImage):
            yield post_finding(
                post,
                "error",
                "image-unreadable",
                f"{image.file} {facts}",
                "export the picture again from your design tool as PNG or JPEG",
            )
            continue
        if facts.frames > 1:
            animated.append(image.file)
        yield from _name(post, image.file, facts)
        if rules is not None:
            yield from _against(post, image.file, facts, rules)
    if rules is not None and rules.animated_alone and animated and len(post.images) > 1:
        yield post_finding(
            post,
            "error",
            "image-animated",
            f"{animated[0]} is an animated GIF: {rules.platform} takes one animated GIF "
            "on its own, or up to 4 still images",
            "post the animated GIF alone, or use a still image",
        )


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _open(data: bytes | None) -> ImageFacts | NotAnImage | None:
    """What the bytes are; None when the file is missing."""
    if data is None:
        return None
    try:
        return inspect_bytes(data)
    except NotAnImage as exc:
        return exc


def _name(post: RenderedPost, file: str, facts: ImageFacts) -> Iterator[Finding]:
    suffixes = SUFFIXES.get(facts.format)
    suffix = Path(file).suffix.lower()
    if suffixes is not None and suffix not in suffixes:
        # The upload's content type is taken from the name, so a wrong one can confuse it.
        yield post_finding(
            post,
            "warning",
            "image-name",
            f"{file} is a {facts.name} image named {suffix or 'without a suffix'}",
            f"rename it to end in {min(suffixes)}",
        )


def _shape(
    post: RenderedPost, file: str, facts: ImageFacts, rules: ImageRules
) -> Iterator[Finding]:
    """Width over height within the platform's range (Instagram crops nothing: it refuses)."""
    if rules.min_aspect is None or rules.max_aspect is None or not facts.height:
        return
    ratio = facts.width / facts.height
    if not rules.min_aspect <= ratio <= rules.max_aspect:
        yield post_finding(
            post,
            "error",
            "image-shape",
            f"{file} is {facts.width}×{facts.height} pixels (width {ratio:.2f} times its "
            f"height); {rules.platform} takes from {rules.min_aspect:g} to {rules.max_aspect:g}",
            "crop it: a square (1080×1080) or a portrait 4:5 (1080×1350) image suits every "
            "platform",
        )


def _against(
    post: RenderedPost, file: str, facts: ImageFacts, rules: ImageRules
) -> Iterator[Finding]:
    if facts.format not in rules.formats:
        accepted = [NAMES[f] for f in rules.formats]
        yield post_finding(
            post,
            "error",
            "image-format",
            f"{file} is a {facts.name} image; {rules.platform} takes {either(accepted)}",
            f"export it as {' or '.join(accepted[:2])}",
        )
    small = min(facts.width, facts.height) < rules.min_side
    large = rules.max_side is not None and max(facts.width, facts.height) > rules.max_side
    if small or large:
        limits = f"at least {rules.min_side}×{rules.min_side}"
        if rules.max_side is not None:
            limits += f" and at most {rules.max_side}×{rules.max_side}"
        yield post_finding(
            post,
            "error",
            "image-dimensions",
            f"{file} is {facts.width}×{facts.height} pixels; {rules.platform} takes {limits}",
            "resize the image (1200×675 suits a single image in a post)",
        )
    yield from _shape(post, file, facts, rules)
    megabytes = facts.size / MB
    if rules.max_bytes is not None and facts.size > rules.max_bytes:
        yield post_finding(
            post,
            "error",
            "image-size",
            f"{file} is {megabytes:.1f} MB "
            f"({rules.platform} takes up to {size_limit(rules.max_bytes)})",
            "compress or resize the image",
        )
    elif rules.advised_bytes is not None and facts.size > rules.advised_bytes:
        yield post_finding(
            post,
            "warning",
            "image-size",
            f"{file} is {megabytes:.1f} MB ({rules.platform} advises under "
            f"{rules.advised_bytes // MB} MB)",
            "compress or resize the image",
        )
    elif (
        rules.advised_png_bytes is not None
        and facts.format == "PNG"
        and facts.size > rules.advised_png_bytes
    ):
        yield post_finding(
            post,
            "warning",
            "image-size",
            f"{file} is a {megabytes:.1f} MB PNG: {rules.platform} may show a PNG over "
            f"{rules.advised_png_bytes // MB} MB pixelated",
            "save it as JPEG, or make the PNG smaller",
        )
