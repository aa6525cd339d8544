"""What the X double stores and how X shows it: users, tweets, media, problem+json answers."""

from __future__ import annotations

import hashlib
import html
import re
import struct
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote

from werkzeug.wrappers import Response

from campaign.x_urls import find_urls
from scheduler.sandbox.wsgi import json_response

PROBLEM_JSON = "application/problem+json"
PROBLEMS = "https://api.twitter.com/2/problems/"
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_OAUTH_PARAM = re.compile(r'(\w+)="([^"]*)"')


@dataclass
class XUser:
    id: str
    username: str
    name: str
    consumer_key: str
    access_token: str
    revoked: bool = False  # the user revoked the app's access: X answers 401


@dataclass
class MediaRecord:
    id: str
    media_key: str
    owner_id: str
    size: int
    mime_type: str
    category: str
    created_at: datetime
    alt_text: str | None = None


@dataclass
class TweetRecord:
    """A tweet as posted: `text` is what the client sent, `display_text` what X shows."""

    id: str
    text: str
    author_id: str
    in_reply_to: str | None
    media_ids: tuple[str, ...]
    media_alt: tuple[str | None, ...]
    created_at: datetime  # in the future while a late create has not landed yet
    deleted: bool = False

    def visible(self, now: datetime) -> bool:
        """On the account now: landed and not deleted."""
        return not self.deleted and self.created_at <= now

    @property
    def display_text(self) -> str:
        """X's rendering: URLs as t.co links, &<> escaped, a media link appended."""
        text = unicodedata.normalize("NFC", self.text)
        out: list[str] = []
        pos = 0
        for span in find_urls(text):
            out += [html.escape(text[pos : span.start], quote=False), tco(span.url)]
            pos = span.end
        out.append(html.escape(text[pos:], quote=False))
        if self.media_ids:
            out.append(" " + tco(f"media:{self.id}"))
        return "".join(out)


def tco(url: str) -> str:
    """A stable t.co-style short link for a URL."""
    number = int.from_bytes(hashlib.sha256(url.encode()).digest()[:8], "big")
    slug = ""
    for _ in range(10):
        number, digit = divmod(number, 62)
        slug += _BASE62[digit]
    return f"https://t.co/{slug}"


def x_time(moment: datetime) -> str:
    """X's timestamp format: ISO 8601 UTC with milliseconds."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_x_time(value: str) -> datetime:
    """Parse the RFC 3339 times X accepts (`2020-04-13T09:00:00Z`, with optional fraction)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def oauth_params(header: str) -> dict[str, str]:
    """The parameters of an `Authorization: OAuth ...` header (values percent-decoded)."""
    if not header.startswith("OAuth "):
        return {}
    return {key: unquote(value) for key, value in _OAUTH_PARAM.findall(header)}


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    type_: str = "about:blank",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    payload = {"title": title, "detail": detail, "type": type_, "status": status, **extra}
    return json_response(status, payload, content_type=PROBLEM_JSON, headers=headers)


def invalid_request(message: str, parameters: dict[str, list[str]]) -> Response:
    return json_response(
        400,
        {
            "errors": [{"parameters": parameters, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": PROBLEMS + "invalid-request",
        },
        content_type=PROBLEM_JSON,
    )


def not_found_error(value: str, resource: str, parameter: str) -> dict[str, str]:
    """The `errors` entry X puts in a 200 answer for an id it cannot find."""
    return {
        "value": value,
        "detail": f"Could not find {resource} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource,
        "parameter": parameter,
        "resource_id": value,
        "type": PROBLEMS + "resource-not-found",
    }


def field_error(tweet_id: str, field: str, parameter: str) -> dict[str, str]:
    """X's answer to a metric field the token may not read (not the owner, or too old)."""
    return {
        "value": tweet_id,
        "detail": f"Sorry, you are not authorized to access '{field}' on the Tweet with "
        f"{parameter}: [{tweet_id}].",
        "title": "Field Authorization Error",
        "resource_type": "tweet",
        "parameter": parameter,
        "resource_id": tweet_id,
        "section": "data",
        "field": field,
        "type": PROBLEMS + "not-authorized-for-field",
    }


def image_info(data: bytes, declared: str | None) -> tuple[str, dict[str, Any]]:
    """The media type of an upload and, for PNG, its size (read from the IHDR chunk)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", {"image_type": "image/png", "w": width, "h": height}
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg", {"image_type": "image/jpeg"}
    if data.startswith(b"GIF8"):
        return "image/gif", {"image_type": "image/gif"}
    mime = declared or "application/octet-stream"
    return mime, {"image_type": mime}


@dataclass
class Window:
    """A fixed rate-limit window that starts with its first request."""

    limit: int
    span: timedelta
    started: datetime
    used: int = 0

    @property
    def reset_at(self) -> datetime:
        return self.started + self.span

    def roll(self, now: datetime, limit: int) -> None:
        self.limit = limit
        if now >= self.reset_at:
            self.started, self.used = now, 0

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)
