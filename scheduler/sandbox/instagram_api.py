"""A double of the Instagram Graph API's Content Publishing subset (graph.facebook.com).

`POST /{ig-user-id}/media` makes a container from an `image_url` the double really fetches
over HTTP (as Meta's servers do), refusing what Instagram refuses (not downloadable, not JPEG,
over 8 MiB, aspect outside 4:5..1.91:1, a caption over its limits); carousels from child
containers; `GET /{container-id}?fields=status_code`; `POST /{ig-user-id}/media_publish`
(the create; 50 per rolling 24 hours, then code 9 subcode 2207042); the account's media,
`content_publishing_limit`, media fields and insights (`impressions` refused as retired), the
user node and `debug_token`. Tokens come in the `Authorization` header or `access_token`; a
read may come as a POST with `method=GET` (Graph's method override), keeping it out of URLs.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import requests
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from campaign.clock import Clock
from campaign.config import Account
from scheduler.sandbox import graph_model
from scheduler.sandbox import instagram_model as ig
from scheduler.sandbox.engagement import engagement
from scheduler.sandbox.faults import FaultInjector
from scheduler.sandbox.graph_model import GRAPH_JSON, graph_error, graph_time, unsupported_request
from scheduler.sandbox.wsgi import RequestRecord, json_response, lands_after

DAY = timedelta(hours=24)
# Instagram's metrics drawn like the engagement model's own of the same kind.
_ENGAGEMENT = {"reach": "impressions", "saved": "bookmarks"}
FETCH_TIMEOUT = 5.0
THROTTLES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
}
URLS = Map(
    [
        Rule("/debug_token", methods=["GET"], endpoint="debug_token"),
        Rule("/<object_id>", methods=["GET"], endpoint="node"),
        Rule("/<object_id>/media", methods=["POST"], endpoint="container"),
        Rule("/<object_id>/media", methods=["GET"], endpoint="media"),
        Rule("/<object_id>/media_publish", methods=["POST"], endpoint="publish"),
        Rule("/<object_id>/content_publishing_limit", methods=["GET"], endpoint="limit"),
        Rule("/<object_id>/insights", methods=["GET"], endpoint="insights"),
    ],
    strict_slashes=False,
    merge_slashes=False,
)


def route(request: Request) -> tuple[str, dict[str, Any]]:
    path = graph_model.split_version(request.path)[1]
    try:
        endpoint, args = URLS.bind("graph").match(path, request.method)
    except HTTPException:
        return "unsupported", {"object_id": path.strip("/")}
    return str(endpoint), dict(args)


class InstagramApi:
    """The double: `users`, `containers`, `media` and `requests` are there for tests."""

    platform = "instagram"

    def __init__(self, clock: Clock, faults: FaultInjector) -> None:
        self.clock = clock
        self._faults = faults
        self._lock = threading.RLock()
        self.users: dict[str, ig.IgUser] = {}
        self.containers: dict[str, ig.Container] = {}
        self.media: list[ig.IgMedia] = []
        self.requests: list[RequestRecord] = []
        self.fetched: list[str] = []  # every image URL the double downloaded
        self.processing_seconds = 0.0  # how long a container stays IN_PROGRESS
        self._next_id = 17_900_000_000_000_000
        self._http = requests.Session()
        self._http.trust_env = False
        self._endpoints: dict[str, Callable[..., Response]] = {
            "node": self._node,
            "media": self._media_list,
            "publish": self._publish,
            "limit": self._limit,
            "insights": self._insights,
        }

    # -- the PlatformDouble protocol -------------------------------------------------------

    def register(self, account: Account, secrets: Mapping[str, str]) -> None:
        user_id = str(account.user_id)
        username = (account.handle or account.name).lstrip("@")
        with self._lock:
            self.users[user_id] = ig.IgUser(
                user_id, username, account.name, secrets["access_token"]
            )

    def published_texts(self) -> list[str]:
        return [m.caption for m in self.media]

    def revoke(self, account: Account, revoked: bool = True) -> None:
        self._user(account).revoked = revoked

    def expire(self, account: Account, at: datetime | None) -> None:
        self._user(account).expires_at = at

    def _user(self, account: Account) -> ig.IgUser:
        user = self.users.get(str(account.user_id))
        if user is None:
            raise ValueError(f"{account.name}: not registered: call credentials() first")
        return user

    # -- the Api protocol ------------------------------------------------------------------

    def creates(self, request: Request) -> bool:
        return route(request)[0] == "publish"

    def throttled(self, request: Request) -> Response:
        code = self._faults.choice(tuple(THROTTLES))
        minutes = math.ceil(self._faults.settings.throttle_reset_seconds / 60)
        user = self._token_user(request)
        return graph_error(
            400, THROTTLES[code], code, headers=self._usage(user.id if user else "0", 100, minutes)
        )

    def server_error(self, request: Request) -> Response:
        return graph_error(
            500,
            "An unexpected error has occurred. Please retry your request later.",
            2,
            is_transient=True,
        )

    def handle(self, request: Request) -> Response:
        version = graph_model.split_version(request.path)[0]
        if request.method == "POST" and request.form.get("method", "").upper() == "GET":
            request = _as_get(request)  # Graph's method override: a read sent as a POST
        endpoint, args = route(request)
        if endpoint == "container":
            response = self._container_unlocked(request, **args)  # fetches over HTTP
            user = self._token_user(request)
            if user is not None:
                response.headers.update(self._usage(user.id, 1, 0))
        else:
            with self._lock:
                response = self._dispatch(request, endpoint, args)
        response.headers.setdefault("facebook-api-version", version)
        return response

    # -- auth ------------------------------------------------------------------------------

    def _token(self, request: Request) -> str | None:
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() in ("oauth", "bearer") and value:
            return value.strip()
        return graph_model.request_token(request, None)

    def _token_user(self, request: Request) -> ig.IgUser | None:
        token = self._token(request)
        return next((u for u in self.users.values() if token and u.token == token), None)

    def _authenticate(self, request: Request) -> ig.IgUser | Response:
        if not self._token(request):
            return graph_model.NO_TOKEN()
        user = self._token_user(request)
        now = self.clock.now()
        if user is None:
            return graph_model.BAD_TOKEN()
        if self._faults.settings.expired_token:
            return graph_model.expired_token(now)
        if user.revoked:
            return graph_model.revoked_token()
        if user.expires_at is not None and user.expires_at <= now:
            return graph_model.expired_token(now, user.expires_at)
        return user

    def _usage(self, user_id: str, percent: int, minutes: int) -> dict[str, str]:
        app = {"call_count": percent, "total_cputime": percent // 2, "total_time": percent // 2}
        buc = {**app, "type": "instagram", "estimated_time_to_regain_access": minutes}
        return {
            "X-App-Usage": json.dumps(app),
            "X-Business-Use-Case-Usage": json.dumps({user_id: [buc]}),
        }

    def _dispatch(self, request: Request, endpoint: str, args: dict[str, Any]) -> Response:
        if endpoint == "debug_token":
            return self._debug_token(request)
        user = self._authenticate(request)
        if isinstance(user, Response):
            return user
        handler = self._endpoints.get(endpoint)
        if handler is None:
            return unsupported_request(str(args.get("object_id", "")), request.method)
        response = handler(request, user, **args)
        response.headers.update(self._usage(user.id, 1, 0))
        return response

    def _new_id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    # -- containers ------------------------------------------------------------------------

    def _container_unlocked(self, request: Request, object_id: str) -> Response:
        """Checked and its image fetched outside the lock (the fetch is real HTTP)."""
        with self._lock:
            user = self._authenticate(request)
            if isinstance(user, Response):
                return user
            if object_id != user.id:
                return unsupported_request(object_id, "POST")
        form = request.form
        caption = form.get("caption", "")
        if form.get("media_type") == "CAROUSEL":
            with self._lock:
                return self._carousel(user, caption, form.get("children", ""))
        url = form.get("image_url")
        if not url:
            return ig_param("image_url")
        refused = ig.caption_problem(caption)
        if refused is not None:
            return refused
        try:
            answer = self._http.get(url, timeout=FETCH_TIMEOUT)
        except requests.RequestException:
            return ig.download_failed(url)
        with self._lock:
            self.fetched.append(url)
        if answer.status_code != 200:
            return ig.download_failed(url)
        refused = ig.image_problem(answer.content)
        if refused is not None:
            return refused
        item = form.get("is_carousel_item") == "true"
        with self._lock:
            return self._store_container(user, caption, url, form.get("alt_text"), item, ())

    def _carousel(self, user: ig.IgUser, caption: str, children: str) -> Response:
        ids = tuple(c.strip() for c in children.split(",") if c.strip())
        if not ig.MIN_CHILDREN <= len(ids) <= ig.MAX_CHILDREN:
            return ig.ig_error(
                100, None, "(#100) A carousel needs between 2 and 10 children", title="Carousel"
            )
        for child in ids:
            found = self.containers.get(child)
            if found is None or found.user_id != user.id or not found.carousel_item:
                return ig.ig_error(100, None, f"(#100) Invalid children: {child}")
        refused = ig.caption_problem(caption)
        if refused is not None:
            return refused
        return self._store_container(user, caption, None, None, False, ids)

    def _store_container(
        self,
        user: ig.IgUser,
        caption: str,
        url: str | None,
        alt: str | None,
        item: bool,
        children: tuple[str, ...],
    ) -> Response:
        now = self.clock.now()
        ready = now + timedelta(seconds=self.processing_seconds)
        container = ig.Container(
            self._new_id(), user.id, caption, url, alt, item, children, now, ready
        )
        self.containers[container.id] = container
        return json_response(200, {"id": container.id}, content_type=GRAPH_JSON)

    def status_code(self, container: ig.Container) -> str:
        now = self.clock.now()
        if container.published:
            return "PUBLISHED"
        if now >= container.created_at + DAY:
            return "EXPIRED"
        return "FINISHED" if now >= container.ready_at else "IN_PROGRESS"

    # -- publishing ------------------------------------------------------------------------

    def _publish(self, request: Request, user: ig.IgUser, object_id: str) -> Response:
        if object_id != user.id:
            return unsupported_request(object_id, "POST")
        creation = graph_model.request_param(request, "creation_id") or ""
        container = self.containers.get(creation)
        if container is None or container.user_id != user.id or container.carousel_item:
            return ig.ig_error(100, None, f"(#100) Invalid creation_id: {creation}")
        status = self.status_code(container)
        if status == "IN_PROGRESS":
            return ig.not_ready()
        if status == "EXPIRED":
            return ig.ig_error(
                -2, 2207020, "The media you are trying to access has expired.", title="Expired"
            )
        if status == "PUBLISHED":
            return ig.ig_error(100, None, "(#100) The container has already been published")
        if self.quota_usage(user) >= ig.POSTS_PER_DAY:
            return ig.publishing_limit()
        when = self.clock.now() + timedelta(seconds=lands_after(request))
        parts = [self.containers[c] for c in container.children] or [container]
        media_id = self._new_id()
        self.media.append(
            ig.IgMedia(
                media_id,
                user.id,
                container.caption,
                ig.shortcode(media_id),
                when,
                tuple(p.image_url or "" for p in parts),
                tuple(p.alt_text for p in parts),
            )
        )
        container.published = True
        return json_response(200, {"id": media_id}, content_type=GRAPH_JSON)

    def quota_usage(self, user: ig.IgUser) -> int:
        since = self.clock.now() - DAY
        return sum(1 for m in self.media if m.user_id == user.id and m.timestamp > since)

    def _limit(self, request: Request, user: ig.IgUser, object_id: str) -> Response:
        if object_id != user.id:
            return unsupported_request(object_id)
        data = {
            "config": {"quota_total": ig.POSTS_PER_DAY, "quota_duration": 86_400},
            "quota_usage": self.quota_usage(user),
        }
        return json_response(200, {"data": [data]}, content_type=GRAPH_JSON)

    # -- reads -----------------------------------------------------------------------------

    def find_media(self, media_id: str) -> ig.IgMedia | None:
        now = self.clock.now()
        return next((m for m in self.media if m.id == media_id and m.visible(now)), None)

    def _node(self, request: Request, user: ig.IgUser, object_id: str) -> Response:
        fields = [f.name for f in graph_model.parse_fields(request.args.get("fields", ""))]
        if object_id == user.id:
            values = {"id": user.id, "username": user.username, "name": user.name}
            node = {k: values[k] for k in fields if k in values} or {"id": user.id}
            return json_response(200, node, content_type=GRAPH_JSON)
        container = self.containers.get(object_id)
        if container is not None and container.user_id == user.id:
            found = {"id": container.id, "status_code": self.status_code(container)}
            found["status"] = found["status_code"]
            return json_response(
                200, {k: found[k] for k in ["id", *fields] if k in found}, content_type=GRAPH_JSON
            )
        media = self.find_media(object_id)
        if media is None or media.user_id != user.id:
            return unsupported_request(object_id)
        rendered = self._render(media, fields or ["id"])
        return json_response(200, rendered, content_type=GRAPH_JSON)

    def _render(self, media: ig.IgMedia, fields: list[str]) -> dict[str, Any]:
        age = self.clock.now() - media.timestamp
        seed = self._faults.settings.seed
        values: dict[str, Any] = {
            "id": media.id,
            "caption": media.caption,
            "timestamp": graph_time(media.timestamp),
            "permalink": media.permalink,
            "shortcode": media.shortcode,
            "media_type": "CAROUSEL_ALBUM" if len(media.image_urls) > 1 else "IMAGE",
            "media_url": media.image_urls[0],
            "like_count": engagement(seed, media.id, "likes", age),
            "comments_count": engagement(seed, media.id, "comments", age),
        }
        return {k: values[k] for k in ["id", *fields] if k in values}

    def _media_list(self, request: Request, user: ig.IgUser, object_id: str) -> Response:
        if object_id != user.id:
            return unsupported_request(object_id)
        fields = [f.name for f in graph_model.parse_fields(request.args.get("fields", "id"))]
        now = self.clock.now()
        mine = [m for m in self.media if m.user_id == user.id and m.visible(now)]
        mine.sort(key=lambda m: (m.timestamp, int(m.id)), reverse=True)
        limit = min(int(request.args.get("limit", 25) or 25), 100)
        after = request.args.get("after")
        start = 0
        if after:
            ids = [graph_model.cursor(m.id) for m in mine]
            start = ids.index(after) + 1 if after in ids else len(mine)
        page = mine[start : start + limit]
        body: dict[str, Any] = {"data": [self._render(m, fields) for m in page]}
        if page:
            cursors = {
                "before": graph_model.cursor(page[0].id),
                "after": graph_model.cursor(page[-1].id),
            }
            body["paging"] = {"cursors": cursors}
            if start + limit < len(mine):
                body["paging"]["next"] = f"{request.base_url}?after={cursors['after']}"
        return json_response(200, body, content_type=GRAPH_JSON)

    def _insights(self, request: Request, user: ig.IgUser, object_id: str) -> Response:
        media = self.find_media(object_id)
        if media is None or media.user_id != user.id:
            return unsupported_request(object_id)
        names = [n for n in request.args.get("metric", "").split(",") if n]
        if not names:
            return ig.ig_error(100, None, "(#100) The parameter metric is required")
        for name in names:
            if name not in ig.METRICS:
                return ig.invalid_metric(name)
        age = self.clock.now() - media.timestamp
        seed = self._faults.settings.seed
        counts = {
            name: engagement(seed, media.id, _ENGAGEMENT.get(name, name), age)
            for name in ig.METRICS
            if name != "total_interactions"
        }
        counts["total_interactions"] = sum(
            counts[n] for n in ("likes", "comments", "shares", "saved")
        )
        data = [
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": counts[name]}],
                "title": name.replace("_", " ").capitalize(),
                "id": f"{media.id}/insights/{name}/lifetime",
            }
            for name in names
        ]
        return json_response(200, {"data": data}, content_type=GRAPH_JSON)

    def _debug_token(self, request: Request) -> Response:
        token = request.args.get("input_token")
        if not token:
            return graph_error(400, "(#100) The parameter input_token is required", 100)
        if self._token_user(request) is None:
            return graph_model.BAD_TOKEN()
        found = next((u for u in self.users.values() if u.token == token), None)
        now = self.clock.now()
        if found is None:
            data: dict[str, Any] = {"is_valid": False, "error": {"code": 190}, "scopes": []}
        else:
            data = {
                "app_id": "100000000000001",
                "type": "USER",
                "application": "Campaign sandbox",
                "expires_at": int(found.expires_at.timestamp()) if found.expires_at else 0,
                "data_access_expires_at": 0,
                "is_valid": not found.revoked
                and (found.expires_at is None or found.expires_at > now),
                "scopes": ["instagram_basic", "instagram_content_publish"],
                "user_id": "100000000000002",
            }
        return json_response(200, {"data": data}, content_type=GRAPH_JSON)


def _as_get(request: Request) -> Request:
    """The GET a `POST ... method=GET` stands for: its form fields become the query."""
    fields = {k: v for k, v in request.form.items() if k != "method"}
    builder = EnvironBuilder(
        path=request.path,
        base_url=request.host_url,
        method="GET",
        query_string=fields,
        headers=list(request.headers.items()),
    )
    return builder.get_request()


def ig_param(name: str) -> Response:
    return ig.ig_error(100, None, f"(#100) The parameter {name} is required")
