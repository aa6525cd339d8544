"""The Mastodon double's records and JSON shapes (Account, Status, MediaAttachment, Instance).

Shapes follow docs.joinmastodon.org/entities; only fields a client could rely on are filled.
A status's `content` is HTML rendered as Mastodon renders it: paragraphs, `<br />`, links in
anchors and mentions shown without their domain, so a client must not compare it as text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import langcodes
from werkzeug.wrappers import Response

from campaign.x_urls import find_urls
from scheduler.sandbox.wsgi import json_response

INSTANCE_DOMAIN = "police.social.example"
VERSION = "4.3.2"
MAX_CHARACTERS = 500
URL_RESERVED = 23
MAX_MEDIA = 4
DESCRIPTION_LIMIT = 1_500
IMAGE_SIZE_LIMIT = 16 * 1024 * 1024
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/heic", "image/heif", "image/webp")
_MENTION = re.compile(r"(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)((?:@\w+(?:[.-]+\w+)*)?)", re.I)


@dataclass
class MastoAccount:
    account_id: str
    username: str
    display_name: str
    token: str
    revoked: bool = False


@dataclass
class MediaRecord:
    media_id: str
    account_id: str
    mime: str
    size: int
    description: str
    polls_left: int  # GETs answered 206 (still processing) before it is ready
    status_id: str | None = None

    @property
    def ready(self) -> bool:
        return self.polls_left <= 0


@dataclass
class StatusRecord:
    status_id: str
    account_id: str
    text: str
    in_reply_to_id: str | None
    media_ids: list[str]
    created_at: datetime  # in the future while a late create has not landed
    language: str | None = None
    visibility: str = "public"
    deleted: bool = False
    idempotency_key: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def visible(self, now: datetime) -> bool:
        return not self.deleted and self.created_at <= now


def iso(moment: datetime) -> str:
    """Mastodon's timestamps: ISO 8601 in UTC with milliseconds and Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def account_json(account: MastoAccount, created: datetime, statuses: int) -> dict[str, Any]:
    base = f"https://{INSTANCE_DOMAIN}"
    return {
        "id": account.account_id,
        "username": account.username,
        "acct": account.username,
        "display_name": account.display_name,
        "locked": False,
        "bot": False,
        "discoverable": True,
        "group": False,
        "created_at": iso(created.replace(hour=0, minute=0, second=0, microsecond=0)),
        "note": "",
        "url": f"{base}/@{account.username}",
        "uri": f"{base}/users/{account.username}",
        "avatar": f"{base}/avatars/original/missing.png",
        "avatar_static": f"{base}/avatars/original/missing.png",
        "header": f"{base}/headers/original/missing.png",
        "header_static": f"{base}/headers/original/missing.png",
        "followers_count": 1200,
        "following_count": 40,
        "statuses_count": statuses,
        "last_status_at": None,
        "emojis": [],
        "fields": [],
    }


def media_json(media: MediaRecord) -> dict[str, Any]:
    base = f"https://files.{INSTANCE_DOMAIN}/media_attachments/files/{media.media_id}"
    kind = "gifv" if media.mime == "image/gif" else "image"
    return {
        "id": media.media_id,
        "type": kind,
        "url": f"{base}/original/image" if media.ready else None,
        "preview_url": f"{base}/small/image",
        "remote_url": None,
        "text_url": None,
        "meta": {"original": {"width": 1200, "height": 675, "size": "1200x675", "aspect": 1.78}},
        "description": media.description or None,
        "blurhash": "UFBWY:8_0Jxv4nWBs:WB00t7-;WB9Fj[s:jt",
    }


def content_html(text: str) -> str:
    """The text as Mastodon's TextFormatter renders it (the subset our posts use)."""
    pieces: list[str] = []
    pos = 0
    for span in find_urls(text):
        if not re.match(r"https?://", span.url, re.I):
            continue
        pieces.append(_mentions(html.escape(text[pos : span.start], quote=False)))
        scheme, _, rest = span.url.partition("://")
        shown, hidden = rest[:30], rest[30:]
        pieces.append(
            f'<a href="{html.escape(span.url)}" target="_blank" rel="nofollow noopener">'
            f'<span class="invisible">{scheme}://</span>'
            f'<span class="{"ellipsis" if hidden else ""}">{html.escape(shown)}</span>'
            f'<span class="invisible">{html.escape(hidden)}</span></a>'
        )
        pos = span.end
    pieces.append(_mentions(html.escape(text[pos:], quote=False)))
    paragraphs = "".join(pieces).replace("\r\n", "\n").split("\n\n")
    return "".join(f"<p>{p.replace(chr(10), '<br />')}</p>" for p in paragraphs if p)


def _mentions(escaped: str) -> str:
    def link(match: re.Match[str]) -> str:
        user, domain = match.group(1), match.group(2).lstrip("@") or INSTANCE_DOMAIN
        return (
            f'<span class="h-card" translate="no"><a href="https://{domain}/@{user}" '
            f'class="u-url mention">@<span>{user}</span></a></span>'
        )

    return _MENTION.sub(link, escaped)


def error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """Mastodon's error answer: `{"error": "..."}`."""
    return json_response(status, {"error": message}, headers=headers)


def posting_language(given: object) -> str | None:
    """The language a status is filed under: an ISO 639 code the instance knows ("cy"), as
    Mastodon keeps it; anything else (a region tag "en-GB", a made-up code) is dropped for
    the account's default, as Mastodon does without an error. The double's accounts have no
    default: None."""
    code = str(given or "")
    if not code or code != code.lower() or not 2 <= len(code) <= 3 or not code.isalpha():
        return None
    known = langcodes.tag_is_valid(code) and langcodes.Language.get(code).is_valid()
    return code if known else None
