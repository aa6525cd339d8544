"""The Mastodon double's reads: the instance and its limits, the account, statuses one by one,
in a batch (4.3+) and on the account's timeline (newest first, `since_id`/`max_id`), and each
status's JSON with its deterministic counts."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from campaign.clock import Clock
from scheduler.sandbox.engagement import engagement
from scheduler.sandbox.faults import FaultInjector
from scheduler.sandbox.mastodon_model import (
    DESCRIPTION_LIMIT,
    IMAGE_SIZE_LIMIT,
    IMAGE_TYPES,
    INSTANCE_DOMAIN,
    MAX_MEDIA,
    VERSION,
    MastoAccount,
    MediaRecord,
    StatusRecord,
    account_json,
    content_html,
    error,
    iso,
    media_json,
)
from scheduler.sandbox.wsgi import json_response


class MastodonReads:
    """What the double answers to reads; `MastodonApi` holds the state."""

    clock: Clock
    _faults: FaultInjector
    accounts: dict[str, MastoAccount]
    statuses: list[StatusRecord]
    media: dict[str, MediaRecord]
    max_characters: int
    url_reserved: int
    batch_lookup: bool

    def _instance(self, request: Request) -> Response:
        return json_response(
            200,
            {
                "domain": INSTANCE_DOMAIN,
                "title": "Police Social",
                "version": VERSION,
                "api_versions": {"mastodon": 2},
                "source_url": "https://github.com/mastodon/mastodon",
                "configuration": {
                    "urls": {"streaming": f"wss://{INSTANCE_DOMAIN}"},
                    "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
                    "statuses": {
                        "max_characters": self.max_characters,
                        "max_media_attachments": MAX_MEDIA,
                        "characters_reserved_per_url": self.url_reserved,
                    },
                    "media_attachments": {
                        "supported_mime_types": list(IMAGE_TYPES),
                        "description_limit": DESCRIPTION_LIMIT,
                        "image_size_limit": IMAGE_SIZE_LIMIT,
                        "image_matrix_limit": 33_177_600,
                        "video_size_limit": 103_809_024,
                        "video_frame_rate_limit": 120,
                        "video_matrix_limit": 8_294_400,
                    },
                    "polls": {"max_options": 4, "max_characters_per_option": 50},
                },
                "registrations": {"enabled": False, "approval_required": True},
            },
        )

    def _instance_v1(self, request: Request) -> Response:
        return json_response(
            200, {"uri": INSTANCE_DOMAIN, "title": "Police Social", "version": VERSION}
        )

    def _me(self, request: Request, account: MastoAccount) -> Response:
        return json_response(200, self._account_json(account))

    def _account_json(self, account: MastoAccount) -> dict[str, Any]:
        mine = [s for s in self.statuses if s.account_id == account.account_id]
        return account_json(account, self.clock.now(), len(mine))

    # -- media ---------------------------------------------------------------------------------

    def _status(self, request: Request, account: MastoAccount, status_id: str) -> Response:
        status = self._find(status_id)
        if status is None or not status.visible(self.clock.now()):
            return error(404, "Record not found")
        return json_response(200, self._status_json(status))

    def _source(self, request: Request, account: MastoAccount, status_id: str) -> Response:
        status = self._find(status_id)
        if status is None or not status.visible(self.clock.now()):
            return error(404, "Record not found")
        return json_response(200, {"id": status_id, "text": status.text, "spoiler_text": ""})

    def _lookup(self, request: Request, account: MastoAccount) -> Response:
        if not self.batch_lookup:  # before Mastodon 4.3 this path only takes POST
            return error(404, "Record not found")
        now = self.clock.now()
        found = [self._find(i) for i in request.args.getlist("id[]")]
        return json_response(
            200, [self._status_json(s) for s in found if s is not None and s.visible(now)]
        )

    def _timeline(self, request: Request, account: MastoAccount, account_id: str) -> Response:
        owner = next((a for a in self.accounts.values() if a.account_id == account_id), None)
        if owner is None:
            return error(404, "Record not found")
        now = self.clock.now()
        limit = min(int(request.args.get("limit") or 20), 40)
        max_id, since_id = request.args.get("max_id"), request.args.get("since_id")
        exclude_replies = request.args.get("exclude_replies") in ("1", "true")
        chosen = [
            s
            for s in reversed(self.statuses)
            if s.account_id == account_id
            and s.visible(now)
            and (max_id is None or int(s.status_id) < int(max_id))
            and (since_id is None or int(s.status_id) > int(since_id))
            and not (exclude_replies and s.in_reply_to_id)
        ][:limit]
        return json_response(200, [self._status_json(s) for s in chosen])

    def _find(self, status_id: str) -> StatusRecord | None:
        return next((s for s in self.statuses if s.status_id == status_id), None)

    def _status_json(self, status: StatusRecord) -> dict[str, Any]:
        owner = next(a for a in self.accounts.values() if a.account_id == status.account_id)
        parent = self._find(status.in_reply_to_id) if status.in_reply_to_id else None
        age = self.clock.now() - status.created_at
        seed = self._faults.settings.seed

        def count(metric: str) -> int:
            return engagement(seed, status.status_id, metric, age)

        url = f"https://{INSTANCE_DOMAIN}/@{owner.username}/{status.status_id}"
        return {
            "id": status.status_id,
            "created_at": iso(status.created_at),
            "in_reply_to_id": status.in_reply_to_id,
            "in_reply_to_account_id": parent.account_id if parent else None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": status.visibility,
            "language": status.language,
            "uri": f"https://{INSTANCE_DOMAIN}/users/{owner.username}/statuses/{status.status_id}",
            "url": url,
            "replies_count": count("replies"),
            "reblogs_count": count("retweets"),
            "favourites_count": count("likes"),
            "quotes_count": count("quotes"),
            "edited_at": None,
            "content": content_html(status.text),
            "reblog": None,
            "application": {"name": "campaign", "website": None},
            "account": account_json(owner, self.clock.now(), 0),
            "media_attachments": [media_json(self.media[m]) for m in status.media_ids],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "card": None,
            "poll": None,
        }
