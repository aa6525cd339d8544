"""The Threads channel: container, then publish; a thread is each part replying to the last.

Creating a container posts nothing (it expires unpublished after 24 hours), so a lost answer
to one only costs a new container. Only `threads_publish` creates a post: a lost answer to it
is OutcomeUnknown, reconciled by `find_published` reading the account's posts and replies.
Before each publish the account's quota (`threads_publishing_limit`: 250 posts and 1,000
replies in 24 hours) is read, so a full quota waits (RateLimited) instead of being refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from campaign.config import Account
from campaign.errors import AuthRejected, Permanent, PublishError, RateLimited, Transient
from campaign.platforms import public_media_url
from campaign.platforms.threads import FACTS
from scheduler.channels.base import (
    AccountHealth,
    BeforeCreate,
    ClosingChannel,
    MetricReading,
    OutgoingMedia,
    OutgoingPost,
    PartSent,
    Sent,
)
from scheduler.channels.http import normalise_text
from scheduler.channels.threads_client import (
    NOT_FOUND_SUBCODE,
    PLATFORM,
    VERSION,
    ThreadsClient,
)

METRICS = ("views", "likes", "replies", "reposts", "quotes", "shares")
POST_FIELDS = "id,text,timestamp,permalink,shortcode"
REPLY_FIELDS = "id,text,timestamp,permalink,replied_to"
QUOTA_FIELDS = "quota_usage,config,reply_quota_usage,reply_config"
DAY = timedelta(hours=24)
STATUS_CHECKS = 5  # Meta: check a container's status at most a few times before giving up


class ThreadsChannel(ClosingChannel):
    """Publishes text and image posts and threads as one Threads user; reads them back."""

    platform = PLATFORM

    def __init__(
        self,
        account: Account,
        credentials: Mapping[str, str],
        *,
        timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
        status_wait: float = 2.0,
    ) -> None:
        token = credentials.get("access_token")
        if not token:
            raise AuthRejected(f"{account.name}: no access_token", platform=PLATFORM)
        if not account.user_id:
            raise ValueError(f"{account.name}: a Threads account needs user_id")
        self.account = account
        self.user_id = account.user_id
        self.client = ThreadsClient(account.resolved_base_url, token, timeout=timeout)
        self._sleep = sleep
        self.status_wait = status_wait

    def __repr__(self) -> str:
        return f"ThreadsChannel(account={self.account.name!r}, user_id={self.user_id!r})"

    def close(self) -> None:
        self.client.close()

    # -- publishing ------------------------------------------------------------------------

    def publish(
        self,
        post: OutgoingPost,
        *,
        already_sent: Sequence[str] = (),
        on_part_sent: PartSent | None = None,
        before_create: BeforeCreate | None = None,
    ) -> Sent:
        """Each part from the first not yet sent: a container (images with the first part),
        its status, then `threads_publish`; a later part replies to the part before it."""
        ids = [str(i) for i in already_sent]
        for index in range(len(ids), len(post.parts)):
            reply_to = ids[-1] if ids else None
            self._check_quota(reply=reply_to is not None)
            media = post.media if index == 0 else ()
            container = self._container(post.parts[index], media, reply_to)
            self._wait_until_ready(container)
            if before_create is not None:
                before_create(index)
            answer = self.client.post(
                f"{self.user_id}/threads_publish", {"creation_id": container}, creates=True
            )
            ids.append(str(answer["id"]))
            if on_part_sent is not None:
                on_part_sent(index, ids[-1])
        return Sent(ids[0], tuple(ids), url=self._permalink(ids[0]))

    def _container(self, text: str, media: Sequence[OutgoingMedia], reply_to: str | None) -> str:
        """A media container for one part: TEXT, IMAGE, or a CAROUSEL of image items."""
        fields: dict[str, Any] = {"text": text}
        if reply_to is not None:
            fields["reply_to_id"] = reply_to
        if not media:
            fields["media_type"] = "TEXT"
        elif len(media) == 1:
            fields.update(media_type="IMAGE", **self._image(media[0]))
        else:
            children = []
            for item in media:
                child = self._create(
                    {"media_type": "IMAGE", "is_carousel_item": "true"} | self._image(item)
                )
                children.append(child)
            fields.update(media_type="CAROUSEL", children=",".join(children))
        return self._create(fields)

    def _image(self, item: OutgoingMedia) -> dict[str, str]:
        base = self.account.media_base_url
        if not base:
            raise Permanent(
                f"{self.account.name}: Threads fetches images from a public address, and the "
                "account has no media_base_url: set it to where the campaign's images are "
                "published",
                platform=PLATFORM,
            )
        fields = {"image_url": public_media_url(base, item.file or item.path.name)}
        if item.alt:
            fields["alt_text"] = item.alt
        return fields

    def _create(self, fields: Mapping[str, Any]) -> str:
        # A container is not a post: a lost answer leaves at most an unused container.
        answer = self.client.post(f"{self.user_id}/threads", fields, creates=False)
        return str(answer["id"])

    def _wait_until_ready(self, container: str) -> None:
        """Publish only a FINISHED container; ERROR and EXPIRED are refusals, and one still
        IN_PROGRESS after a few looks is left (the next attempt makes a new one)."""
        for attempt in range(STATUS_CHECKS):
            state = self.client.get(container, {"fields": "status,error_message"})
            status = str(state.get("status") or "")
            if status == "FINISHED":
                return
            if status in ("ERROR", "EXPIRED"):
                why = state.get("error_message") or "no reason given"
                raise Permanent(
                    f"Threads could not prepare the post (container {status}: {why})",
                    platform=PLATFORM,
                )
            if attempt < STATUS_CHECKS - 1:
                self._sleep(self.status_wait)
        raise Transient(
            "Threads was still preparing the post (its image, most likely); nothing was "
            "published, it will be tried again",
            platform=PLATFORM,
        )

    def _check_quota(self, *, reply: bool) -> None:
        """RateLimited before a publish the account's 24-hour quota would refuse."""
        answer = self.client.get(
            f"{self.user_id}/threads_publishing_limit", {"fields": QUOTA_FIELDS}
        )
        usage = (answer.get("data") or [{}])[0]
        used_key, config_key = (
            ("reply_quota_usage", "reply_config")
            if reply
            else (
                "quota_usage",
                "config",
            )
        )
        config = usage.get(config_key) or {}
        total = config.get("quota_total")
        used = usage.get(used_key)
        if total is None or used is None or int(used) < int(total):
            return
        what = "replies" if reply else "posts"
        window = timedelta(seconds=int(config.get("quota_duration") or DAY.total_seconds()))
        reset = self._window_frees(reply, window)
        raise RateLimited(
            f"Threads allows {total} {what} in {window.total_seconds() / 3600:g} hours and "
            f"the account has used them all; it can post again "
            + (f"from {reset:%Y-%m-%d %H:%M} UTC" if reset else "later"),
            platform=PLATFORM,
            reset_at=reset,
        )

    def _window_frees(self, reply: bool, window: timedelta) -> datetime | None:
        """When the oldest post (or reply) in the window leaves it: the earliest a slot can
        free (Threads does not say when)."""
        now = self.client.last_date
        if now is None:
            return None
        edge = "replies" if reply else "threads"
        stamps = [
            _moment(item.get("timestamp"))
            for item in self._listing(edge, "id,timestamp", now - window)
        ]
        known = [s for s in stamps if s is not None]
        return min(known) + window if known else now + timedelta(hours=1)

    def _permalink(self, media_id: str) -> str | None:
        """The post's address; a failed read here must not turn a published post into a
        failure, so it falls back to the profile's address."""
        try:
            answer = self.client.get(media_id, {"fields": "permalink"})
        except PublishError:
            answer = {}
        found = answer.get("permalink")
        if found:
            return str(found)
        assert FACTS.post_url is not None
        return FACTS.post_url(self.account.handle, media_id, self.account)

    # -- reconciliation --------------------------------------------------------------------

    def find_published(
        self, post: OutgoingPost, since: datetime, *, already_sent: Sequence[str] = ()
    ) -> Sent | None:
        """The first part among the account's posts since `since` (by text), then each next
        part among its replies, replying to the part before it."""
        ids = [str(i) for i in already_sent]
        if not ids:
            head = self._match(self._listing("threads", POST_FIELDS, since), post.parts[0])
            if head is None:
                return None
            ids.append(head)
        if len(ids) < len(post.parts):
            replies = self._listing("replies", REPLY_FIELDS, since)
            while len(ids) < len(post.parts):
                parent = ids[-1]
                candidates = [
                    r for r in replies if str((r.get("replied_to") or {}).get("id")) == parent
                ]
                found = self._match(candidates, post.parts[len(ids)])
                if found is None:
                    break
                ids.append(found)
        return Sent(ids[0], tuple(ids), url=self._permalink(ids[0]))

    def _listing(self, edge: str, fields: str, since: datetime) -> list[dict[str, Any]]:
        """The account's posts (`threads`) or replies (`replies`) since `since`, all pages."""
        params: dict[str, Any] = {"fields": fields, "since": int(since.timestamp()), "limit": 100}
        items: list[dict[str, Any]] = []
        while True:
            answer = self.client.get(f"{self.user_id}/{edge}", params)
            items.extend(i for i in answer.get("data") or [] if isinstance(i, dict))
            paging = answer.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not (paging.get("next") and after):
                return items
            params["after"] = after

    @staticmethod
    def _match(items: list[dict[str, Any]], text: str) -> str | None:
        """The oldest item with this text (listings are newest first)."""
        wanted = normalise_text(text)
        found = None
        for item in items:
            if normalise_text(str(item.get("text") or "")) == wanted:
                found = str(item["id"])
        return found

    # -- metrics ---------------------------------------------------------------------------

    def fetch_metrics(self, platform_post_ids: Sequence[str]) -> dict[str, MetricReading]:
        return {k: v for batch in self.metric_batches(platform_post_ids) for k, v in batch.items()}

    def metric_batches(
        self, platform_post_ids: Sequence[str]
    ) -> Iterator[dict[str, MetricReading]]:
        """One insights request a post (Threads has no batch): each yielded when read."""
        for post_id in dict.fromkeys(str(i) for i in platform_post_ids):
            yield {post_id: self._insights(post_id)}

    def _insights(self, post_id: str) -> MetricReading:
        try:
            answer = self.client.get(f"{post_id}/insights", {"metric": ",".join(METRICS)})
        except (RateLimited, AuthRejected):
            raise
        except PublishError as exc:
            if exc.code == 100 and f"subcode {NOT_FOUND_SUBCODE}" in str(exc):
                return MetricReading(post_id, {}, api_version=VERSION, deleted=True)
            return MetricReading(post_id, {}, {"*": str(exc)}, api_version=VERSION)
        values: dict[str, int] = {}
        for item in answer.get("data") or []:
            name = item.get("name")
            points = item.get("values") or []
            total = item.get("total_value") or {}
            value = points[-1].get("value") if points else total.get("value")
            if name in METRICS and isinstance(value, int):
                values[str(name)] = value
        unavailable = {m: "not returned by Threads" for m in METRICS if m not in values}
        return MetricReading(post_id, values, unavailable, api_version=VERSION)

    # -- credentials -----------------------------------------------------------------------

    def probe(self) -> AccountHealth:
        """`GET /me` says whose token it is (it must be the configured user); the publishing
        quota says how much of the day's allowance is used. Threads gives no token expiry
        here (long-lived tokens last 60 days unless refreshed with `th_refresh_token`)."""
        me = self.client.get("me", {"fields": "id,username,name"})
        if str(me.get("id")) != self.user_id:
            raise AuthRejected(
                f"{self.account.name}: the access token belongs to Threads user "
                f"@{me.get('username')} (id {me.get('id')}), not to user_id {self.user_id}: "
                "give the account's own token or correct user_id",
                platform=PLATFORM,
            )
        notes = ["Threads long-lived tokens last 60 days unless refreshed"]
        limit = self.client.get(
            f"{self.user_id}/threads_publishing_limit", {"fields": QUOTA_FIELDS}
        )
        usage = (limit.get("data") or [{}])[0]
        total = (usage.get("config") or {}).get("quota_total")
        if total is not None and usage.get("quota_usage") is not None:
            notes.append(f"{usage['quota_usage']} of {total} posts used in the last 24 hours")
        return AccountHealth(
            platform=PLATFORM,
            account_id=str(me["id"]),
            name=str(me.get("name") or ""),
            handle=f"@{me['username']}" if me.get("username") else None,
            notes=tuple(notes),
        )


def _moment(stamp: Any) -> datetime | None:
    """Threads' `2026-12-02T09:00:00+0000` as an aware time."""
    try:
        return datetime.strptime(str(stamp), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


def build(account: Account, credentials: dict[str, str], timeout: float) -> ThreadsChannel:
    return ThreadsChannel(account, credentials, timeout=timeout)
