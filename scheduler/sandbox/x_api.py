"""A double of the X API v2 subset the X channel uses, with X's shapes, errors and limits.

Authentication is OAuth 1.0a user context: the double reads `oauth_consumer_key` and
`oauth_token` from the `Authorization: OAuth ...` header and checks them against the accounts
it knows. It does NOT verify the signature (the secrets never reach it), so it cannot catch a
wrong consumer or token secret; the real API would answer 401.
"""

from __future__ import annotations

import math
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, Map, Rule
from werkzeug.wrappers import Request, Response

from campaign.clock import Clock
from campaign.x_length import measure
from scheduler.sandbox.faults import FaultInjector
from scheduler.sandbox.wsgi import RequestRecord, json_response, lands_after
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
Endpoint = Callable[..., Response]


class _Digits(BaseConverter):
    regex = r"\d+"


# Endpoint names are also the keys of the rate-limit windows.
URLS = Map(
    [
        Rule("/2/tweets", methods=["POST"], endpoint="create"),
        Rule("/2/tweets", methods=["GET"], endpoint="lookup"),
        Rule("/2/tweets/<digits:tweet_id>", methods=["DELETE"], endpoint="delete"),
        Rule("/2/users/me", methods=["GET"], endpoint="me"),
        Rule("/2/users/<digits:user_id>/tweets", methods=["GET"], endpoint="timeline"),
        Rule("/2/media/upload", methods=["POST"], endpoint="upload"),
        Rule("/2/media/metadata", methods=["POST"], endpoint="metadata"),
    ],
    converters={"digits": _Digits},
    merge_slashes=False,  # exact paths only: `/2/users/me/` is not `/2/users/me`
)
FIXED_LIMITS = {"delete": 50, "me": 75, "upload": 500, "metadata": 500}


def no_such_page() -> Response:
    """X's answer to a path, or a method on a path, that it does not serve."""
    return json_response(
        404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}
    )


