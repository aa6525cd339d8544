"""The Mastodon channel: the real `mastodon.Mastodon` client (Mastodon.py) behind our interface.

Mastodon.py sends to the account's instance with our timeout and `ratelimit_method="throw"`
(the publisher schedules retries), and wraps every failure of its session in its own
exceptions, whose text can hold the request. So we give it a `requests.Session` of our own
whose response hook turns every refusal into our exception with our own words (the instance's
`{"error": ...}` message, never the token) and read the original back from the wrapper.

Every status is created with an `Idempotency-Key` fixed by the post, the part and its text: a
retried create inside an hour returns the status made the first time, never a second one.
"""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import requests
from mastodon import Mastodon, MastodonError

from campaign.config import Account
from campaign.errors import (
    AuthRejected,
    OutcomeUnknown,
    Permanent,
    PublishError,
    Transient,
)
from campaign.platforms.mastodon import DEFAULT_MAX_CHARACTERS, DEFAULT_URL_LENGTH, FACTS
from campaign.platforms.mastodon_length import without_mention_domains
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
from scheduler.channels.http import chunks, normalise_text, redact, transport_error
from scheduler.channels.mastodon_answers import (
    check_answer,
    idempotency_key,
    original_error,
    reading,
    status_text,
)

LOOKUP_BATCH = 20
TIMELINE_PAGE = 40


