"""A double of the Threads API (graph.threads.net, v1.0) subset the Threads channel uses.

Containers (`POST /{user}/threads`: TEXT, IMAGE fetched over real HTTP from its `image_url`,
CAROUSEL of 2 to 20 items), their status, `threads_publish` within the 24-hour quotas (250
posts, 1,000 replies), the user's posts and replies, insights, `threads_publishing_limit` and
`/me`. It enforces Threads' rules (500 characters with emoji counted in UTF-8 bytes, 5 links,
JPEG or PNG up to 8 MB, alt text up to 1,000 characters) so a wrong client fails its tests.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

import requests
from werkzeug.wrappers import Request, Response

from campaign.checks.threads_rules import unique_links
from campaign.clock import Clock
from campaign.config import Account
from campaign.platforms.threads import MAX_ALT, MAX_CAROUSEL, MAX_LINKS, MAX_TEXT, length
from scheduler.sandbox import threads_model as model
from scheduler.sandbox.engagement import engagement
from scheduler.sandbox.faults import FaultInjector
from scheduler.sandbox.threads_model import Container, ThreadsPost, ThreadsUser
from scheduler.sandbox.threads_reads import ThreadsReads
from scheduler.sandbox.wsgi import RequestRecord, json_response, lands_after

DAY = timedelta(hours=24)
MAX_IMAGE_BYTES = 8 * 1024 * 1024
_PATH = re.compile(r"^/(?:v\d+\.\d+/)?(?P<rest>.*?)/?$")
Endpoint = Callable[[Request, ThreadsUser, list[str]], Response]


class ThreadsApi(ThreadsReads):
    """The Threads double: `posts`, `containers` and `requests` are there for tests."""

    platform = "threads"

    def __init__(self, clock: Clock, faults: FaultInjector) -> None:
        self.clock = clock
        self._faults = faults
        self._lock = threading.RLock()
        self.users: dict[str, ThreadsUser] = {}
        self.containers: dict[str, Container] = {}
        self.posts: dict[str, ThreadsPost] = {}
        self.requests: list[RequestRecord] = []
        self.quota_total = 250
        self.reply_quota_total = 1000
        self.in_progress_reads = 0  # the next status reads answer IN_PROGRESS (a slow fetch)
        # Requests that carried the token as a parameter (Threads takes a Bearer header too).
        self.tokens_in_requests = 0

    # -- the PlatformDouble protocol -------------------------------------------------------

    def register(self, account: Account, secrets: Mapping[str, str]) -> None:
        if not account.user_id:
            raise ValueError(f"{account.name}: a Threads account needs user_id")
        username = (account.handle or account.name).lstrip("@")
        with self._lock:
            self.users[account.user_id] = ThreadsUser(
                account.user_id, username, account.name, secrets["access_token"]
            )

    def published_texts(self) -> list[str]:
        with self._lock:
            return [post.text for post in self.posts.values()]

    def revoke(self, account: Account, revoked: bool = True) -> None:
        self._user(account).revoked = revoked

    def expire(self, account: Account, at: datetime | None) -> None:
        self._user(account).expires_at = at

    def _user(self, account: Account) -> ThreadsUser:
        user = self.users.get(str(account.user_id))
        if user is None:
            raise ValueError(f"{account.name}: not registered: call credentials() first")
        return user

    # -- the Api protocol ------------------------------------------------------------------

    def creates(self, request: Request) -> bool:
        return request.method == "POST" and _parts(request)[-1:] == ["threads_publish"]

    def throttled(self, request: Request) -> Response:
        minutes = max(1, round(self._faults.settings.throttle_reset_seconds / 60))
        usage = {"call_count": 100, "total_cputime": 40, "total_time": 60}
        buc = {**usage, "type": "threads", "estimated_time_to_regain_access": minutes}
        headers = {
            "X-App-Usage": json.dumps(usage),
            "X-Business-Use-Case-Usage": json.dumps({"threads": [buc]}),
        }
        return model.threads_error(
            400, "Application request limit reached", 4, headers=headers, is_transient=True
        )

    def server_error(self, request: Request) -> Response:
        return model.threads_error(
            500,
            "An unexpected error has occurred. Please retry your request later.",
            2,
            is_transient=True,
        )

    def handle(self, request: Request) -> Response:
        header = request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        from_url = request.args.get("access_token") or request.form.get("access_token")
        if from_url:
            self.tokens_in_requests += 1
        token = given.strip() if scheme.lower() in ("bearer", "oauth") else from_url
        if not token:
            return model.no_token()
        with self._lock:
            user = next((u for u in self.users.values() if u.token == token), None)
            if user is None:
                return model.bad_token()
            if user.revoked:
                return model.revoked()
            if user.expires_at is not None and self.clock.now() >= user.expires_at:
                return model.expired(user.expires_at)
            parts = _parts(request)
            endpoint = self._route(request.method, parts)
            if endpoint is None:
                return model.invalid(f"Unsupported {request.method.lower()} request.", subcode=33)
            if parts[0] not in ("me", user.user_id) and parts[0] in self.users:
                return model.threads_error(
                    400, "Cannot access object that does not belong to the user", 10
                )
            return endpoint(request, user, parts)

    def _route(self, method: str, parts: list[str]) -> Endpoint | None:
        if method == "POST" and len(parts) == 2 and parts[1] == "threads":
            return self._create_container
        if method == "POST" and len(parts) == 2 and parts[1] == "threads_publish":
            return self._publish
        if method != "GET":
            return None
        if parts == ["me"]:
            return self._me
        if len(parts) == 1:
            return self._node
        edges: dict[str, Endpoint] = {
            "threads": self._user_threads,
            "replies": self._user_replies,
            "threads_publishing_limit": self._publishing_limit,
            "insights": self._insights,
        }
        return edges.get(parts[1]) if len(parts) == 2 else None

    # -- containers and publishing ---------------------------------------------------------

    def _create_container(self, request: Request, user: ThreadsUser, parts: list[str]) -> Response:
        form = {**request.args.to_dict(), **request.form.to_dict()}
        media_type = form.get("media_type", "")
        text = form.get("text", "")
        carousel_item = form.get("is_carousel_item", "false").lower() == "true"
        if media_type not in ("TEXT", "IMAGE", "CAROUSEL"):
            return model.invalid("Param media_type must be one of {TEXT, IMAGE, VIDEO, CAROUSEL}")
        if media_type == "TEXT" and not text:
            return model.invalid("Param text is required for media_type TEXT")
        if length(text) > MAX_TEXT:
            return model.invalid(
                f"Param text must be at most {MAX_TEXT} characters long.", subcode=2207010
            )
        if len(unique_links(text)) > MAX_LINKS:
            return model.invalid(
                "THREADS_API__LINK_LIMIT_EXCEEDED: a post may contain at most 5 links.",
                error_user_msg="Posts can't have more than 5 links.",
            )
        reply_to = form.get("reply_to_id")
        if reply_to and (reply_to not in self.posts or self.posts[reply_to].deleted):
            return model.not_found(reply_to)
        container = Container(
            model.next_id(),
            user.user_id,
            media_type,
            text,
            self.clock.now(),
            reply_to_id=reply_to or None,
            is_carousel_item=carousel_item,
        )
        if media_type == "IMAGE":
            refused = self._fetch_image(form.get("image_url", ""), form.get("alt_text"))
            if refused is not None:
                return refused
            container.image_url, container.alt_text = form["image_url"], form.get("alt_text")
        elif media_type == "CAROUSEL":
            children = [c for c in form.get("children", "").split(",") if c]
            if not 2 <= len(children) <= MAX_CAROUSEL:
                return model.invalid(
                    f"A carousel must have between 2 and {MAX_CAROUSEL} children.",
                    subcode=4279005,
                )
            for child in children:
                item = self.containers.get(child)
                if item is None or item.user_id != user.user_id or not item.is_carousel_item:
                    return model.invalid(f"The carousel item {child} is not a valid item.")
            container.children = tuple(children)
        self.containers[container.id] = container
        return json_response(200, {"id": container.id})

    def _fetch_image(self, url: str, alt: str | None) -> Response | None:
        """Fetch the image as Meta's servers do, over HTTP; the real refusal if it fails."""
        if alt is not None and len(alt) > MAX_ALT:
            return model.invalid(f"Param alt_text must be at most {MAX_ALT} characters long.")
        failed = model.invalid(
            "Media download has failed. The media URI doesn't meet our requirements.",
            subcode=2207052,
            error_user_title="Media download failed",
        )
        if not url.startswith(("http://", "https://")):
            return failed
        try:
            answer = requests.get(url, timeout=5)
        except requests.RequestException:
            return failed
        data = answer.content
        if answer.status_code != 200:
            return failed
        if not (data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n")):
            return model.invalid(
                "The image format is not supported. Only JPEG and PNG images are supported.",
                subcode=2207026,
            )
        if len(data) > MAX_IMAGE_BYTES:
            return model.invalid("The image is too large: at most 8 MB.", subcode=2207004)
        return None

    def _publish(self, request: Request, user: ThreadsUser, parts: list[str]) -> Response:
        creation_id = request.args.get("creation_id") or request.form.get("creation_id") or ""
        container = self.containers.get(creation_id)
        now = self.clock.now()
        if container is None or container.user_id != user.user_id:
            return model.not_found(creation_id)
        if now - container.created_at > DAY:
            container.status = "EXPIRED"
        if container.status != "FINISHED" or container.is_carousel_item:
            return model.threads_error(
                400,
                "The media is not ready for publishing, please wait for a moment",
                24,
                subcode=4279009,
                error_user_title="Media Not Ready",
            )
        reply = container.reply_to_id is not None
        total = self.reply_quota_total if reply else self.quota_total
        if self._used(user.user_id, reply, now) >= total:
            what = "replies" if reply else "posts"
            return model.threads_error(
                400,
                f"The user has reached the limit of {total} published {what} in 24 hours.",
                9,
                subcode=2207042,
                error_user_title="Publishing limit reached",
            )
        alts = tuple(self.containers[c].alt_text or "" for c in container.children) or (
            (container.alt_text or "",) if container.media_type == "IMAGE" else ()
        )
        post = ThreadsPost(
            model.next_id(),
            user.user_id,
            user.username,
            container.text,
            container.media_type,
            now,
            now + timedelta(seconds=lands_after(request)),
            reply_to_id=container.reply_to_id,
            children=container.children,
            alt_texts=alts,
        )
        self.posts[post.id] = post
        container.status, container.published_id = "PUBLISHED", post.id
        return json_response(200, {"id": post.id})

    def _used(self, user_id: str, reply: bool, now: datetime) -> int:
        return sum(
            1
            for p in self.posts.values()
            if p.user_id == user_id
            and (p.reply_to_id is not None) == reply
            and now - p.created_at < DAY
        )

    def _publishing_limit(self, request: Request, user: ThreadsUser, parts: list[str]) -> Response:
        now = self.clock.now()
        fields = set((request.args.get("fields") or "quota_usage,config").split(","))
        seconds = int(DAY.total_seconds())
        every = {
            "quota_usage": self._used(user.user_id, False, now),
            "config": {"quota_total": self.quota_total, "quota_duration": seconds},
            "reply_quota_usage": self._used(user.user_id, True, now),
            "reply_config": {"quota_total": self.reply_quota_total, "quota_duration": seconds},
        }
        return json_response(200, {"data": [{k: v for k, v in every.items() if k in fields}]})

    def _insights(self, request: Request, user: ThreadsUser, parts: list[str]) -> Response:
        post = self._visible(parts[0])
        if post is None or post.user_id != user.user_id:
            return model.not_found(parts[0])
        known = ("views", "likes", "replies", "reposts", "quotes", "shares")
        asked = [m for m in (request.args.get("metric") or "").split(",") if m]
        for metric in asked:
            if metric not in known:
                return model.invalid(
                    f"(#100) metric[0] must be one of the following values: {', '.join(known)}"
                )
        age = self.clock.now() - post.created_at
        seed = self._faults.settings.seed
        data = []
        for metric in asked:
            value = engagement(seed, post.id, "retweets" if metric == "reposts" else metric, age)
            data.append(
                {
                    "name": metric,
                    "period": "lifetime",
                    "values": [{"value": value}],
                    "title": metric.capitalize(),
                    "id": f"{post.id}/insights/{metric}/lifetime",
                }
            )
        return json_response(200, {"data": data})


def _parts(request: Request) -> list[str]:
    found = _PATH.match(request.path)
    rest = found.group("rest") if found else request.path.strip("/")
    return [p for p in rest.split("/") if p] or [""]