@dataclass(frozen=True)
class NewTweet:
    """The parts of a `POST /2/tweets` body the double reads."""

    text: str
    media_ids: list[str]
    reply_to: str | None

    @classmethod
    def parse(cls, body: Any) -> NewTweet | Response:
        try:
            media = body.get("media") or {}
            reply = body.get("reply") or {}
            reply_to = reply.get("in_reply_to_tweet_id")
            return cls(
                body.get("text") or "",
                [str(m) for m in media.get("media_ids", [])],
                str(reply_to) if reply_to else None,
            )
        except (AttributeError, TypeError):
            return invalid_request("Request body is not a valid JSON object", {"body": []})


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
        self._endpoints: dict[str, Endpoint] = {
            "create": self._create,
            "lookup": self._lookup,
            "delete": self._delete,
            "me": self._me,
            "timeline": self._timeline,
            "upload": self._upload,
            "metadata": self._metadata,
        }

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
        return self._route(request)[0] == "create"

    def server_error(self, request: Request) -> Response:
        return problem(503, "Service Unavailable", "Service Unavailable")

    def throttled(self, request: Request) -> Response:
        endpoint = self._route(request)[0] or "lookup"
        settings = self._faults.settings
        reset = math.ceil(self.clock.now().timestamp()) + settings.throttle_reset_seconds
        headers = {
            "x-rate-limit-limit": str(self._limit(endpoint)),
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(reset),
        }
        return problem(429, "Too Many Requests", "Too Many Requests", headers=headers)

    def handle(self, request: Request) -> Response:
        endpoint, args = self._route(request)
        if endpoint is None:
            return no_such_page()
        with self._lock:
            user = self._authenticate(request)
            if user is None:
                return problem(401, "Unauthorized", "Unauthorized")
            windows = self._windows_for(user, endpoint)
            headers = self._rate_headers(windows)
            if any(w.remaining == 0 for w in windows):
                return problem(429, "Too Many Requests", "Too Many Requests", headers=headers)
            for window in windows:
                window.used += 1
            headers = self._rate_headers(windows)
            response = self._endpoints[endpoint](request, user, **args)
        response.headers.update(headers)
        return response

    def _route(self, request: Request) -> tuple[str | None, dict[str, Any]]:
        """The endpoint and its arguments; (None, {}) for a path or method X does not serve."""
        try:
            endpoint, args = URLS.bind_to_environ(request.environ).match()
        except HTTPException:  # NotFound, MethodNotAllowed: X answers both with a 404
            return None, {}
        return str(endpoint), dict(args)

    def _authenticate(self, request: Request) -> XUser | None:
        if self._faults.settings.expired_token:
            return None
        params = oauth_params(request.headers.get("authorization", ""))
        for user in self.users.values():
            if (user.consumer_key, user.access_token) == (
                params.get("oauth_consumer_key"),
                params.get("oauth_token"),
            ):
                return None if user.revoked else user
        return None

    # -- rate limits -----------------------------------------------------------------------

    def _limit(self, endpoint: str) -> int:
        settings = self._faults.settings
        if endpoint == "create":
            return settings.x_posts_per_15min
        return FIXED_LIMITS.get(endpoint, settings.x_reads_per_15min)

    def _windows_for(self, user: XUser, endpoint: str) -> list[Window]:
        now = self.clock.now()
        wanted = [(endpoint, self._limit(endpoint), FIFTEEN_MINUTES)]
        if endpoint == "create":
            wanted.append(("24h", self._faults.settings.x_posts_per_24h, DAY))
        windows = []
        for name, limit, span in wanted:
            window = self._windows.setdefault((user.id, name), Window(limit, span, now))
            window.roll(now, limit)
            windows.append(window)
        return windows

    def _rate_headers(self, windows: list[Window]) -> dict[str, str]:
        headers = {}
        for window, prefix in zip(windows, ("x-rate-limit", "x-user-limit-24hour"), strict=False):
            headers[f"{prefix}-limit"] = str(window.limit)
            headers[f"{prefix}-remaining"] = str(window.remaining)
            headers[f"{prefix}-reset"] = str(math.ceil(window.reset_at.timestamp()))
        return headers

    # -- endpoints -------------------------------------------------------------------------

    def _create(self, request: Request, user: XUser) -> Response:
        tweet = NewTweet.parse(request.get_json(force=True, silent=True))
        if isinstance(tweet, Response):
            return tweet
        refused = self._refuse_text(tweet.text, tweet.media_ids)
        if refused is not None:
            return refused
        media = [self.media.get(m) for m in tweet.media_ids]
        if len(media) > 4 or any(m is None or m.owner_id != user.id for m in media):
            return invalid_request(
                "Your media IDs are invalid.", {"media.media_ids": tweet.media_ids}
            )
        parent = self.tweet(tweet.reply_to) if tweet.reply_to else None
        if tweet.reply_to and (parent is None or parent.deleted):
            return problem(
                403,
                "Forbidden",
                "You attempted to reply to a Tweet that is deleted or not visible to you.",
            )
        now = self.clock.now()
        if tweet.text and self._posted_before(user, tweet.text, now):
            return problem(403, "Forbidden", DUPLICATE)
        record = TweetRecord(
            id=self._new_id(),
            text=tweet.text,
            author_id=user.id,
            in_reply_to=tweet.reply_to,
            media_ids=tuple(tweet.media_ids),
            media_alt=tuple(m.alt_text for m in media if m is not None),
            created_at=now + timedelta(seconds=lands_after(request)),
        )
        self.tweets.append(record)
        data = {"id": record.id, "text": record.display_text, "edit_history_tweet_ids": [record.id]}
        return json_response(201, {"data": data})

    def _refuse_text(self, text: str, media_ids: list[str]) -> Response | None:
        """X's refusal of a tweet's text (none, too long, blocked by policy), if any."""
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
        return None

    def _posted_before(self, user: XUser, text: str, now: datetime) -> bool:
        """Whether the account shows a tweet with the same text (X refuses duplicates)."""
        normal = unicodedata.normalize("NFC", text).strip()
        return any(
            earlier.author_id == user.id
            and earlier.visible(now)
            and unicodedata.normalize("NFC", earlier.text).strip() == normal
            for earlier in self.tweets
        )

    def _delete(self, request: Request, user: XUser, tweet_id: str) -> Response:
        record = self.tweet(tweet_id)
        if record is None or record.author_id != user.id:
            return problem(403, "Forbidden", "You are not allowed to delete this Tweet.")
        record.deleted = True
        return json_response(200, {"data": {"deleted": True}})

    def _me(self, request: Request, user: XUser) -> Response:
        return json_response(
            200, {"data": {"id": user.id, "name": user.name, "username": user.username}}
        )

    def _upload(self, request: Request, user: XUser) -> Response:
        if request.mimetype != "multipart/form-data":
            return invalid_request("Expected a multipart/form-data body", {"media": []})
        part = request.files.get("media")
        if part is None:
            return invalid_request("The `media` field is required", {"media": []})
        data = part.read()
        if len(data) > MAX_MEDIA_BYTES:
            return invalid_request("Image file size must be <= 5242880 bytes", {"media": []})
        mime, image = image_info(data, request.form.get("media_type") or part.content_type)
        media_id = self._new_id()
        category = request.form.get("media_category", "tweet_image")
        self.media[media_id] = MediaRecord(
            media_id, f"3_{media_id}", user.id, len(data), mime, category, self.clock.now()
        )
        answer = {
            "id": media_id,
            "media_key": f"3_{media_id}",
            "size": len(data),
            "expires_after_secs": 86_400,
            "image": image,
        }
        return json_response(200, {"data": answer})

    def _metadata(self, request: Request, user: XUser) -> Response:
        try:
            body: Any = request.get_json(force=True, silent=True)  # None or any JSON value
            media_id = str(body["id"])
            alt = str(body["metadata"]["alt_text"]["text"])
        except (KeyError, TypeError):
            return invalid_request("Expected id and metadata.alt_text.text", {"body": []})
        record = self.media.get(media_id)
        if record is None or record.owner_id != user.id:
            return invalid_request(f"Media id {media_id} not found", {"id": [media_id]})
        if len(alt) > 1_000:
            return invalid_request("Alt text must be at most 1000 characters", {"alt_text": []})
        record.alt_text = alt
        data = {"id": media_id, "associated_metadata": {"alt_text": {"text": alt}}}
        return json_response(200, {"data": data})
