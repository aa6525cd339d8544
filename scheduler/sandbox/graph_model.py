"""What the Graph double stores and how Graph shows it: pages, posts, photos, fields, errors."""

from __future__ import annotations

import base64
import functools
import hashlib
import itertools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.wrappers import Request, Response

from scheduler.sandbox.wsgi import json_response

GRAPH_JSON = "application/json; charset=UTF-8"
DEFAULT_VERSION = "v25.0"
_VERSION = re.compile(r"/(v\d+\.\d+)(?=/|$)")
CURRENT_METRICS: dict[str, str] = {
    "post_media_view": "Media views",
    "post_total_media_view_unique": "Unique media views",
    "post_clicks": "Post clicks",
    "post_reactions_by_type_total": "Total post reactions by type",
}
POST_FIELDS = frozenset(
    {"id", "message", "created_time", "permalink_url", "link", "shares", "reactions", "comments"}
    | {"insights", "attachments"}
)
BAD_GATEWAY_HTML = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Sorry, "
    b"something went wrong.</h1><p>We're working on it and we'll get it fixed as soon as we "
    b"can.</p></body></html>"
)
_trace = itertools.count(1)


@dataclass
class PageInfo:
    """A Page and its token: a test may set when the token expires (None: never, as a Page
    token from a long-lived user token) or revoke it."""

    id: str
    name: str
    token: str
    app_secret: str | None = None
    expires_at: datetime | None = None
    data_access_expires_at: datetime | None = None
    revoked: bool = False


@dataclass
class PhotoRecord:
    id: str
    page_id: str
    alt_text: str | None
    published: bool
    size: int
    created_at: datetime
    url: str | None = None
    post_id: str | None = None


@dataclass
class FacebookPostRecord:
    """A Page post: `id` is "PAGEID_POSTID"; photos carry their alt text."""

    id: str
    page_id: str
    message: str
    link: str | None
    photo_ids: tuple[str, ...]
    photo_alt: tuple[str | None, ...]
    created_at: datetime  # in the future while a late create has not landed yet
    deleted: bool = False

    def visible(self, now: datetime) -> bool:
        """On the Page now: landed and not deleted."""
        return not self.deleted and self.created_at <= now


@dataclass(frozen=True)
class FieldSpec:
    """One item of a `fields=` list, e.g. `reactions.limit(0).summary(total_count)`."""

    name: str
    modifiers: dict[str, str]


def parse_fields(text: str) -> list[FieldSpec]:
    """Parse Graph's field-expansion syntax (top-level commas, `.modifier(args)` chains)."""
    items, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, "{": 1, ")": -1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += char
    items.append(current)
    specs = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        pieces, depth, piece = [], 0, ""
        for char in item:
            depth += {"(": 1, ")": -1}.get(char, 0)
            if char == "." and depth == 0:
                pieces.append(piece)
                piece = ""
            else:
                piece += char
        pieces.append(piece)
        modifiers = {}
        for modifier in pieces[1:]:
            name, _, args = modifier.partition("(")
            modifiers[name] = args.removesuffix(")")
        specs.append(FieldSpec(pieces[0], modifiers))
    return specs


