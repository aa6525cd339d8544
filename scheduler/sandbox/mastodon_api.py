"""A double of the Mastodon REST API subset the Mastodon channel uses, with its real rules.

Bearer tokens; `{"error": "..."}` bodies; 422 "Validation failed: ..." for a status over the
instance's limit (counted as Mastodon counts: links 23, mentions by user name, graphemes), for
more than 4 attachments or a description over 1,500 characters; media processed
asynchronously (202, then 206 while processing; attaching it earlier is refused);
`Idempotency-Key` honoured for an hour per account; `X-RateLimit-*` headers (300 requests in
5 minutes, 30 media uploads in 30 minutes, 300 statuses in 3 hours); ids that grow with time,
as Mastodon's do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from campaign.clock import Clock
from campaign.config import Account
from campaign.platforms.mastodon_length import status_length
from scheduler.sandbox.faults import FaultInjector
from scheduler.sandbox.mastodon_model import (
    DESCRIPTION_LIMIT,
    IMAGE_SIZE_LIMIT,
    IMAGE_TYPES,
    MAX_CHARACTERS,
    MAX_MEDIA,
    URL_RESERVED,
    MastoAccount,
    MediaRecord,
    StatusRecord,
    error,
    iso,
    media_json,
    posting_language,
)
from scheduler.sandbox.mastodon_reads import MastodonReads
from scheduler.sandbox.wsgi import RequestRecord, json_response, lands_after

WINDOWS = {
    "all": (300, timedelta(minutes=5)),
    "media": (30, timedelta(minutes=30)),
    "statuses": (300, timedelta(hours=3)),
}
IDEMPOTENCY_TTL = timedelta(hours=1)
Endpoint = Callable[..., Response]

URLS = Map(
    [
        Rule("/api/v1/instance", methods=["GET"], endpoint="instance_v1"),
        Rule("/api/v2/instance", methods=["GET"], endpoint="instance"),
        Rule("/api/v1/accounts/verify_credentials", methods=["GET"], endpoint="me"),
        Rule("/api/v1/accounts/<account_id>/statuses", methods=["GET"], endpoint="timeline"),
        Rule("/api/v2/media", methods=["POST"], endpoint="upload"),
        Rule("/api/v1/media/<media_id>", methods=["GET"], endpoint="media"),
        Rule("/api/v1/statuses", methods=["POST"], endpoint="create"),
        Rule("/api/v1/statuses", methods=["GET"], endpoint="lookup"),
        Rule("/api/v1/statuses/<status_id>", methods=["GET"], endpoint="status"),
        Rule("/api/v1/statuses/<status_id>/source", methods=["GET"], endpoint="source"),
    ],
    merge_slashes=False,
)


class MastodonApi(MastodonReads):
    """The Mastodon double: `statuses`, `media` and `requests` are there for tests to read."""

    platform = "mastodon"

    def __init__(self, clock: Clock, faults: FaultInjector) -> None:
        self.clock = clock
        self._faults = faults
        self._lock = threading.RLock()
        self.accounts: dict[str, MastoAccount] = {}  # token -> account
        self.statuses: list[StatusRecord] = []
        self.media: dict[str, MediaRecord] = {}
        self.requests: list[RequestRecord] = []
        self.max_characters = MAX_CHARACTERS
        self.url_reserved = URL_RESERVED
        self.processing_polls = 1  # each upload answers 206 to this many GETs before ready
        self.batch_lookup = True  # `GET /api/v1/statuses?id[]=` (Mastodon 4.3+)
        self._idempotency: dict[tuple[str, str], tuple[str, datetime]] = {}
        self._windows: dict[tuple[str, str], tuple[datetime, int]] = {}
        self._sequence = 0
        self._endpoints: dict[str, Endpoint] = {
            "instance_v1": self._instance_v1,
            "instance": self._instance,
            "me": self._me,
            "timeline": self._timeline,
            "upload": self._upload,
            "media": self._media,
            "create": self._create,
            "lookup": self._lookup,
            "status": self._status,
            "source": self._source,
        }

    # -- PlatformDouble --------------------------------------------------------------------

    def register(self, account: Account, secrets: Mapping[str, str]) -> None:
        username = (account.handle or account.name).lstrip("@").split("@")[0]
        with self._lock:
            for token, known in list(self.accounts.items()):
                if known.username == username:
                    del self.accounts[token]
                    known.token = secrets["access_token"]
                    self.accounts[known.token] = known
                    return
            account_id = str(109_000_000_000_000_000 + 1_000 * len(self.accounts) + 1)
            self.accounts[secrets["access_token"]] = MastoAccount(
                account_id, username, account.name, secrets["access_token"]
            )

    def published_texts(self) -> list[str]:
        with self._lock:
            return [s.text for s in self.statuses]

    def revoke(self, account: Account, revoked: bool = True) -> None:
        self._account_of(account).revoked = revoked

    def expire(self, account: Account, at: datetime | None) -> None:
        raise ValueError(f"{account.name}: Mastodon access tokens do not expire; revoke it instead")

    def _account_of(self, account: Account) -> MastoAccount:
        username = (account.handle or account.name).lstrip("@").split("@")[0]
        for known in self.accounts.values():
            if known.username == username:
                return known
        raise ValueError(f"{account.name}: not registered: call credentials() first")

    # -- wsgi.Api ----------------------------------------------------------------------------

    def creates(self, request: Request) -> bool:
        return request.method == "POST" and request.path.rstrip("/") == "/api/v1/statuses"

    def throttled(self, request: Request) -> Response:
        reset = self.clock.now() + timedelta(seconds=self._faults.settings.throttle_reset_seconds)
        headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0"}
        return error(429, "Too many requests", {**headers, "X-RateLimit-Reset": iso(reset)})

    def server_error(self, request: Request) -> Response:
        if len(self.requests) % 2:  # the proxy in front of Mastodon answers with a page
            page = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
            return Response(page, "502 Bad Gateway", [("Content-Type", "text/html")])
        return error(503, "Service Unavailable")

    def handle(self, request: Request) -> Response:
        try:
            # Rails routes ignore a trailing slash (Mastodon.py asks for `/api/v2/instance/`).
            path = request.path.rstrip("/") or "/"
            endpoint, values = URLS.bind("localhost").match(path, request.method)
        except HTTPException:
            return error(404, "Record not found")
        if endpoint in ("instance", "instance_v1"):
            return self._endpoints[endpoint](request)
        with self._lock:
            auth = request.headers.get("Authorization", "")
            account = self.accounts.get(auth.removeprefix("Bearer ").strip())
            if not auth.startswith("Bearer ") or account is None or account.revoked:
                return error(401, "The access token is invalid")
            limited = self._count(account, "media" if endpoint == "upload" else "all")
            if isinstance(limited, Response):
                return limited
            if endpoint == "create":  # posting has a window of its own as well
                posting = self._count(account, "statuses")
                if isinstance(posting, Response):
                    return posting
            response = self._endpoints[endpoint](request, account, **values)
            response.headers.update(limited)
            return response

    def _count(self, account: MastoAccount, bucket: str) -> dict[str, str] | Response:
        limit, span = WINDOWS[bucket]
        now = self.clock.now()
        start, used = self._windows.get((account.account_id, bucket), (now, 0))
        if now >= start + span:
            start, used = now, 0
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(limit - used - 1, 0)),
            "X-RateLimit-Reset": iso(start + span),
        }
        if used >= limit:
            return error(429, "Too many requests", {**headers, "X-RateLimit-Remaining": "0"})
        self._windows[(account.account_id, bucket)] = (start, used + 1)
        return headers

    # -- instance and account ------------------------------------------------------------------

    def _upload(self, request: Request, account: MastoAccount) -> Response:
        upload = request.files.get("file")
        if upload is None:
            return error(422, "Validation failed: File can't be blank")
        data = upload.read()
        mime = (upload.mimetype or "").lower()
        description = request.form.get("description") or ""
        if mime not in IMAGE_TYPES:
            return error(422, f"Validation failed: File content type is invalid ({mime})")
        if len(data) > IMAGE_SIZE_LIMIT:
            return error(422, "Validation failed: File file size must be less than 16 MB")
        if len(description) > DESCRIPTION_LIMIT:
            return error(
                422,
                "Validation failed: Description is too long (maximum is "
                f"{DESCRIPTION_LIMIT:,} characters)",
            )
        media = MediaRecord(
            self._next_id(),
            account.account_id,
            mime,
            len(data),
            description,
            self.processing_polls,
        )
        self.media[media.media_id] = media
        return json_response(202 if not media.ready else 200, media_json(media))

    def _media(self, request: Request, account: MastoAccount, media_id: str) -> Response:
        media = self.media.get(media_id)
        if media is None or media.account_id != account.account_id:
            return error(404, "Record not found")
        if not media.ready:
            answer = json_response(206, media_json(media))
            media.polls_left -= 1
            return answer
        return json_response(200, media_json(media))

    # -- statuses ------------------------------------------------------------------------------

    def _create(self, request: Request, account: MastoAccount) -> Response:
        form = request.get_json(silent=True) if request.is_json else None
        values: dict[str, Any] = form if isinstance(form, dict) else {}
        if not values:
            values = {k: v for k, v in request.form.items()}
            values["media_ids"] = request.form.getlist("media_ids[]")
        text = str(values.get("status") or "")
        media_ids = [str(m) for m in values.get("media_ids") or []]
        now = self.clock.now()
        key = request.headers.get("Idempotency-Key")
        if key:
            known = self._idempotency.get((account.account_id, key))
            if known is not None and now - known[1] < IDEMPOTENCY_TTL:
                status = self._find(known[0])
                assert status is not None
                return json_response(200, self._status_json(status))
        problem = self._invalid(account, text, media_ids)
        if problem is not None:
            return problem
        reply_to = str(values.get("in_reply_to_id") or "") or None
        if reply_to is not None:
            parent = self._find(reply_to)
            if parent is None or not parent.visible(now):
                return error(404, "The post you are trying to reply to does not appear to exist.")
        status = StatusRecord(
            self._next_id(),
            account.account_id,
            text,
            reply_to,
            media_ids,
            now + timedelta(seconds=lands_after(request)),
            language=posting_language(values.get("language")),
            visibility=str(values.get("visibility") or "public"),
            idempotency_key=key,
        )
        for media_id in media_ids:
            self.media[media_id].status_id = status.status_id
        self.statuses.append(status)
        if key:
            self._idempotency[(account.account_id, key)] = (status.status_id, now)
        return json_response(200, self._status_json(status))

    def _invalid(self, account: MastoAccount, text: str, media_ids: list[str]) -> Response | None:
        if not text.strip() and not media_ids:
            return error(422, "Validation failed: Text can't be blank")
        if status_length(text, self.url_reserved) > self.max_characters:
            return error(
                422,
                f"Validation failed: Text character limit of {self.max_characters} exceeded",
            )
        if len(media_ids) > MAX_MEDIA:
            return error(422, "Validation failed: Media attachments are limited to 4")
        for media_id in media_ids:
            media = self.media.get(media_id)
            if media is None or media.account_id != account.account_id or media.status_id:
                return error(422, "Validation failed: Media attachments are invalid")
            if not media.ready:
                return error(
                    422,
                    "Cannot attach files that have not finished processing. Try again in a moment!",
                )
        return None

    def _next_id(self) -> str:
        """Snowflake-like: milliseconds since the epoch, shifted, plus a sequence."""
        self._sequence = (self._sequence + 1) % 65_536
        millis = int(self.clock.now().timestamp() * 1000)
        return str((millis << 16) + self._sequence)
