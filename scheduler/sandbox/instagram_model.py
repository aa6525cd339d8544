"""What the Instagram double stores and the errors Instagram gives, from Meta's documentation.

Error codes are those of the Instagram Platform's "Error Codes" reference (code, subcode, user
title and message): 9004/2207052 when the image could not be downloaded, 36000/2207004 too
large, 36001/2207005 not a supported format, 36003/2207009 aspect ratio, 9/2207042 the
publishing limit, 9007/2207027 a container not ready to publish. Caption limits (2,200
characters, 30 hashtags, 20 @-mentions) are refused with code 100, as Graph refuses a bad
parameter.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PIL import Image, UnidentifiedImageError
from werkzeug.wrappers import Response

from scheduler.sandbox.graph_model import graph_error

MAX_CAPTION = 2_200
MAX_HASHTAGS = 30
MAX_MENTIONS = 20
MAX_BYTES = 8 * 1024 * 1024
MIN_ASPECT, MAX_ASPECT = 4 / 5, 1.91
MIN_CHILDREN, MAX_CHILDREN = 2, 10
POSTS_PER_DAY = 50
METRICS = ("views", "reach", "likes", "comments", "shares", "saved", "total_interactions")
# Asked of media made after July 2024 since April 2025, `impressions` is refused (code 100).
RETIRED_METRICS = ("impressions", "plays", "video_views")
_HASHTAG = re.compile(r"(?<![\w&])#\w+")
_MENTION = re.compile(r"(?<![\w@])@[\w.]+")


@dataclass
class IgUser:
    """An Instagram professional account and the token that acts for it."""

    id: str
    username: str
    name: str
    token: str
    revoked: bool = False
    expires_at: datetime | None = None


@dataclass
class Container:
    """A media container: not a post; published once, expires 24 hours after it was made."""

    id: str
    user_id: str
    caption: str
    image_url: str | None
    alt_text: str | None
    carousel_item: bool
    children: tuple[str, ...]
    created_at: datetime
    ready_at: datetime
    published: bool = False


@dataclass
class IgMedia:
    """A published post (`timestamp` in the future while a late create has not landed)."""

    id: str
    user_id: str
    caption: str
    shortcode: str
    timestamp: datetime
    image_urls: tuple[str, ...]
    alt_texts: tuple[str | None, ...]
    deleted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def visible(self, now: datetime) -> bool:
        return not self.deleted and self.timestamp <= now

    @property
    def permalink(self) -> str:
        return f"https://www.instagram.com/p/{self.shortcode}/"


def shortcode(media_id: str) -> str:
    return hashlib.sha256(media_id.encode()).hexdigest()[:11].upper()


def ig_error(
    code: int,
    subcode: int | None,
    message: str,
    *,
    title: str | None = None,
    user_message: str | None = None,
    status: int = 400,
    headers: dict[str, str] | None = None,
) -> Response:
    """Instagram's error envelope (Graph's, with the user title and message it adds)."""
    extra: dict[str, Any] = {"is_transient": False}
    if title:
        extra["error_user_title"] = title
    if user_message:
        extra["error_user_msg"] = user_message
    return graph_error(status, message, code, subcode=subcode, headers=headers, **extra)


def download_failed(url: str) -> Response:
    return ig_error(
        9004,
        2207052,
        f"The media could not be fetched from this uri: {url}",
        title="Media download has failed.",
        user_message="The media could not be fetched from this URI. Please check the URI and "
        "try again.",
    )


def image_problem(data: bytes) -> Response | None:
    """Instagram's refusal of an image's bytes, or None when it would publish them."""
    if len(data) > MAX_BYTES:
        return ig_error(
            36000,
            2207004,
            "The image size is too large.",
            title="Image size too large",
            user_message="The image is too large to download. It should be less than 8 MiB.",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
    except (UnidentifiedImageError, OSError):
        kind, width, height = None, 0, 0
    if kind != "JPEG":
        return ig_error(
            36001,
            2207005,
            "The image format is not supported.",
            title="Unsupported format",
            user_message="The image format is not supported. Only JPEG images can be published.",
        )
    if not MIN_ASPECT <= width / height <= MAX_ASPECT:
        return ig_error(
            36003,
            2207009,
            f"The submitted image with aspect ratio ('{width}:{height}') cannot be published. "
            "Please submit an image with a valid aspect ratio.",
            title="Aspect ratio not supported",
            user_message="The aspect ratio is not supported. It should be between 4:5 and 1.91:1.",
        )
    return None


def caption_problem(caption: str) -> Response | None:
    if len(caption) > MAX_CAPTION:
        return ig_error(100, None, f"(#100) The caption must be at most {MAX_CAPTION} characters")
    if len(set(_HASHTAG.findall(caption))) > MAX_HASHTAGS:
        return ig_error(
            100, None, f"(#100) The caption can contain at most {MAX_HASHTAGS} hashtags"
        )
    if len(set(_MENTION.findall(caption))) > MAX_MENTIONS:
        return ig_error(
            100, None, f"(#100) The caption can mention at most {MAX_MENTIONS} accounts"
        )
    return None


def publishing_limit() -> Response:
    return ig_error(
        9,
        2207042,
        "Application request limit reached",
        title="Cannot publish post",
        user_message="You reached maximum number of posts that is allowed to be published by "
        "Content Publishing API.",
    )


def not_ready() -> Response:
    return ig_error(
        9007,
        2207027,
        "Media ID is not available",
        title="Media not ready for publishing",
        user_message="The media is not ready for publishing, please wait for a moment",
    )


def invalid_metric(name: str) -> Response:
    allowed = ", ".join(METRICS)
    return ig_error(
        100, None, f"(#100) metric[0] must be one of the following values: {allowed} ({name})"
    )
