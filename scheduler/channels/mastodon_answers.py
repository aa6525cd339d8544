"""Reading a Mastodon instance's answers: refusals into our exceptions (in our words, with the
instance's `{"error": ...}` message and never the token), statuses' HTML as text, counts as
metric readings, and the Idempotency-Key of each post part."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import requests

from campaign.errors import (
    AuthRejected,
    OutcomeUnknown,
    Permanent,
    PolicyBlocked,
    PublishError,
    RateLimited,
    Transient,
)
from scheduler.channels.base import MetricReading, OutgoingPost
from scheduler.channels.http import normalise_text, redact

PLATFORM = "mastodon"
NO_VIEWS = "Mastodon does not count views"
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>", re.I)
_PARAGRAPH = re.compile(r"</p>\s*<p>", re.I)


def check_answer(response: requests.Response, secrets: Sequence[str]) -> None:
    """Response hook: a refusal becomes our exception, in our words with the instance's."""
    _ = response.content  # read it now, so the connection is released even when we raise
    status = response.status_code
    content_type = response.headers.get("Content-Type", "")
    request = response.request
    path = (request.path_url or "").split("?", 1)[0].rstrip("/")
    creates = request.method == "POST" and path.endswith("/api/v1/statuses")
    if 200 <= status < 300:
        if "json" in content_type:
            return
        message = f"the instance answered HTTP {status} without JSON"
        raise (OutcomeUnknown if creates else Transient)(message, platform=PLATFORM)
    said = ""
    if "json" in content_type:
        try:
            said = str(response.json().get("error") or "")
        except (ValueError, AttributeError):
            said = ""
    said = redact(said, secrets)
    message = f"HTTP {status} {response.reason}" + (f": {said}" if said else "")
    options: dict[str, Any] = {"platform": PLATFORM, "code": status}
    if status == 429:
        raise RateLimited(message, reset_at=reset_time(response.headers), **options)
    if status == 401:
        raise AuthRejected(message, **options)
    if status == 403:
        if "scope" in said.lower() or "login" in said.lower():
            raise AuthRejected(message, **options)
        raise PolicyBlocked(message, **options)
    if status >= 500 or status == 408:
        raise Transient(message, **options)
    raise Permanent(message, **options)


def original_error(exc: BaseException) -> BaseException | None:
    """Our exception or the `requests` failure under Mastodon.py's wrappers, if any."""
    seen: BaseException | None = exc
    for _ in range(5):
        seen = seen.__cause__ or seen.__context__ if seen is not None else None
        if isinstance(seen, PublishError | requests.RequestException):
            return seen
    return None


def idempotency_key(post: OutgoingPost, index: int) -> str:
    """The same for a part of a post as long as its text and images are the same."""
    images = ",".join(m.sha256 or m.file or m.path.name for m in post.media) if index == 0 else ""
    digest = hashlib.sha256(f"{post.key}\0{index}\0{post.parts[index]}\0{images}".encode())
    return f"campaign-{digest.hexdigest()[:40]}"


def status_text(status: Mapping[str, Any]) -> str:
    """A status's HTML `content` as comparable text (see `normalise_text`)."""
    content = str(status.get("content") or "")
    content = _PARAGRAPH.sub("\n\n", _BREAK.sub("\n", content))
    return normalise_text(html.unescape(_TAG.sub("", content)))


def reading(status: Mapping[str, Any]) -> MetricReading:
    values = {
        name: int(status[name])
        for name in ("favourites_count", "reblogs_count", "replies_count", "quotes_count")
        if isinstance(status.get(name), int)
    }
    return MetricReading(str(status["id"]), values, {"views": NO_VIEWS}, "v1")


def reset_time(headers: Mapping[str, str]) -> datetime | None:
    """`X-RateLimit-Reset` is an ISO 8601 time."""
    value = headers.get("X-RateLimit-Reset", "")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
