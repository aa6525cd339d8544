"""What the Threads double keeps: users, media containers, published posts, and Threads'
error answers (Graph's envelope: message, type, code, error_subcode, fbtrace_id)."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from werkzeug.wrappers import Response

from scheduler.sandbox.wsgi import json_response

_trace = itertools.count(1)
_ids = itertools.count(1)


def next_id() -> str:
    """A Threads-like numeric id (17 digits), unique in the process."""
    return str(17_841_400_000_000_000 + next(_ids))


def shortcode(media_id: str) -> str:
    return "C" + hashlib.sha1(media_id.encode()).hexdigest()[:10]


@dataclass
class ThreadsUser:
    user_id: str
    username: str
    name: str
    token: str
    revoked: bool = False
    expires_at: datetime | None = None


@dataclass
class Container:
    """A media container: not a post until published; expires after 24 hours."""

    id: str
    user_id: str
    media_type: str
    text: str
    created_at: datetime
    image_url: str | None = None
    alt_text: str | None = None
    reply_to_id: str | None = None
    is_carousel_item: bool = False
    children: tuple[str, ...] = ()
    status: str = "FINISHED"
    error_message: str | None = None
    published_id: str | None = None


@dataclass
class ThreadsPost:
    """A published post or reply; it shows in listings from `visible_at` (late creates)."""

    id: str
    user_id: str
    username: str
    text: str
    media_type: str
    created_at: datetime
    visible_at: datetime
    reply_to_id: str | None = None
    children: tuple[str, ...] = ()
    alt_texts: tuple[str, ...] = ()
    deleted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def permalink(self) -> str:
        return f"https://www.threads.net/@{self.username}/post/{shortcode(self.id)}"


def timestamp(moment: datetime) -> str:
    """Threads' ISO 8601 form: `2026-12-02T09:00:00+0000`."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def threads_error(
    status: int,
    message: str,
    code: int,
    *,
    subcode: int | None = None,
    type_: str = "OAuthException",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """Threads' error envelope with a fresh fbtrace_id."""
    error: dict[str, Any] = {"message": message, "type": type_, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra)
    error["fbtrace_id"] = "A" + hashlib.sha1(f"threads{next(_trace)}".encode()).hexdigest()[:20]
    return json_response(status, {"error": error}, headers=headers)


def bad_token() -> Response:
    return threads_error(400, "Invalid OAuth access token - Cannot parse access token", 190)


def no_token() -> Response:
    return threads_error(
        400,
        "An active access token must be used to query information about the current user.",
        2500,
    )


def revoked() -> Response:
    return threads_error(
        400,
        "Error validating access token: The session has been invalidated because the user "
        "changed their password or Facebook has changed the session for security reasons.",
        190,
        subcode=460,
    )


def expired(at: datetime) -> Response:
    return threads_error(
        400,
        f"Error validating access token: Session has expired on {at:%A, %d-%b-%y %H:%M:%S} UTC.",
        190,
        subcode=463,
    )


def not_found(object_id: str) -> Response:
    return threads_error(
        400,
        f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation.",
        100,
        subcode=33,
        type_="GraphMethodException",
    )


def invalid(message: str, *, subcode: int | None = None, **extra: Any) -> Response:
    return threads_error(400, message, 100, subcode=subcode, **extra)
