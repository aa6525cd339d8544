"""A double of the X API v2 subset the X channel uses, with X's shapes, errors and limits.

Authentication is OAuth 1.0a user context: the double reads `oauth_consumer_key` and
`oauth_token` from the `Authorization: OAuth ...` header and checks them against the accounts
it knows. It does NOT verify the signature (the secrets never reach it), so it cannot catch a
wrong consumer or token secret; the real API would answer 401.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta

from campaign.clock import Clock
from campaign.x_length import measure
from scheduler.sandbox.faults import FaultInjector
from scheduler.sandbox.server import Request, RequestRecord, Response, json_response
from scheduler.sandbox.x_model import (
    DUPLICATE,
    PROBLEMS,
    MediaRecord,
    TweetRecord,
    Window,
    XUser,
    image_info,
    invalid_request,
    oauth_params,
    problem,
)
from scheduler.sandbox.x_reads import XReads

TWITTER_EPOCH_MS = 1288834974657
FIFTEEN_MINUTES = timedelta(minutes=15)
DAY = timedelta(hours=24)
MAX_MEDIA_BYTES = 5 * 1024 * 1024
TIMELINE = "GET /2/users/:id/tweets"
Handler = Callable[[Request, XUser, str], Response]


class XApi(XReads):
    """The X double: `tweets`, `media` and `requests` are there for tests to inspect."""

    def __init__(self, clock: Clock, faults: FaultInjector) -> None:
        self.clock = clock
        self._faults = faults
        self._lock = threading.RLock()
        self.users: dict[str, XUser] = {}
        self.tweets: list[TweetRecord] = []
        self.media: dict[str, MediaRecord] = {}
        self.requests: list[RequestRecord] = []
        self._windows: dict[tuple[str, str], Window] = {}
        self._last_id = 0
        self._routes: list[tuple[str, re.Pattern[str], str, Handler]] = [
            ("POST", re.compile(r"/2/tweets"), "POST /2/tweets", self._create),
            ("DELETE", re.compile(r"/2/tweets/(\d+)"), "DELETE /2/tweets/:id", self._delete),
            ("GET", re.compile(r"/2/tweets"), "GET /2/tweets", self._lookup),
            ("GET", re.compile(r"/2/users/me"), "GET /2/users/me", self._me),
            ("GET", re.compile(r"/2/users/(\d+)/tweets"), TIMELINE, self._timeline),
            ("POST", re.compile(r"/2/media/upload"), "POST /2/media/upload", self._upload),
            ("POST", re.compile(r"/2/media/metadata"), "POST /2/media/metadata", self._metadata),
        ]  # fmt: skip

    # -- set-up and inspection -------------------------------------------------------------

    def add_user(self, username: str, consumer_key: str, access_token: str) -> XUser:
        with self._lock:
            for user in self.users.values():
                if user.username == username:
                    user.consumer_key, user.access_token = consumer_key, access_token
                    return user
            user_id = str(1_000_000_000 + len(self.users) * 7_919 + sum(map(ord, username)))
            user = XUser(user_id, username, username, consumer_key, access_token)
            self.users[user_id] = user
            return user

    def user(self, username: str) -> XUser:
        return next(u for u in self.users.values() if u.username == username.lstrip("@"))

    def add_tweet(
        self,
        username: str,
        text: str,
        *,
        created_at: datetime | None = None,
        in_reply_to: str | None = None,
    ) -> TweetRecord:
        """Store a tweet directly (test set-up without HTTP)."""
        with self._lock:
            record = TweetRecord(
                id=self._new_id(),
                text=text,
                author_id=self.user(username).id,
                in_reply_to=in_reply_to,
                media_ids=(),
                media_alt=(),
                created_at=created_at or self.clock.now(),
            )
            self.tweets.append(record)
            return record

    def tweet(self, tweet_id: str) -> TweetRecord | None:
        return next((t for t in self.tweets if t.id == tweet_id), None)

    def delete(self, tweet_id: str) -> None:
        record = self.tweet(tweet_id)
        if record is not None:
            record.deleted = True

    def _new_id(self) -> str:
        """A snowflake id from the sandbox clock, strictly increasing."""
        millis = int(self.clock.now().timestamp() * 1000) - TWITTER_EPOCH_MS
        self._last_id = max(max(millis, 0) << 22, self._last_id + 1)
        return str(self._last_id)

    # -- the Api protocol ------------------------------------------------------------------

    def creates(self, request: Request) -> bool:
        return request.method == "POST" and request.path == "/2/tweets"

    def server_error(self, request: Request) -> Response:
        return problem(503, "Service Unavailable", "Service Unavailable")

    def throttled(self, request: Request) -> Response:
        route = self._match(request)
        key = route[1] if route else request.path
        settings = self._faults.settings
        reset = math.ceil(self.clock.now().timestamp()) + settings.throttle_reset_seconds
        headers = {
            "x-rate-limit-limit": str(self._limit(key)),
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(reset),
        }
        return problem(429, "Too Many Requests", "Too Many Requests", headers=headers)

    def handle(self, request: Request) -> Response:
        route = self._match(request)
        if route is None:
            return json_response(
                404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}
            )
        handler, key, arg = route
        with self._lock:
            user = self._authenticate(request)
            if user is None:
                return problem(401, "Unauthorized", "Unauthorized")
            windows = self._windows_for(user, key)
            headers = self._rate_headers(key, windows)
            if any(w.remaining == 0 for w in windows):
                return problem(429, "Too Many Requests", "Too Many Requests", headers=headers)
            for window in windows:
                window.used += 1
            headers = self._rate_headers(key, windows)
            response = handler(request, user, arg)
        response.headers.update(headers)
        return response

    def _match(self, request: Request) -> tuple[Handler, str, str] | None:
        for method, pattern, key, handler in self._routes:
            found = pattern.fullmatch(request.path)
            if found and method == request.method:
                return handler, key, found.group(1) if pattern.groups else ""
        return None

    def _authenticate(self, request: Request) -> XUser | None:
        if self._faults.settings.expired_token:
            return None
        params = oauth_params(request.headers.get("authorization", ""))
        for user in self.users.values():
            if (user.consumer_key, user.access_token) == (
                params.get("oauth_consumer_key"),
                params.get("oauth_token"),
            ):
                return user
        return None

    # -- rate limits -----------------------------------------------------------------------

    def _limit(self, key: str) -> int:
        settings = self._faults.settings
        return {
            "POST /2/tweets": settings.x_posts_per_15min,
            "DELETE /2/tweets/:id": 50,
            "GET /2/users/me": 75,
            "POST /2/media/upload": 500,
            "POST /2/media/metadata": 500,
        }.get(key, settings.x_reads_per_15min)

    def _windows_for(self, user: XUser, key: str) -> list[Window]:
        now = self.clock.now()
        wanted = [(key, self._limit(key), FIFTEEN_MINUTES)]
        if key == "POST /2/tweets":
            wanted.append(("24h", self._faults.settings.x_posts_per_24h, DAY))
        windows = []
        for name, limit, span in wanted:
            window = self._windows.setdefault((user.id, name), Window(limit, span, now))
            window.roll(now, limit)
            windows.append(window)
        return windows

    def _rate_headers(self, key: str, windows: list[Window]) -> dict[str, str]:
        headers = {}
        for window, prefix in zip(windows, ("x-rate-limit", "x-user-limit-24hour"), strict=False):
            headers[f"{prefix}-limit"] = str(window.limit)
            headers[f"{prefix}-remaining"] = str(window.remaining)
            headers[f"{prefix}-reset"] = str(math.ceil(window.reset_at.timestamp()))
        return headers

    # -- endpoints -------------------------------------------------------------------------

    def _create(self, request: Request, user: XUser, _: str) -> Response:
        try:
            body = request.json()
            text = body.get("text") or ""
            media_ids = [str(m) for m in (body.get("media") or {}).get("media_ids", [])]
            reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        except (ValueError, AttributeError):
            return invalid_request("Request body is not a valid JSON object", {"body": []})
        if not text and not media_ids:
            return invalid_request("Tweet needs text or media", {"text": [text]})
        if text and not measure(unicodedata.normalize("NFC", text)).valid:
            return invalid_request("Tweet text is too long", {"text": [text]})
        if any(p.lower() in text.lower() for p in self._faults.settings.blocked_phrases):
            return problem(
                403,
                "Forbidden",
                "You are not permitted to perform this action.",
                type_=PROBLEMS + "disallowed-resource",
            )
        media = [self.media.get(m) for m in media_ids]
        if len(media) > 4 or any(m is None or m.owner_id != user.id for m in media):
            return invalid_request("Your media IDs are invalid.", {"media.media_ids": media_ids})
        parent = self.tweet(str(reply_to)) if reply_to else None
        if reply_to and (parent is None or parent.deleted):
            return problem(
                403,
                "Forbidden",
                "You attempted to reply to a Tweet that is deleted or not visible to you.",
            )
        normal = unicodedata.normalize("NFC", text).strip()
        now = self.clock.now()
        for earlier in self.tweets:
            if earlier.author_id == user.id and earlier.visible(now) and text:
                if unicodedata.normalize("NFC", earlier.text).strip() == normal:
                    return problem(403, "Forbidden", DUPLICATE)
        record = TweetRecord(
            id=self._new_id(),
            text=text,
            author_id=user.id,
            in_reply_to=str(reply_to) if reply_to else None,
            media_ids=tuple(media_ids),
            media_alt=tuple(m.alt_text for m in media if m is not None),
            created_at=now + timedelta(seconds=request.lands_after),
        )
        self.tweets.append(record)
        data = {"id": record.id, "text": record.display_text, "edit_history_tweet_ids": [record.id]}
        return json_response(201, {"data": data})

    def _delete(self, request: Request, user: XUser, tweet_id: str) -> Response:
        record = self.tweet(tweet_id)
        if record is None or record.author_id != user.id:
            return problem(403, "Forbidden", "You are not allowed to delete this Tweet.")
        record.deleted = True
        return json_response(200, {"data": {"deleted": True}})

    def _me(self, request: Request, user: XUser, _: str) -> Response:
        return json_response(
            200, {"data": {"id": user.id, "name": user.name, "username": user.username}}
        )

    def _upload(self, request: Request, user: XUser, _: str) -> Response:
        try:
            form = request.form()
        except ValueError:
            return invalid_request("Expected a multipart/form-data body", {"media": []})
        if "media" not in form:
            return invalid_request("The `media` field is required", {"media": []})
        part = form["media"]
        if len(part.data) > MAX_MEDIA_BYTES:
            return invalid_request("Image file size must be <= 5242880 bytes", {"media": []})
        declared = form["media_type"].text if "media_type" in form else part.content_type
        mime, image = image_info(part.data, declared)
        media_id = self._new_id()
        category = form["media_category"].text if "media_category" in form else "tweet_image"
        self.media[media_id] = MediaRecord(
            media_id, f"3_{media_id}", user.id, len(part.data), mime, category, self.clock.now()
        )
        data = {
            "id": media_id,
            "media_key": f"3_{media_id}",
            "size": len(part.data),
            "expires_after_secs": 86_400,
            "image": image,
        }
        return json_response(200, {"data": data})

    def _metadata(self, request: Request, user: XUser, _: str) -> Response:
        try:
            body = request.json()
            media_id = str(body["id"])
            alt = str(body["metadata"]["alt_text"]["text"])
        except (ValueError, KeyError, TypeError):
            return invalid_request("Expected id and metadata.alt_text.text", {"body": []})
        record = self.media.get(media_id)
        if record is None or record.owner_id != user.id:
            return invalid_request(f"Media id {media_id} not found", {"id": [media_id]})
        if len(alt) > 1_000:
            return invalid_request("Alt text must be at most 1000 characters", {"alt_text": []})
        record.alt_text = alt
        data = {"id": media_id, "associated_metadata": {"alt_text": {"text": alt}}}
        return json_response(200, {"data": data})
