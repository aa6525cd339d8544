"""A double of the Bluesky PDS (XRPC) subset the Bluesky channel calls through `atproto`.

Sessions (`createSession`, `refreshSession`, `getSession`), blobs, `createRecord`,
`listRecords`, `getRecord`, `getProfile` and `getPosts`, with XRPC error bodies
(`{"error", "message"}`), the `ratelimit-*` headers, the lexicon's limits (300 graphemes,
4 images of at most 1,000,000 bytes, strong reply refs, facets over byte ranges) and the
per-account write points (5,000 an hour, 35,000 a day, a create costing 3).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from werkzeug.wrappers import Request, Response

from campaign.clock import Clock
from campaign.config import Account
from campaign.platforms.bluesky import CREATE_POINTS, POINTS_PER_DAY, POINTS_PER_HOUR
from scheduler.sandbox.bluesky_model import (
    ACCESS_LIFETIME,
    POST,
    REFRESH_LIFETIME,
    Blob,
    BskyAccount,
    PostRecord,
    check_record,
    cid_of,
    jwt,
    tid,
    xrpc_error,
)
from scheduler.sandbox.engagement import engagement
from scheduler.sandbox.faults import FaultInjector
from scheduler.sandbox.wsgi import RequestRecord, json_response, lands_after

PREFIX = "/xrpc/"
SESSION_LIMITS = ((timedelta(minutes=5), 30), (timedelta(days=1), 300))  # per handle
POINT_LIMITS = ((timedelta(hours=1), POINTS_PER_HOUR), (timedelta(days=1), POINTS_PER_DAY))
MAX_URIS = 25
# getPosts counts -> the engagement model's metric.
COUNTS = {"likeCount": "likes", "repostCount": "retweets", "replyCount": "replies"}
COUNTS["quoteCount"] = "quotes"
Handler = Callable[[Request, BskyAccount | None], Response]


class BlueskyApi:
    """The PDS double: `accounts`, `posts`, `blobs` and `requests` for tests to inspect."""

    platform = "bluesky"

    def __init__(self, clock: Clock, faults: FaultInjector) -> None:
        self.clock = clock
        self._faults = faults
        self._lock = threading.RLock()
        self.accounts: dict[str, BskyAccount] = {}  # did -> account
        self.posts: dict[str, PostRecord] = {}  # uri -> post, in creation order
        self.blobs: dict[str, Blob] = {}
        self.requests: list[RequestRecord] = []
        self.session_creates = 0
        self._windows: dict[tuple[str, timedelta], tuple[datetime, int]] = {}
        self._last_micros = 0
        self._routes: dict[tuple[str, str], tuple[Handler, bool]] = {
            ("POST", "com.atproto.server.createSession"): (self._create_session, False),
            ("POST", "com.atproto.server.refreshSession"): (self._refresh_session, False),
            ("GET", "com.atproto.server.getSession"): (self._get_session, True),
            ("GET", "app.bsky.actor.getProfile"): (self._get_profile, True),
            ("POST", "com.atproto.repo.uploadBlob"): (self._upload_blob, True),
            ("POST", "com.atproto.repo.createRecord"): (self._create_record, True),
            ("GET", "com.atproto.repo.listRecords"): (self._list_records, True),
            ("GET", "com.atproto.repo.getRecord"): (self._get_record, True),
            ("GET", "app.bsky.feed.getPosts"): (self._get_posts, True),
        }

    # -- PlatformDouble ----------------------------------------------------------------------

    def register(self, account: Account, secrets: Mapping[str, str]) -> None:
        handle = (account.handle or account.name).lstrip("@")
        did = "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]
        with self._lock:
            known = self.accounts.get(did)
            if known is not None:  # registered again (each channel built): sessions stay
                known.app_password = secrets["app_password"]
                return
            self.accounts[did] = BskyAccount(did, handle, account.name, secrets["app_password"])

    def published_texts(self) -> list[str]:
        with self._lock:
            return [post.text for post in self.posts.values()]

    def revoke(self, account: Account, revoked: bool = True) -> None:
        """The app password is revoked: its sessions and new logins are refused."""
        found = self.account(account)
        with self._lock:
            found.revoked = revoked
            if revoked:
                found.access.clear()
                found.refresh.clear()

    def expire(self, account: Account, at: datetime | None) -> None:
        raise ValueError(
            f"{account.name}: Bluesky app passwords do not expire (sessions are refreshed); "
            "revoke it instead"
        )

    def expire_sessions(self, account: Account) -> None:
        """Every access token of the account expires now (its refresh tokens still work)."""
        found = self.account(account)
        with self._lock:
            found.access = dict.fromkeys(found.access, self.clock.now())

    def account(self, account: Account) -> BskyAccount:
        handle = (account.handle or account.name).lstrip("@")
        with self._lock:
            for found in self.accounts.values():
                if found.handle == handle:
                    return found
        raise ValueError(f"{account.name}: not registered: call credentials() first")

    def posts_of(self, account: Account) -> list[PostRecord]:
        did = self.account(account).did
        with self._lock:
            return [post for post in self.posts.values() if post.did == did]

    # -- wsgi.Api ----------------------------------------------------------------------------

    def creates(self, request: Request) -> bool:
        return request.method == "POST" and request.path == PREFIX + "com.atproto.repo.createRecord"

    def throttled(self, request: Request) -> Response:
        reset = self.clock.now() + timedelta(seconds=self._faults.settings.throttle_reset_seconds)
        return xrpc_error(
            429,
            "RateLimitExceeded",
            "Rate Limit Exceeded",
            **_limit_headers(3000, 0, reset, "3000;w=300"),
        )

    def server_error(self, request: Request) -> Response:
        return xrpc_error(500, "InternalServerError", "Internal Server Error")

    def handle(self, request: Request) -> Response:
        route = self._routes.get((request.method, request.path.removeprefix(PREFIX)))
        if route is None or not request.path.startswith(PREFIX):
            return xrpc_error(501, "MethodNotImplemented", "Method Not Implemented")
        handler, needs_session = route
        with self._lock:
            account = None
            if needs_session:
                found = self._authorise(request, "access")
                if isinstance(found, Response):
                    return found
                account = found
            return handler(request, account)

    # -- sessions ----------------------------------------------------------------------------

    def _authorise(self, request: Request, kind: str) -> BskyAccount | Response:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        token = header.removeprefix("Bearer ")
        for account in self.accounts.values():
            tokens = account.access if kind == "access" else account.refresh
            if token in tokens:
                if tokens[token] <= self.clock.now():
                    return xrpc_error(400, "ExpiredToken", "Token has expired")
                return account
        return xrpc_error(400, "InvalidToken", "Token could not be verified")

    def _create_session(self, request: Request, _: BskyAccount | None) -> Response:
        body = _json(request)
        identifier = str(body.get("identifier", "")).lstrip("@")
        account = next((a for a in self.accounts.values() if identifier in (a.handle, a.did)), None)
        limited = self._spend(f"session:{identifier}", SESSION_LIMITS, 1, "createSession")
        if limited is not None:
            return limited
        self.session_creates += 1
        if account is None or account.revoked or body.get("password") != account.app_password:
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        return self._session(account)

    def _refresh_session(self, request: Request, _: BskyAccount | None) -> Response:
        found = self._authorise(request, "refresh")
        if isinstance(found, Response):
            return found
        found.refresh.pop(request.headers["Authorization"].removeprefix("Bearer "), None)
        return self._session(found)

    def _session(self, account: BskyAccount) -> Response:
        now = self.clock.now()
        claims = {"sub": account.did, "iat": int(now.timestamp()), "aud": "did:web:sandbox"}
        self._last_micros += 1
        access = jwt({**claims, "scope": "com.atproto.appPass", "n": self._last_micros})
        refresh = jwt({**claims, "scope": "com.atproto.refresh", "n": self._last_micros})
        account.access[access] = now + ACCESS_LIFETIME
        account.refresh[refresh] = now + REFRESH_LIFETIME
        return json_response(
            200,
            {
                "accessJwt": access,
                "refreshJwt": refresh,
                "handle": account.handle,
                "did": account.did,
                "active": True,
            },
        )

    def _get_session(self, request: Request, account: BskyAccount | None) -> Response:
        assert account is not None
        return json_response(200, {"handle": account.handle, "did": account.did, "active": True})

    def _get_profile(self, request: Request, account: BskyAccount | None) -> Response:
        actor = request.args.get("actor", "").lstrip("@")
        found = next((a for a in self.accounts.values() if actor in (a.handle, a.did)), None)
        if found is None:
            return xrpc_error(400, "InvalidRequest", "Profile not found")
        count = sum(1 for p in self.posts.values() if p.did == found.did and not p.deleted)
        return json_response(
            200,
            {
                "did": found.did,
                "handle": found.handle,
                "displayName": found.display_name,
                "postsCount": count,
                "followersCount": 0,
                "followsCount": 0,
            },
        )

    # -- writing -----------------------------------------------------------------------------

    def _upload_blob(self, request: Request, account: BskyAccount | None) -> Response:
        data = request.get_data()
        mime = request.mimetype or "application/octet-stream"
        blob = Blob(cid_of({"blob": hashlib.sha256(data).hexdigest()}), mime, len(data))
        self.blobs[blob.cid] = blob
        ref = {"$type": "blob", "ref": {"$link": blob.cid}, "mimeType": mime, "size": len(data)}
        return json_response(200, {"blob": ref})

    def _create_record(self, request: Request, account: BskyAccount | None) -> Response:
        assert account is not None
        body = _json(request)
        if body.get("repo") not in (account.did, account.handle):
            return xrpc_error(403, "InvalidRequest", "Invalid repo: not the session's account")
        if body.get("collection") != POST:
            return xrpc_error(400, "InvalidRequest", "Only app.bsky.feed.post in this sandbox")
        visible = {u: p for u, p in self.posts.items() if p.did == account.did}
        refused = check_record(body.get("record"), self.blobs, visible)
        if refused is not None:
            return refused
        limited = self._spend(account.did, POINT_LIMITS, CREATE_POINTS, "createRecord")
        if limited is not None:
            return limited
        now = self.clock.now()
        micros = max(int(now.timestamp() * 1_000_000), self._last_micros + 1)
        self._last_micros = micros
        record = body["record"]
        post = PostRecord(
            account.did,
            tid(micros),
            cid_of(record),
            record,
            created=now,
            visible_from=now + timedelta(seconds=lands_after(request)),
        )
        self.posts[post.uri] = post
        commit = {"cid": cid_of({"commit": post.uri}), "rev": post.rkey}
        hour = self._windows[(account.did, timedelta(hours=1))]
        headers = _limit_headers(
            POINTS_PER_HOUR,
            POINTS_PER_HOUR - hour[1],
            hour[0] + timedelta(hours=1),
            f"{POINTS_PER_HOUR};w=3600",
        )
        return json_response(
            200,
            {"uri": post.uri, "cid": post.cid, "commit": commit, "validationStatus": "valid"},
            headers=headers,
        )

    def _spend(
        self, key: str, limits: tuple[tuple[timedelta, int], ...], cost: int, what: str
    ) -> Response | None:
        """Count `cost` against each window; a full window answers 429 and spends nothing."""
        now = self.clock.now()
        current = {}
        for window, limit in limits:
            start, used = self._windows.get((key, window), (now, 0))
            if now >= start + window:
                start, used = now, 0
            if used + cost > limit:
                return xrpc_error(
                    429,
                    "RateLimitExceeded",
                    f"Rate Limit Exceeded ({what})",
                    **_limit_headers(
                        limit,
                        limit - used,
                        start + window,
                        f"{limit};w={int(window.total_seconds())}",
                    ),
                )
            current[window] = (start, used + cost)
        for window, value in current.items():
            self._windows[(key, window)] = value
        return None

    # -- reading -----------------------------------------------------------------------------

    def _visible(self, did: str) -> list[PostRecord]:
        now = self.clock.now()
        return [
            p
            for p in self.posts.values()
            if p.did == did and p.visible_from <= now and not p.deleted
        ]

    def _list_records(self, request: Request, account: BskyAccount | None) -> Response:
        did = self._repo(request.args.get("repo", ""))
        if did is None or request.args.get("collection") != POST:
            return xrpc_error(400, "InvalidRequest", "Could not find repo")
        limit = min(int(request.args.get("limit", "50")), 100)
        records = sorted(self._visible(did), key=lambda p: p.rkey, reverse=True)
        if request.args.get("reverse") == "true":
            records.reverse()
        cursor = request.args.get("cursor")
        if cursor:
            reverse = request.args.get("reverse") == "true"
            records = [p for p in records if (p.rkey > cursor if reverse else p.rkey < cursor)]
        page = records[:limit]
        payload: dict[str, Any] = {"records": [p.view() for p in page]}
        if len(records) > limit:
            payload["cursor"] = page[-1].rkey
        return json_response(200, payload)

    def _get_record(self, request: Request, account: BskyAccount | None) -> Response:
        did = self._repo(request.args.get("repo", ""))
        uri = f"at://{did}/{request.args.get('collection')}/{request.args.get('rkey')}"
        post = self.posts.get(uri)
        if post is None or post.deleted or post.visible_from > self.clock.now():
            return xrpc_error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return json_response(200, post.view())

    def _get_posts(self, request: Request, account: BskyAccount | None) -> Response:
        uris = request.args.getlist("uris")
        if len(uris) > MAX_URIS:
            return xrpc_error(
                400, "InvalidRequest", f"Array must not have more than {MAX_URIS} elements: uris"
            )
        now, seed = self.clock.now(), self._faults.settings.seed
        views = []
        for uri in uris:
            post = self.posts.get(uri)
            if post is None or post.deleted or post.visible_from > now:
                continue  # the AppView leaves out posts it does not have
            author = self.accounts[post.did]
            age = now - post.visible_from
            views.append(
                {
                    "uri": post.uri,
                    "cid": post.cid,
                    "author": {
                        "did": author.did,
                        "handle": author.handle,
                        "displayName": author.display_name,
                    },
                    "record": post.value,
                    "indexedAt": post.visible_from.isoformat().replace("+00:00", "Z"),
                    **{k: engagement(seed, post.uri, m, age) for k, m in COUNTS.items()},
                }
            )
        return json_response(200, {"posts": views})

    def _repo(self, repo: str) -> str | None:
        repo = repo.lstrip("@")
        return next((a.did for a in self.accounts.values() if repo in (a.did, a.handle)), None)


def _json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.get_data() or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _limit_headers(limit: int, remaining: int, reset: datetime, policy: str) -> dict[str, str]:
    return {
        "ratelimit-limit": str(limit),
        "ratelimit-remaining": str(max(remaining, 0)),
        "ratelimit-reset": str(int(reset.timestamp())),
        "ratelimit-policy": policy,
    }
