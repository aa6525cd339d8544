"""The Graph double's read endpoints: a node, a post's insights edge, and a Page's feed."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from campaign.clock import Clock
from scheduler.sandbox import graph_model
from scheduler.sandbox.engagement import facebook_metrics
from scheduler.sandbox.faults import FaultInjector
from scheduler.sandbox.graph_model import (
    CURRENT_METRICS,
    GRAPH_JSON,
    FacebookPostRecord,
    PageInfo,
    graph_error,
    insights_items,
    invalid_metric,
    parse_fields,
    render_post,
    unsupported_request,
)
from scheduler.sandbox.wsgi import json_response

DEFAULT_FIELDS = "id,message,created_time"
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class FeedQuery:
    """The query of `GET /{page-id}/feed` (and `/posts`, `/published_posts`)."""

    since: datetime
    until: datetime
    limit: int
    after: str | None  # the cursor: the id of the last post of the previous page

    @classmethod
    def parse(cls, request: Request) -> FeedQuery | Response:
        args = request.args
        try:
            return cls(
                graph_model.graph_moment(args.get("since"), EARLIEST),
                graph_model.graph_moment(args.get("until"), LATEST),
                min(int(args.get("limit") or 25), 100),
                base64.urlsafe_b64decode(args.get("after") or "").decode() or None,
            )
        except ValueError as exc:
            return graph_error(400, f"(#100) Invalid parameter: {exc}", 100)

    def select(self, posts: list[FacebookPostRecord]) -> tuple[list[FacebookPostRecord], bool]:
        """This page of `posts` (newest first), and whether more follow."""
        posts = [p for p in posts if self.since <= p.created_at <= self.until]
        posts.sort(key=lambda p: p.created_at, reverse=True)  # stable: newest first
        if self.after is not None:
            ids = [p.id for p in posts]
            posts = posts[ids.index(self.after) + 1 :] if self.after in ids else []
        return posts[: self.limit], len(posts) > self.limit


class GraphReads:
    """Mixed into `GraphApi`: GET /{id}, /{post-id}/insights and /{page-id}/feed."""

    clock: Clock
    _faults: FaultInjector
    pages: dict[str, PageInfo]
    posts: list[FacebookPostRecord]
    post: Callable[[str], FacebookPostRecord | None]

    def _counts(self, post: FacebookPostRecord) -> dict[str, Any]:
        age = self.clock.now() - post.created_at
        return facebook_metrics(self._faults.settings.seed, post.id, age)

    def _node(self, request: Request, page: PageInfo, object_id: str) -> Response:
        if object_id in self.pages:
            found = self.pages[object_id]
            return json_response(200, {"id": found.id, "name": found.name}, content_type=GRAPH_JSON)
        post = self.post(object_id)
        if post is None:
            return unsupported_request(object_id)
        fields = parse_fields(request.args.get("fields") or DEFAULT_FIELDS)
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

    def _insights(self, request: Request, page: PageInfo, object_id: str) -> Response:
        post = self.post(object_id)
        if post is None or post.page_id != page.id:
            return unsupported_request(object_id)
        names = [m for m in (request.args.get("metric") or "").split(",") if m]
        items = insights_items(post, names or list(CURRENT_METRICS), self._counts(post))
        if items is None:
            return invalid_metric()
        return json_response(200, {"data": items}, content_type=GRAPH_JSON)

    def _feed(self, request: Request, page: PageInfo, object_id: str, edge: str) -> Response:
        if object_id not in self.pages:
            return unsupported_request(object_id)
        query = FeedQuery.parse(request)
        if isinstance(query, Response):
            return query
        fields = parse_fields(request.args.get("fields") or DEFAULT_FIELDS)
        now = self.clock.now()
        mine = [p for p in reversed(self.posts) if p.page_id == object_id and p.visible(now)]
        shown, more = query.select(mine)
        data = []
        for post in shown:
            node = render_post(post, fields, self._counts(post))
            if isinstance(node, Response):
                return node
            data.append(node)
        payload: dict[str, Any] = {"data": data}
        if shown:
            payload["paging"] = paging(request, shown, more)
        return json_response(200, payload, content_type=GRAPH_JSON)


def paging(request: Request, shown: list[FacebookPostRecord], more: bool) -> dict[str, Any]:
    """Graph's `paging`: cursors around the page, and the URL of the next one if any."""
    cursors = {"before": graph_model.cursor(shown[0].id), "after": graph_model.cursor(shown[-1].id)}
    result: dict[str, Any] = {"cursors": cursors}
    if more:
        query = request.args.to_dict() | {"after": cursors["after"]}
        result["next"] = f"http://{request.host}{request.path}?{urlencode(query)}"
    return result
