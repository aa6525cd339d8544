"""A double of the Facebook Graph API (v25.0) subset the Facebook channel uses.

Answers carry Graph's JSON error envelope, `X-App-Usage` and `X-Business-Use-Case-Usage`
headers, and `facebook-api-version`. Any `vNN.N` prefix is accepted (and echoed back). Page
tokens are checked against the pages the sandbox knows; `appsecret_proof`, when sent, must be
the HMAC-SHA256 of the token with the page's app secret, as Graph checks it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from campaign.clock import Clock
from scheduler.sandbox import graph_model
from scheduler.sandbox.engagement import facebook_metrics
from scheduler.sandbox.faults import FaultInjector
from scheduler.sandbox.graph_model import (
    BAD_GATEWAY_HTML,
    CURRENT_METRICS,
    GRAPH_JSON,
    FacebookPostRecord,
    PageInfo,
    PhotoRecord,
    graph_error,
    insights_items,
    invalid_metric,
    parse_fields,
    render_post,
    unsupported_get,
)
from scheduler.sandbox.server import Request, RequestRecord, Response, json_response

MAX_BATCH = 50
HOUR = timedelta(hours=1)
THROTTLES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
}


class GraphApi:
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
        parts = graph_model.segments(request.path)[1]
        return request.method == "POST" and len(parts) == 2 and parts[1] in ("feed", "photos")

    def server_error(self, request: Request) -> Response:
        if self._faults.random() >= self._faults.settings.graph_html_502_share:
            return graph_error(
                500,
                "An unexpected error has occurred. Please retry your request later.",
                2,
                is_transient=True,
            )
        return Response(502, BAD_GATEWAY_HTML, {"Content-Type": "text/html; charset=utf-8"})

    def throttled(self, request: Request) -> Response:
        code = self._faults.choice(tuple(THROTTLES))
        page = self.pages.get(self._page_of(graph_model.request_token(request, None)) or "")
        minutes = math.ceil(self._faults.settings.throttle_reset_seconds / 60)
        headers = self._usage_headers(page.id if page else "0", 100, minutes)
        return graph_error(400, THROTTLES[code], code, headers=headers)

    def handle(self, request: Request) -> Response:
        version = graph_model.segments(request.path)[0]
        with self._lock:
            if request.method == "POST" and graph_model.segments(request.path)[1] == []:
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
        if self._faults.settings.expired_token and page is not None:
            return graph_model.expired_token(self.clock.now())
        if page is None:
            return graph_model.BAD_TOKEN()
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
        page = self._authenticate(request, default_token)
        if isinstance(page, Response):
            return page
        throttled = self._count_call(page)
        if throttled is not None:
            return throttled
        parts = graph_model.segments(request.path)[1]
        method = request.method
        if len(parts) == 2 and parts[1] in ("feed", "photos") and method == "POST":
            if parts[0] != page.id:
                return graph_model.NOT_AUTHORIZED()
            response = self._create(request, page, photo=parts[1] == "photos")
        elif len(parts) == 2 and parts[1] in ("feed", "posts", "published_posts"):
            response = (
                self._feed(request, parts[0])
                if method == "GET"
                else graph_model.unsupported(method)
            )
        elif len(parts) == 2 and parts[1] == "insights" and method == "GET":
            response = self._insights(request, page, parts[0])
        elif len(parts) == 1 and method == "GET":
            response = self._node(request, parts[0])
        elif len(parts) == 1 and method == "DELETE":
            post = self.post(parts[0])
            if post is None or post.page_id != page.id:
                return unsupported_get(parts[0])
            post.deleted = True
            response = json_response(200, {"success": True}, content_type=GRAPH_JSON)
        else:
            response = unsupported_get("/".join(parts))
        response.headers.update(self._current_usage(page))
        return response

    def _batch(self, request: Request) -> Response:
        form = request.form()
        try:
            operations = json.loads(form["batch"].text)
            assert isinstance(operations, list)
        except (KeyError, ValueError, AssertionError):
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
        answers = []
        for op in operations:
            url = urlsplit("/" + str(op.get("relative_url", "")).lstrip("/"))
            body = str(op.get("body", "")).encode()
            sub = Request(
                method=str(op.get("method", "GET")).upper(),
                path=url.path,
                query=parse_qs(url.query, keep_blank_values=True),
                headers={"content-type": "application/x-www-form-urlencoded"},
                body=body,
                host=request.host,
            )
            answer = self._dispatch(sub, graph_model.request_token(request, None))
            headers = [{"name": k, "value": v} for k, v in answer.headers.items()]
            answers.append(
                {"code": answer.status, "headers": headers, "body": answer.body.decode()}
            )
        return json_response(200, answers, content_type=GRAPH_JSON)

    # -- endpoints -------------------------------------------------------------------------

    def _create(self, request: Request, page: PageInfo, *, photo: bool) -> Response:
        form = {name: part for name, part in request.form().items()}
        message = form["message"].text if "message" in form else ""
        settings = self._faults.settings
        if any(p.lower() in message.lower() for p in settings.blocked_phrases):
            return graph_model.POLICY_BLOCKED()
        published = not photo or form.get("published") is None or form["published"].text != "false"
        if (
            published
            and message
            and any(
                p.page_id == page.id
                and p.visible(self.clock.now())
                and p.message.strip() == message.strip()
                for p in self.posts
            )
        ):
            return graph_model.DUPLICATE_POST()
        now = self.clock.now() + timedelta(seconds=request.lands_after)
        if photo:
            if "source" not in form and "url" not in form:
                return graph_error(400, "(#324) Requires upload file", 324)
            alt = form["alt_text_custom"].text if "alt_text_custom" in form else None
            size = len(form["source"].data) if "source" in form else 0
            url = form["url"].text if "url" in form else None
            record = PhotoRecord(self._new_id(), page.id, alt, published, size, now, url)
            self.photos[record.id] = record
            if not published:
                return json_response(200, {"id": record.id}, content_type=GRAPH_JSON)
            photos = [record]
        else:
            photos = []
            for fbid in graph_model.attached_media(form):
                found = self.photos.get(fbid)
                if found is None or found.page_id != page.id or found.published or found.post_id:
                    return graph_error(400, f"(#100) Invalid attached_media: {fbid}", 100)
                photos.append(found)
            link = form["link"].text if "link" in form else None
            if not (message or link or photos):
                return graph_error(400, "(#100) The parameter message or link is required", 100)
        post = FacebookPostRecord(
            self._post_id(page.id),
            page.id,
            message,
            None if photo else link,
            tuple(p.id for p in photos),
            tuple(p.alt_text for p in photos),
            now,
        )
        for item in photos:
            item.post_id = post.id
        self.posts.append(post)
        answer = {"id": photos[0].id, "post_id": post.id} if photo else {"id": post.id}
        return json_response(200, answer, content_type=GRAPH_JSON)

    def _counts(self, post: FacebookPostRecord) -> dict[str, Any]:
        age = self.clock.now() - post.created_at
        return facebook_metrics(self._faults.settings.seed, post.id, age)

    def _node(self, request: Request, object_id: str) -> Response:
        if object_id in self.pages:
            page = self.pages[object_id]
            return json_response(200, {"id": page.id, "name": page.name}, content_type=GRAPH_JSON)
        post = self.post(object_id)
        if post is None:
            return unsupported_get(object_id)
        fields = parse_fields(request.arg("fields") or "id,message,created_time")
        if self._faults.settings.graph_refuse_insights_field and any(
            spec.name == "insights" for spec in fields
        ):
            return graph_error(
                400,
                "(#100) Tried accessing nonexisting field (insights) on node type (PagePost)",
                100,
            )
        node = render_post(post, fields, self._counts(post))
        if isinstance(node, Response):
            return node
        return json_response(200, node, content_type=GRAPH_JSON)

    def _insights(self, request: Request, page: PageInfo, post_id: str) -> Response:
        post = self.post(post_id)
        if post is None or post.page_id != page.id:
            return unsupported_get(post_id)
        names = [m for m in (request.arg("metric") or "").split(",") if m]
        items = insights_items(post, names or list(CURRENT_METRICS), self._counts(post))
        if items is None:
            return invalid_metric()
        return json_response(200, {"data": items}, content_type=GRAPH_JSON)

    def _feed(self, request: Request, page_id: str) -> Response:
        if page_id not in self.pages:
            return unsupported_get(page_id)
        try:
            since = graph_model.graph_moment(request.arg("since"), datetime.min.replace(tzinfo=UTC))
            until = graph_model.graph_moment(request.arg("until"), datetime.max.replace(tzinfo=UTC))
            limit = min(int(request.arg("limit") or 25), 100)
            after = base64.urlsafe_b64decode(request.arg("after") or "").decode() or None
        except ValueError as exc:
            return graph_error(400, f"(#100) Invalid parameter: {exc}", 100)
        fields = parse_fields(request.arg("fields") or "id,message,created_time")
        now = self.clock.now()
        posts = [
            p
            for p in reversed(self.posts)
            if p.page_id == page_id and p.visible(now) and since <= p.created_at <= until
        ]
        posts.sort(key=lambda p: p.created_at, reverse=True)  # stable: newest first
        if after is not None:
            ids = [p.id for p in posts]
            posts = posts[ids.index(after) + 1 :] if after in ids else []
        page, more = posts[:limit], len(posts) > limit
        data = []
        for post in page:
            node = render_post(post, fields, self._counts(post))
            if isinstance(node, Response):
                return node
            data.append(node)
        payload: dict[str, Any] = {"data": data}
        if page:
            cursors = {
                "before": graph_model.cursor(page[0].id),
                "after": graph_model.cursor(page[-1].id),
            }
            payload["paging"] = {"cursors": cursors}
            if more:
                query = {k: v[0] for k, v in request.query.items()} | {"after": cursors["after"]}
                payload["paging"]["next"] = (
                    f"http://{request.host}{request.path}?{urlencode(query)}"
                )
        return json_response(200, payload, content_type=GRAPH_JSON)