def graph_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def graph_error(
    status: int,
    message: str,
    code: int,
    *,
    type_: str = "OAuthException",
    subcode: int | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """Graph's error envelope, with a fresh fbtrace_id."""
    error: dict[str, Any] = {"message": message, "type": type_, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra)
    error["fbtrace_id"] = "A" + hashlib.sha1(str(next(_trace)).encode()).hexdigest()[:20]
    return json_response(status, {"error": error}, content_type=GRAPH_JSON, headers=headers)


def _fixed(status: int, message: str, code: int, **kw: Any) -> Callable[[], Response]:
    """A factory for one of Graph's fixed error answers (each call gets its own fbtrace_id)."""
    return functools.partial(graph_error, status, message, code, **kw)


NO_TOKEN = _fixed(
    400, "An active access token must be used to query information about the current user.", 2500
)
BAD_TOKEN = _fixed(400, "Invalid OAuth access token - Cannot parse access token", 190)
BAD_PROOF = _fixed(
    400,
    "Invalid appsecret_proof provided in the API argument",
    100,
    type_="GraphMethodException",
)
PROOF_REQUIRED = _fixed(
    400,
    "API calls from the server require an appsecret_proof argument",
    100,
    type_="GraphMethodException",
)
NOT_AUTHORIZED = _fixed(
    403, "(#200) The user hasn't authorized the application to perform this action", 200
)
POLICY_BLOCKED = _fixed(
    400,
    "The action attempted has been deemed abusive or is otherwise disallowed",
    368,
    subcode=1390008,
)
DUPLICATE_POST = _fixed(
    400,
    "Duplicate status message",
    506,
    subcode=1455006,
    error_user_title="Duplicate Post",
    error_user_msg="This status update is identical to the last one you posted. Try posting "
    "something different, or delete your previous update.",
)


def _stamp(moment: datetime) -> str:
    return f"{moment:%A, %d-%b-%y %H:%M:%S} UTC"


def expired_message(now: datetime, expired_at: datetime | None = None) -> str:
    ended = expired_at if expired_at is not None else now - timedelta(days=1)
    return (
        f"Error validating access token: Session has expired on {_stamp(ended)}."
        f" The current time is {_stamp(now)}."
    )


REVOKED_MESSAGE = (
    "Error validating access token: The session has been invalidated because the user changed "
    "their password or Facebook has changed the session for security reasons."
)
_INVALID_TOKEN = {"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token"'}


def expired_token(now: datetime, expired_at: datetime | None = None) -> Response:
    return graph_error(
        400, expired_message(now, expired_at), 190, subcode=463, headers=_INVALID_TOKEN
    )


def revoked_token() -> Response:
    return graph_error(400, REVOKED_MESSAGE, 190, subcode=460, headers=_INVALID_TOKEN)


def debug_token_data(page: PageInfo | None, now: datetime) -> dict[str, Any]:
    """`GET /debug_token`'s `data` for a Page token (None: a token Graph does not know)."""
    if page is None:
        return {
            "error": {"code": 190, "message": "Invalid OAuth access token."},
            "is_valid": False,
            "scopes": [],
        }
    data: dict[str, Any] = {
        "app_id": "100000000000001",
        "type": "PAGE",
        "application": "Campaign sandbox",
        "data_access_expires_at": _unix(page.data_access_expires_at),
        "expires_at": _unix(page.expires_at),
        "is_valid": True,
        "issued_at": int(now.timestamp()) - 86_400,
        "profile_id": page.id,
        "scopes": ["pages_manage_posts", "pages_read_engagement", "read_insights"],
        "granular_scopes": [
            {"scope": "pages_manage_posts", "target_ids": [page.id]},
            {"scope": "pages_read_engagement", "target_ids": [page.id]},
        ],
        "user_id": "100000000000002",
    }
    if page.revoked:
        data["is_valid"] = False
        data["error"] = {"code": 190, "message": REVOKED_MESSAGE, "subcode": 460}
    elif page.expires_at is not None and page.expires_at <= now:
        data["is_valid"] = False
        message = expired_message(now, page.expires_at)
        data["error"] = {"code": 190, "message": message, "subcode": 463}
    return data


def _unix(moment: datetime | None) -> int:
    return 0 if moment is None else int(moment.timestamp())


def unsupported_request(object_id: str, method: str = "GET") -> Response:
    """Graph's answer to an object, edge or method it does not have (code 100, subcode 33)."""
    return graph_error(
        400,
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation. "
        "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
        100,
        type_="GraphMethodException",
        subcode=33,
    )


def invalid_metric() -> Response:
    return graph_error(400, "(#100) The value must be a valid insights metric", 100)


def insights_items(
    post: FacebookPostRecord, names: list[str], counts: dict[str, Any]
) -> list[dict[str, Any]] | None:
    """Insights entries for `names`; None if any name is not a current metric."""
    if any(name not in CURRENT_METRICS for name in names):
        return None
    return [
        {
            "name": name,
            "period": "lifetime",
            "values": [{"value": counts[name]}],
            "title": f"Lifetime {CURRENT_METRICS[name]}",
            "description": f"Lifetime: {CURRENT_METRICS[name]}.",
            "id": f"{post.id}/insights/{name}/lifetime",
        }
        for name in names
    ]


def render_post(
    post: FacebookPostRecord, fields: list[FieldSpec], counts: dict[str, Any]
) -> dict[str, Any] | Response:
    """A post node with the requested fields, or the error Graph would give."""
    node: dict[str, Any] = {}
    for spec in fields:
        name = spec.name
        if name not in POST_FIELDS:
            return graph_error(
                400,
                f"(#100) Tried accessing nonexisting field ({name}) on node type (PagePost)",
                100,
            )
        if name == "id":
            node["id"] = post.id
        elif name == "message" and post.message:
            node["message"] = post.message
        elif name == "created_time":
            node["created_time"] = graph_time(post.created_at)
        elif name == "permalink_url":
            page, _, number = post.id.partition("_")
            node["permalink_url"] = f"https://www.facebook.com/{page}/posts/{number}"
        elif name == "link" and post.link:
            node["link"] = post.link
        elif name == "shares" and counts["shares"]:
            node["shares"] = {"count": counts["shares"]}  # absent when nobody shared, as real
        elif name in ("reactions", "comments"):
            edge: dict[str, Any] = {"data": []}
            if "summary" in spec.modifiers:
                summary: dict[str, Any] = {"total_count": counts[name]}
                summary.update(
                    {"viewer_reaction": "NONE"} if name == "reactions" else {"order": "ranked"}
                )
                edge["summary"] = summary
            node[name] = edge
        elif name == "insights":
            names = [m for m in spec.modifiers.get("metric", "").split(",") if m]
            items = insights_items(post, names or list(CURRENT_METRICS), counts)
            if items is None:
                return invalid_metric()
            node["insights"] = {"data": items}
    node.setdefault("id", post.id)
    return node


def split_version(path: str) -> tuple[str, str]:
    """The API version named in the path (or the default) and the path after it."""
    found = _VERSION.match(path)
    if found is None:
        return DEFAULT_VERSION, path
    return found.group(1), path[found.end() :] or "/"


def request_param(request: Request, name: str) -> str | None:
    """A parameter from the query or, as Graph also takes them, from a form body."""
    value = request.args.get(name)
    return request.form.get(name) if value is None else value


def request_token(request: Request, default: str | None) -> str | None:
    return request_param(request, "access_token") or default


def attached_media(form: Mapping[str, str]) -> list[str]:
    """Photo ids from `attached_media[N]={"media_fbid": ...}` or a JSON array."""
    entries: list[Any] = []
    if "attached_media" in form:
        entries = json.loads(form["attached_media"])
    for key in sorted(k for k in form if re.fullmatch(r"attached_media\[\d+\]", k)):
        entries.append(json.loads(form[key]))
    return [str(e["media_fbid"]) for e in entries]


def graph_moment(value: str | None, default: datetime) -> datetime:
    """Graph's `since`/`until`: a Unix timestamp or an ISO 8601 date-time."""
    if not value:
        return default
    if value.isdigit():
        return datetime.fromtimestamp(int(value), UTC)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cursor(post_id: str) -> str:
    return base64.urlsafe_b64encode(post_id.encode()).decode()