class MastodonChannel(ClosingChannel):
    """Publishes threads (with images and descriptions), finds them again, reads metrics."""

    platform = "mastodon"

    def __init__(
        self,
        account: Account,
        credentials: Mapping[str, str],
        *,
        timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
        media_wait_seconds: float = 60.0,
    ) -> None:
        token = credentials.get("access_token")
        if not token:
            raise AuthRejected(f"{account.name}: no access_token", platform=self.platform)
        self.account = account
        self.timeout = timeout
        self._sleep = sleep
        self._media_wait = media_wait_seconds
        self._secrets = (token,)
        self._session = requests.Session()
        self._session.hooks["response"].append(self._check_answer)
        self._api = Mastodon(
            access_token=token,
            api_base_url=account.resolved_base_url,
            request_timeout=timeout,
            ratelimit_method="throw",
            version_check_mode="none",
            session=self._session,
        )
        self._account_id: str | None = None
        self._version_known = False

    def __repr__(self) -> str:
        return (
            f"MastodonChannel(account={self.account.name!r}, "
            f"base_url={self.account.resolved_base_url!r})"
        )

    def close(self) -> None:
        self._session.close()

    # -- publishing ------------------------------------------------------------------------

    def publish(
        self,
        post: OutgoingPost,
        *,
        already_sent: Sequence[str] = (),
        on_part_sent: PartSent | None = None,
        before_create: BeforeCreate | None = None,
    ) -> Sent:
        """Each part replies to the one before; images (with descriptions) go with the first."""
        ids = [str(i) for i in already_sent]
        if len(ids) > len(post.parts):
            raise ValueError(
                f"{post.key}: {len(ids)} parts sent but the post has {len(post.parts)}"
            )
        for index in range(len(ids), len(post.parts)):
            media_ids = self._upload(post.media) if index == 0 and post.media else None
            if before_create is not None:
                before_create(index)
            status = self._call(
                self._api.status_post,
                post.parts[index],
                in_reply_to_id=ids[-1] if ids else None,
                media_ids=media_ids,
                visibility="public",
                # ISO 639 ("cy"): the instance files it so readers' language filters work
                language=next(iter(post.language_codes(1)), None),
                idempotency_key=idempotency_key(post, index),
                creates=True,
            )
            status_id = str(status.get("id") or "") if isinstance(status, dict) else ""
            if not status_id:
                raise OutcomeUnknown(
                    "the instance answered without the new post's id; look for the post "
                    "before sending again",
                    platform=self.platform,
                )
            ids.append(status_id)
            if on_part_sent is not None:
                on_part_sent(index, status_id)
        return self._sent(ids)

    def _upload(self, media: Sequence[OutgoingMedia]) -> list[str]:
        """Upload each image with its description; wait until the instance has processed it
        (a status cannot attach media still processing)."""
        if not self._version_known:
            # Mastodon.py picks the media route (v2, asynchronous, from 3.1.4) by the
            # instance's version, and would guess 1.0.0 quietly if asking failed: ask first.
            self._call(self._api.retrieve_mastodon_version, fail_hard=True)
            self._version_known = True
        ids = []
        for item in media:
            mime = mimetypes.guess_type(item.path.name)[0] or "application/octet-stream"
            with item.path.open("rb") as data:  # Mastodon.py would leave a path's file open
                answer = self._call(
                    self._api.media_post,
                    data,
                    mime_type=mime,
                    file_name=item.path.name,
                    description=item.alt or None,
                )
            media_id = str(answer["id"])
            waited, pause = 0.0, 0.1
            while not answer.get("url"):
                if waited >= self._media_wait:
                    name = item.file or item.path.name
                    raise Transient(
                        f"the instance was still processing the image {name} "
                        f"after {self._media_wait:g} seconds",
                        platform=self.platform,
                    )
                self._sleep(pause)
                waited += pause
                pause = min(pause * 2, 2.0)
                answer = self._call(self._api.media, media_id)
            ids.append(media_id)
        return ids

    def _sent(self, ids: Sequence[str]) -> Sent:
        url = FACTS.post_url(self.account.handle, ids[0], self.account) if FACTS.post_url else None
        return Sent(ids[0], tuple(ids), url=url)

    # -- reconciliation --------------------------------------------------------------------

    def find_published(
        self, post: OutgoingPost, since: datetime, *, already_sent: Sequence[str] = ()
    ) -> Sent | None:
        """Look through the account's statuses since `since` (replies included) for the
        thread, part by part. The instance gives HTML with mentions shown without their
        domain, so both sides are compared as plain text that way."""
        statuses = self._statuses_since(since)
        wanted = [normalise_text(without_mention_domains(part)) for part in post.parts]
        chain = [str(i) for i in already_sent]
        if not chain:
            head = next(
                (
                    s
                    for s in statuses
                    if not s.get("in_reply_to_id") and status_text(s) == wanted[0]
                ),
                None,
            )
            if head is None:
                return None
            chain.append(str(head["id"]))
        while len(chain) < len(post.parts):
            follow = next(
                (
                    s
                    for s in statuses
                    if str(s.get("in_reply_to_id")) == chain[-1]
                    and status_text(s) == wanted[len(chain)]
                ),
                None,
            )
            if follow is None:
                break
            chain.append(str(follow["id"]))
        return self._sent(chain)

    def _statuses_since(self, since: datetime) -> list[dict[str, Any]]:
        """The account's statuses created since `since`, oldest first (all pages)."""
        account_id = self._own_id()
        found: list[dict[str, Any]] = []
        max_id: str | None = None
        while True:
            page = self._call(
                self._api.account_statuses,
                account_id,
                since_id=since,
                max_id=max_id,
                limit=TIMELINE_PAGE,
            )
            batch = [dict(s) for s in page or []]
            found.extend(batch)
            if len(batch) < TIMELINE_PAGE:
                return sorted(found, key=lambda s: int(s["id"]))
            max_id = str(min(int(s["id"]) for s in batch))

    def _own_id(self) -> str:
        if self._account_id is None:
            me = self._call(self._api.account_verify_credentials)
            self._account_id = str(me["id"])
        return self._account_id

    # -- credentials -----------------------------------------------------------------------

    def probe(self) -> AccountHealth:
        """`verify_credentials` (who the token acts for; Mastodon tokens do not expire) and
        the instance's limits, compared with what the checks assume for this account."""
        me = self._call(self._api.account_verify_credentials)
        try:
            self._account_id = str(me["id"])
        except (KeyError, TypeError):
            raise Transient(
                "the instance answered the token check without an account", platform=self.platform
            ) from None
        info = self._call(self._api.instance_v2)
        notes = ("Mastodon access tokens do not expire; they stop working only when revoked",)
        host = str(info.get("domain") or self.account.resolved_base_url.split("://", 1)[-1])
        return AccountHealth(
            platform=self.platform,
            account_id=self._account_id,
            name=str(me.get("display_name") or me.get("username") or ""),
            handle=f"@{me.get('acct') or me.get('username')}@{host}",
            expires_at=None,
            notes=notes,
            warnings=tuple(self.instance_limits(info)),
        )

    def instance_limits(self, info: Mapping[str, Any]) -> list[str]:
        """Where the instance's limits (`/api/v2/instance`) are tighter than, or differ from,
        what the checks assume for this account, in plain words; empty when they agree."""
        config = info.get("configuration") or {}
        statuses = config.get("statuses") or {}
        problems = []
        assumed = self.account.max_characters or DEFAULT_MAX_CHARACTERS
        allowed = statuses.get("max_characters")
        if isinstance(allowed, int) and assumed > allowed:
            problems.append(
                f"the instance takes at most {allowed} characters a post but the checks allow "
                f"{assumed}: posts could be refused (set max_characters = {allowed})"
            )
        per_url = statuses.get("characters_reserved_per_url")
        expected = self.account.characters_reserved_per_url or DEFAULT_URL_LENGTH
        if isinstance(per_url, int) and per_url != expected:
            problems.append(
                f"the instance counts each link as {per_url} characters but the checks count "
                f"{expected} (set characters_reserved_per_url = {per_url})"
            )
        return problems

    # -- metrics ---------------------------------------------------------------------------

    def fetch_metrics(self, platform_post_ids: Sequence[str]) -> dict[str, MetricReading]:
        return {k: v for batch in self.metric_batches(platform_post_ids) for k, v in batch.items()}

    def metric_batches(
        self, platform_post_ids: Sequence[str]
    ) -> Iterator[dict[str, MetricReading]]:
        """Up to 20 statuses a request (`GET /api/v1/statuses?id[]=`, Mastodon 4.3+); one
        status a request on older instances. A status not returned is looked up alone, so a
        deleted one is known as deleted."""
        ids = list(dict.fromkeys(str(i) for i in platform_post_ids))
        batched = True
        for chunk in chunks(ids, LOOKUP_BATCH):
            readings: dict[str, MetricReading] = {}
            if batched:
                try:
                    for status in self._call(self._api.statuses, list(chunk)) or []:
                        readings[str(status["id"])] = reading(status)
                except Permanent as exc:
                    if exc.code not in (404, 405):
                        raise
                    batched = False  # an instance before 4.3
            for status_id in chunk:
                if status_id not in readings:
                    readings[status_id] = self._one(status_id)
            yield readings

    def _one(self, status_id: str) -> MetricReading:
        try:
            return reading(self._call(self._api.status, status_id))
        except Permanent as exc:
            if exc.code == 404:
                return MetricReading(status_id, {}, deleted=True)
            raise

    # -- HTTP and errors -------------------------------------------------------------------

    def _call(
        self, method: Callable[..., Any], *args: Any, creates: bool = False, **kw: Any
    ) -> Any:
        """Run a Mastodon.py call; give back our exception from under its wrapper."""
        try:
            return method(*args, **kw)
        except MastodonError as exc:
            cause = original_error(exc)
            if isinstance(cause, PublishError):
                raise cause from None
            if isinstance(cause, requests.RequestException):
                raise transport_error(
                    cause, platform=self.platform, creates=creates, secrets=self._secrets
                ) from None
            message = redact(f"Mastodon client error: {type(exc).__name__}", self._secrets)
            raise Permanent(message, platform=self.platform) from None

    def _check_answer(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Response hook: a refusal becomes our exception before Mastodon.py sees it."""
        check_answer(response, self._secrets)
