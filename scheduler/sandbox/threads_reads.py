"""The Threads double's reads: `/me`, a container's status or a post's fields, and the user's
posts and replies (newest first, `since`, cursor paging as Threads pages them)."""

from __future__ import annotations

import base64
import threading
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from campaign.clock import Clock
from scheduler.sandbox import threads_model as model
from scheduler.sandbox.threads_model import Container, ThreadsPost, ThreadsUser
from scheduler.sandbox.wsgi import json_response

MAX_LIMIT = 100


class ThreadsReads:
    clock: Clock
    _lock: threading.RLock
    users: dict[str, ThreadsUser]
    containers: dict[str, Container]
    posts: dict[str, ThreadsPost]
    in_progress_reads: int

    def _visible(self, media_id: str) -> ThreadsPost | None:
        post = self.posts.get(media_id)
        if post is None or post.deleted or post.visible_at > self.clock.now():
            return None
        return post

    def _me(self, request: Request, user: ThreadsUser, parts: list[str]) -> Response:
        every = {"id": user.user_id, "username": user.username, "name": user.name}
        return json_response(200, _only(every, request, "id"))

    def _node(self, request: Request, user: ThreadsUser, parts: list[str]) -> Response:
        object_id = parts[0]
        container = self.containers.get(object_id)
        if container is not None and container.user_id == user.user_id:
            status = container.status
            if status == "FINISHED" and self.in_progress_reads > 0:
                self.in_progress_reads -= 1
                status = "IN_PROGRESS"
            fields: dict[str, Any] = {"id": container.id, "status": status}
            if container.error_message:
                fields["error_message"] = container.error_message
            return json_response(200, _only(fields, request, "id"))
        post = self._visible(object_id)
        if post is None or post.user_id != user.user_id:
            return model.not_found(object_id)
        return json_response(200, _only(self._fields(post), request, "id"))

    def _fields(self, post: ThreadsPost) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "id": post.id,
            "media_product_type": "THREADS",
            "media_type": "CAROUSEL_ALBUM"
            if post.media_type == "CAROUSEL"
            else ("TEXT_POST" if post.media_type == "TEXT" else post.media_type),
            "text": post.text,
            "timestamp": model.timestamp(post.created_at),
            "permalink": post.permalink,
            "shortcode": model.shortcode(post.id),
            "username": post.username,
            "is_reply": post.reply_to_id is not None,
        }
        if post.reply_to_id is not None:
            fields["replied_to"] = {"id": post.reply_to_id}
        return fields

    def _user_threads(self, request: Request, user: ThreadsUser, parts: list[str]) -> Response:
        return self._listing(request, user, replies=False)

    def _user_replies(self, request: Request, user: ThreadsUser, parts: list[str]) -> Response:
        return self._listing(request, user, replies=True)

    def _listing(self, request: Request, user: ThreadsUser, *, replies: bool) -> Response:
        now = self.clock.now()
        since = _moment(request.args.get("since"))
        try:
            limit = min(int(request.args.get("limit") or 25), MAX_LIMIT)
            offset = int(base64.b64decode(request.args.get("after") or "MA==").decode())
        except ValueError:
            return model.invalid("Invalid paging parameters")
        items = sorted(
            (
                p
                for p in self.posts.values()
                if p.user_id == user.user_id
                and not p.deleted
                and p.visible_at <= now
                and (p.reply_to_id is not None) == replies
                and (since is None or p.created_at >= since)
            ),
            key=lambda p: (p.created_at, int(p.id)),
            reverse=True,
        )
        page = items[offset : offset + limit]
        body: dict[str, Any] = {"data": [_only(self._fields(p), request, "id") for p in page]}
        if page:
            cursors = {
                "before": base64.b64encode(str(offset).encode()).decode(),
                "after": base64.b64encode(str(offset + len(page)).encode()).decode(),
            }
            body["paging"] = {"cursors": cursors}
            if offset + len(page) < len(items):
                body["paging"]["next"] = f"{request.base_url}?after={cursors['after']}"
        return json_response(200, body)


def _only(fields: dict[str, Any], request: Request, *always: str) -> dict[str, Any]:
    """The fields asked for (`fields=`), with `always` (Graph always returns `id`)."""
    asked = request.args.get("fields")
    if not asked:
        return {k: fields[k] for k in always if k in fields}
    wanted = {*asked.split(","), *always}
    return {k: v for k, v in fields.items() if k in wanted}


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except ValueError:
        return datetime.fromisoformat(value)
