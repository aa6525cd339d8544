"""The Bluesky double's records and rules: accounts, sessions, posts, and the lexicon checks a
PDS applies to an `app.bsky.feed.post` record before it accepts it."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import langcodes
from werkzeug.wrappers import Response

from campaign.platforms.bluesky import (
    MAX_GRAPHEMES,
    MAX_IMAGE_BYTES,
    MAX_IMAGES,
    MAX_LANGS,
    graphemes,
)
from scheduler.sandbox.wsgi import json_response

POST = "app.bsky.feed.post"
ACCESS_LIFETIME = timedelta(hours=2)  # the PDS's access tokens; refresh tokens last 90 days
REFRESH_LIFETIME = timedelta(days=90)
MAX_TEXT_BYTES = 3_000
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def xrpc_error(status: int, error: str, message: str, **headers: str) -> Response:
    """An XRPC error answer: `{"error": "...", "message": "..."}`."""
    return json_response(status, {"error": error, "message": message}, headers=headers)


def invalid_record(detail: str) -> Response:
    """What the PDS answers when lexicon validation refuses the record."""
    return xrpc_error(400, "InvalidRequest", f"Invalid {POST} record: {detail}")


def tid(micros: int, clock_id: int = 0) -> str:
    """A record key: 13 base32-sortable characters of microseconds and a clock id."""
    value = (micros << 10) | (clock_id & 0x3FF)
    return "".join(_TID_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def cid_of(payload: Any) -> str:
    """A CID-shaped content hash (base32 `bafyrei…`), stable for the same content."""
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).digest()
    return "bafyrei" + base64.b32encode(digest).decode().lower().rstrip("=")[:52]


def jwt(claims: dict[str, Any]) -> str:
    """A token shaped like the PDS's (header.claims.signature); the double keeps the real list."""

    def part(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    signature = hashlib.sha256(json.dumps(claims, sort_keys=True).encode()).digest()
    header = {"typ": "at+jwt", "alg": "ES256K"}
    return f"{part(header)}.{part(claims)}.{base64.urlsafe_b64encode(signature).decode()[:43]}"


@dataclass
class BskyAccount:
    """One account on the PDS: who it is, its app password, and its sessions."""

    did: str
    handle: str
    display_name: str
    app_password: str
    revoked: bool = False
    access: dict[str, datetime] = field(default_factory=dict)  # token -> expires at
    refresh: dict[str, datetime] = field(default_factory=dict)


@dataclass
class PostRecord:
    """A post in an account's repository, as created (and when it became visible)."""

    did: str
    rkey: str
    cid: str
    value: dict[str, Any]
    created: datetime
    visible_from: datetime
    deleted: bool = False

    @property
    def uri(self) -> str:
        return f"at://{self.did}/{POST}/{self.rkey}"

    @property
    def text(self) -> str:
        return str(self.value.get("text", ""))

    @property
    def langs(self) -> list[str]:
        """The record's `langs` as sent ([] when it gave none)."""
        return [str(tag) for tag in self.value.get("langs") or []]

    def view(self) -> dict[str, Any]:
        return {"uri": self.uri, "cid": self.cid, "value": self.value}


@dataclass(frozen=True)
class Blob:
    cid: str
    mime: str
    size: int


def check_record(
    record: Any, blobs: dict[str, Blob], posts: dict[str, PostRecord]
) -> Response | None:
    """The lexicon's rules for a post, and strong references that resolve; None when valid."""
    if not isinstance(record, dict) or record.get("$type") != POST:
        return invalid_record("Record/$type must be app.bsky.feed.post")
    text = record.get("text")
    if not isinstance(text, str) or not isinstance(record.get("createdAt"), str):
        return invalid_record("Record must have the properties text and createdAt")
    if graphemes(text) > MAX_GRAPHEMES:
        return invalid_record(f"Record/text must not be longer than {MAX_GRAPHEMES} graphemes")
    if len(text.encode()) > MAX_TEXT_BYTES:
        return invalid_record(f"Record/text must not be longer than {MAX_TEXT_BYTES} characters")
    return (
        _check_langs(record.get("langs"))
        or _check_facets(text, record.get("facets") or [])
        or _check_embed(record.get("embed"), blobs)
        or _check_reply(record.get("reply"), posts)
    )


def _check_langs(langs: Any) -> Response | None:
    """`langs`: at most 3 strings, each a well-formed BCP 47 tag (the lexicon's "language")."""
    if langs is None:
        return None
    if not isinstance(langs, list) or len(langs) > MAX_LANGS:
        return invalid_record(f"Record/langs must not have more than {MAX_LANGS} elements")
    for n, tag in enumerate(langs):
        if not isinstance(tag, str) or not langcodes.tag_is_valid(tag):
            return invalid_record(f"Record/langs/{n} must be a well-formed BCP 47 language tag")
    return None


def _check_facets(text: str, facets: list[Any]) -> Response | None:
    """Byte ranges must lie inside the text's UTF-8 bytes, on character boundaries.

    Stricter than the PDS, which stores any range (the app then drops facets that do not fit
    the text): refusing them here makes a client that counts code points instead of bytes fail
    its tests. What a link's text says is free ("this site" may link anywhere).
    """
    data = text.encode()
    for n, facet in enumerate(facets):
        index = facet.get("index") or {}
        start, end = index.get("byteStart"), index.get("byteEnd")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(data)):
            return invalid_record(f"Record/facets/{n}/index is outside the text")
        try:
            data[start:end].decode()
        except UnicodeDecodeError:
            return invalid_record(f"Record/facets/{n}/index cuts a character in two")
    return None


def _check_embed(embed: Any, blobs: dict[str, Blob]) -> Response | None:
    if embed is None:
        return None
    if embed.get("$type") != "app.bsky.embed.images":
        return invalid_record("Record/embed: only app.bsky.embed.images in this sandbox")
    images = embed.get("images") or []
    if len(images) > MAX_IMAGES:
        return invalid_record(f"Record/embed/images must not have more than {MAX_IMAGES} elements")
    for n, image in enumerate(images):
        where = f"Record/embed/images/{n}"
        if not isinstance(image.get("alt"), str):
            return invalid_record(f"{where} must have the property alt")
        ref = ((image.get("image") or {}).get("ref") or {}).get("$link")
        blob = blobs.get(str(ref))
        if blob is None:
            return xrpc_error(400, "InvalidRequest", f"Could not find blob: {ref}")
        if not blob.mime.startswith("image/"):
            return invalid_record(f"{where}/image has an unacceptable mime type: {blob.mime}")
        if blob.size > MAX_IMAGE_BYTES:
            return invalid_record(
                f"{where}/image file too large ({blob.size} bytes). {MAX_IMAGE_BYTES} bytes maximum"
            )
    return None


def _check_reply(reply: Any, posts: dict[str, PostRecord]) -> Response | None:
    """`root` and `parent` must be strong refs (uri + cid) of posts that exist; the parent's
    thread root must be the root named."""
    if reply is None:
        return None
    refs = {}
    for name in ("root", "parent"):
        ref = reply.get(name) or {}
        post = posts.get(str(ref.get("uri")))
        if post is None or post.cid != ref.get("cid"):
            return invalid_record(f"Record/reply/{name} is not a strong ref to an existing post")
        refs[name] = post
    parent_root = (refs["parent"].value.get("reply") or {}).get("root", {}).get("uri")
    if (parent_root or refs["parent"].uri) != refs["root"].uri:
        return invalid_record("Record/reply/root is not the root of the parent's thread")
    return None
