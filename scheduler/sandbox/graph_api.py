"""A double of the Facebook Graph API (v25.0) subset the Facebook channel uses.

Answers carry Graph's JSON error envelope, `X-App-Usage` and `X-Business-Use-Case-Usage`
headers, and `facebook-api-version`. Any `vNN.N` prefix is accepted (and echoed back). Page
tokens are checked against the pages the sandbox knows; `appsecret_proof`, when sent, must be
the HMAC-SHA256 of the token with the page's app secret, as Graph checks it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from campaign.clock import Clock
from scheduler.sandbox import graph_model
from scheduler.sandbox.faults import FaultInjector
from scheduler.sandbox.graph_model import (
    BAD_GATEWAY_HTML,
    GRAPH_JSON,
    FacebookPostRecord,
    PageInfo,
    PhotoRecord,
    graph_error,
    unsupported_request,
)
from scheduler.sandbox.graph_reads import GraphReads
from scheduler.sandbox.wsgi import RequestRecord, json_response, lands_after

MAX_BATCH = 50
HOUR = timedelta(hours=1)
THROTTLES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
}
# Matched against the path after its version prefix (`/v25.0`), which any request may have.
URLS = Map(
    [
        Rule("/", methods=["POST"], endpoint="batch"),
        Rule("/debug_token", methods=["GET"], endpoint="debug_token"),
        Rule("/<object_id>", methods=["GET"], endpoint="node"),
        Rule("/<object_id>", methods=["DELETE"], endpoint="delete"),
        Rule("/<object_id>/<any(feed, photos):edge>", methods=["POST"], endpoint="create"),
        Rule(
            "/<object_id>/<any(feed, posts, published_posts):edge>",
            methods=["GET"],
            endpoint="feed",
        ),
        Rule("/<object_id>/insights", methods=["GET"], endpoint="insights"),
    ],
    strict_slashes=False,
    merge_slashes=False,
)
Endpoint = Callable[..., Response]


def route(request: Request) -> tuple[str, dict[str, Any]]:
    """The endpoint and its arguments; `unsupported` for an object, edge or method Graph
    does not have here."""
    path = graph_model.split_version(request.path)[1]
    try:
        endpoint, args = URLS.bind("graph").match(path, request.method)
    except HTTPException:  # NotFound, MethodNotAllowed
        return "unsupported", {"object_id": path.strip("/")}
    return str(endpoint), dict(args)


class GraphApi(GraphReads):
    """The Graph double: `posts`, `photos` and `requests` are there for tests to inspect."""

    def __init__(self, clock: Clock, faults: FaultInjector) -> None:
        self.clock = clock
        self._faults = faults
        self._lock = threading.RLock()
        self.pages: dict[str, PageInfo] = {}
        self.posts: list[FacebookPostRecord] = []
        self.photos: dict[str, PhotoRecord] = {}
        self.requests: list[RequestRecord] = []
        self._usage: dict[str, tuple[datetime, int]] = {}
        self._next_id = 100_000_000_000_000
        self._endpoints: dict[str, Endpoint] = {
            "node": self._node,
            "delete": self._delete,
            "create": self._create,
            "feed": self._feed,
            "insights": self._insights,
            "debug_token": self._debug_token,
        }

    # -- set-up and inspection -------------------------------------------------------------

    def add_page(
        self, page_id: str, token: str, *, name: str = "", app_secret: str | None = None
    ) -> PageInfo:
        with self._lock:
            page = PageInfo(page_id, name or f"Page {page_id}", token, app_secret)
            self.pages[page_id] = page
            return page

    def add_post(
        self, page_id: str, message: str, *, created_at: datetime | None = None
    ) -> FacebookPostRecord:
        """Store a feed post directly (test set-up without HTTP)."""
        with self._lock:
            when = created_at or self.clock.now()
            post = FacebookPostRecord(self._post_id(page_id), page_id, message, None, (), (), when)
            self.posts.append(post)
            return post

    def post(self, post_id: str) -> FacebookPostRecord | None:
        now = self.clock.now()
        return next((p for p in self.posts if p.id == post_id and p.visible(now)), None)

    def delete(self, post_id: str) -> None:
        post = self.post(post_id)
        if post is not None:
            post.deleted = True

    def _new_id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    def _post_id(self, page_id: str) -> str:
        return f"{page_id}_{self._new_id()}"

    # -- the Api protocol ------------------------------------------------------------------

    def creates(self, request: Request) -> bool:
        return route(request)[0] == "create"

    def server_error(self, request: Request) -> Response:
        if self._faults.random() >= self._faults.settings.graph_html_502_share:
            return graph_error(
                500,
                "An unexpected error has occurred. Please retry your request later.",
                2,
                is_transient=True,
            )
        return Response(BAD_GATEWAY_HTML, 502, {"Content-Type": "text/html; charset=utf-8"})

    def throttled(self, request: Request) -> Response:
        code = self._faults.choice(tuple(THROTTLES))
        page = self.pages.get(self._page_of(graph_model.request_token(request, None)) or "")
        minutes = math.ceil(self._faults.settings.throttle_reset_seconds / 60)
        headers = self._usage_headers(page.id if page else "0", 100, minutes)
        return graph_error(400, THROTTLES[code], code, headers=headers)

    def handle(self, request: Request) -> Response:
        version = graph_model.split_version(request.path)[0]
        with self._lock:
            if route(request)[0] == "batch":
                response = self._batch(request)
            else:
                response = self._dispatch(request, None)
        response.headers.setdefault("facebook-api-version", version)
        return response

    # -- auth and usage --------------------------------------------------------------------

    def _page_of(self, token: str | None) -> str | None:
        return next((p.id for p in self.pages.values() if token and p.token == token), None)

    def _authenticate(self, request: Request, default_token: str | None) -> PageInfo | Response:
        """The page a token acts for; `default_token` is a batch's, already proven."""
        own = graph_model.request_token(request, None)
        token = own or default_token
        if not token:
            return graph_model.NO_TOKEN()
        page = self.pages.get(self._page_of(token) or "")
        now = self.clock.now()
        if self._faults.settings.expired_token and page is not None:
            return graph_model.expired_token(now)
        if page is None:
            return graph_model.BAD_TOKEN()
        if page.revoked:
            return graph_model.revoked_token()
        if page.expires_at is not None and page.expires_at <= now:
            return graph_model.expired_token(now, page.expires_at)
        if own is None:  # inherited from the batch, whose proof was checked
            return page
        proof = graph_model.request_param(request, "appsecret_proof")
        if proof is None and page.app_secret is not None:  # "Require App Secret" is on
            return graph_model.PROOF_REQUIRED()
        if proof is not None and page.app_secret is not None:
            expected = hmac.new(page.app_secret.encode(), token.encode(), hashlib.sha256)
            if not hmac.compare_digest(proof, expected.hexdigest()):
                return graph_model.BAD_PROOF()
        return page

    def _count_call(self, page: PageInfo, calls: int = 1) -> Response | None:
        """Count calls in the page's hourly window; the throttle answer once it is full."""
        now, limit = self.clock.now(), self._faults.settings.graph_calls_per_hour
        started, used = self._usage.get(page.id, (now, 0))
        if now >= started + HOUR:
            started, used = now, 0
        minutes = math.ceil((started + HOUR - now).total_seconds() / 60)
        if used + calls > limit:
            headers = self._usage_headers(page.id, 100, minutes)
            return graph_error(400, THROTTLES[32], 32, headers=headers)
        self._usage[page.id] = (started, used + calls)
        return None

    def _usage_headers(self, page_id: str, percent: int, regain_minutes: int) -> dict[str, str]:
        app = {"call_count": percent, "total_cputime": percent // 2, "total_time": percent // 2}
        buc = {**app, "type": "pages", "estimated_time_to_regain_access": regain_minutes}
        return {
            "X-App-Usage": json.dumps(app),
            "X-Business-Use-Case-Usage": json.dumps({page_id: [buc]}),
        }

    def _current_usage(self, page: PageInfo) -> dict[str, str]:
        started, used = self._usage.get(page.id, (self.clock.now(), 0))
        percent = min(100, used * 100 // max(self._faults.settings.graph_calls_per_hour, 1))
        return self._usage_headers(page.id, percent, 0)

    # -- routing ---------------------------------------------------------------------------

    def _dispatch(self, request: Request, default_token: str | None) -> Response:
        """One call: authenticated and counted first, as Graph does, then routed."""
        page = self._authenticate(request, default_token)
        if isinstance(page, Response):
            return page
        throttled = self._count_call(page)
        if throttled is not None:
            return throttled
        endpoint, args = route(request)
        # Neither `unsupported` nor `batch` (a batch cannot hold another) is an endpoint here.
        response = self._endpoints.get(endpoint, self._unsupported)(request, page, **args)
        response.headers.update(self._current_usage(page))
        return response

    def _batch(self, request: Request) -> Response:
        try:
            operations = json.loads(request.form["batch"])
            if not isinstance(operations, list):
                raise ValueError("the batch is not a list")
        except (KeyError, ValueError):
            return graph_error(400, "(#100) The parameter batch is required", 100)
        if len(operations) > MAX_BATCH:
            return graph_error(
                400,
                f"(#1) Too many requests in batch message. Maximum batch size is {MAX_BATCH}",
                1,
            )
        page = self._authenticate(request, None)
        if isinstance(page, Response):
            return page
        token = graph_model.request_token(request, None)
        answers = [self._operation(request, op, token) for op in operations]
        return json_response(200, answers, content_type=GRAPH_JSON)

    def _operation(
        self, batch: Request, operation: dict[str, Any], token: str | None
    ) -> dict[str, Any]:
        """One operation of a batch, answered as Graph lists it: code, headers, body."""
        builder = EnvironBuilder(
            path="/" + str(operation.get("relative_url", "")).lstrip("/"),
            base_url=batch.host_url,
            method=str(operation.get("method", "GET")).upper(),
            data=str(operation.get("body", "")),
            content_type="application/x-www-form-urlencoded",
        )
        answer = self._dispatch(builder.get_request(), token)
        headers = [
            {"name": name, "value": value}
            for name, value in answer.headers.items()
            if name != "Content-Length"
        ]
        return {"code": answer.status_code, "headers": headers, "body": answer.get_data(True)}

    # -- endpoints -------------------------------------------------------------------------

    def _debug_token(self, request: Request, page: PageInfo) -> Response:
        """What Graph knows of `input_token`: its Page, validity and expiry (0: never)."""
        token = request.args.get("input_token")
        if not token:
            return graph_error(400, "(#100) The parameter input_token is required", 100)
        found = self.pages.get(self._page_of(token) or "")
        data = graph_model.debug_token_data(found, self.clock.now())
        return json_response(200, {"data": data}, content_type=GRAPH_JSON)

    def _unsupported(self, request: Request, page: PageInfo, object_id: str = "") -> Response:
        return unsupported_request(object_id, request.method)

    def _delete(self, request: Request, page: PageInfo, object_id: str) -> Response:
        post = self.post(object_id)
        if post is None or post.page_id != page.id:
            return unsupported_request(object_id, request.method)
        post.deleted = True
        return json_response(200, {"success": True}, content_type=GRAPH_JSON)

    def _create(self, request: Request, page: PageInfo, object_id: str, edge: str) -> Response:
        if object_id != page.id:
            return graph_model.NOT_AUTHORIZED()
        message = request.form.get("message", "")
        if any(p.lower() in message.lower() for p in self._faults.settings.blocked_phrases):
            return graph_model.POLICY_BLOCKED()
        photo = edge == "photos"
        published = not photo or request.form.get("published") != "false"
        if published and message and self._posted_before(page, message):
            return graph_model.DUPLICATE_POST()
        when = self.clock.now() + timedelta(seconds=lands_after(request))
        if photo:
            return self._create_photo(request, page, message, published, when)
        return self._create_feed_post(request, page, message, when)

    def _posted_before(self, page: PageInfo, message: str) -> bool:
        """Whether the Page shows a post with the same message (Graph refuses duplicates)."""
        now = self.clock.now()
        return any(
            p.page_id == page.id and p.visible(now) and p.message.strip() == message.strip()
            for p in self.posts
        )

    def _create_photo(
        self, request: Request, page: PageInfo, message: str, published: bool, when: datetime
    ) -> Response:
        source, url = request.files.get("source"), request.form.get("url")
        if source is None and url is None:
            return graph_error(400, "(#324) Requires upload file", 324)
        size = len(source.read()) if source is not None else 0
        alt = request.form.get("alt_text_custom")
        record = PhotoRecord(self._new_id(), page.id, alt, published, size, when, url)
        self.photos[record.id] = record
        if not published:
            return json_response(200, {"id": record.id}, content_type=GRAPH_JSON)
        post = self._store_post(page, message, None, [record], when)
        return json_response(200, {"id": record.id, "post_id": post.id}, content_type=GRAPH_JSON)

    def _create_feed_post(
        self, request: Request, page: PageInfo, message: str, when: datetime
    ) -> Response:
        photos = []
        for fbid in graph_model.attached_media(request.form):
            found = self.photos.get(fbid)
            if found is None or found.page_id != page.id or found.published or found.post_id:
                return graph_error(400, f"(#100) Invalid attached_media: {fbid}", 100)
            photos.append(found)
        link = request.form.get("link")
        if not (message or link or photos):
            return graph_error(400, "(#100) The parameter message or link is required", 100)
        post = self._store_post(page, message, link, photos, when)
        return json_response(200, {"id": post.id}, content_type=GRAPH_JSON)

    def _store_post(
        self,
        page: PageInfo,
        message: str,
        link: str | None,
        photos: list[PhotoRecord],
        when: datetime,
    ) -> FacebookPostRecord:
        post = FacebookPostRecord(
            self._post_id(page.id),
            page.id,
            message,
            link,
            tuple(p.id for p in photos),
            tuple(p.alt_text for p in photos),
            when,
        )
        for item in photos:
            item.post_id = post.id
        self.posts.append(post)
        return post
