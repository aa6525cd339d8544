"""The Bluesky channel: the `atproto` client (XRPC over httpx) behind our interface.

One session per channel: `createSession` is limited to 30 per 5 minutes and 300 a day per
handle, so the channel logs in once and, when the PDS answers `ExpiredToken`, refreshes with
`refreshSession` (logging in again only if the refresh token is refused too). The tokens stay
in the client's memory: never logged, stored or put in a message. Links and hashtags are sent
as facets over UTF-8 byte ranges, or the app shows them as plain text.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import httpx
from atproto_client import Client, models
from atproto_client.exceptions import RequestErrorBase
from atproto_client.models.common import XrpcError
from atproto_client.models.utils import get_response_model
from atproto_client.request import Request
from atproto_client.utils import facet_detection
from PIL import Image

from campaign.clock import Clock, SystemClock
from campaign.config import Account
from campaign.errors import (
    AuthRejected,
    OutcomeUnknown,
    Permanent,
    PublishError,
    RateLimited,
    Transient,
)
from campaign.platforms.bluesky import FACTS, MAX_IMAGES, MAX_LANGS
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
from scheduler.channels.http import chunks, normalise_text, redact

T = TypeVar("T")
POST = "app.bsky.feed.post"
GET_POSTS_BATCH = 25
COUNTS = ("likeCount", "repostCount", "replyCount", "quoteCount")
SESSION_ERRORS = ("ExpiredToken", "InvalidToken")
AUTH_ERRORS = ("AuthenticationRequired", "AccountTakedown", "AuthFactorTokenRequired")
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
LIST_PAGES = 10  # 1,000 posts back at most when looking for a lost one


class _Client(Client):  # type: ignore[misc]  # atproto ships no type marker
    """The SDK client without its wall-clock refresh: the PDS's `ExpiredToken` decides."""

    def _should_refresh_session(self) -> bool:
        return False


class BlueskyChannel(ClosingChannel):
    """Publishes threads (images with alt text), finds them again, reads their counts."""

    platform = "bluesky"

    def __init__(
        self,
        account: Account,
        credentials: Mapping[str, str],
        *,
        timeout: float = 10.0,
        clock: Clock | None = None,
    ) -> None:
        password = credentials.get("app_password", "")
        if not password or not account.handle:
            raise AuthRejected(
                f"{account.name}: the account needs a handle and an app password",
                platform=self.platform,
            )
        self.account = account
        self.clock: Clock = clock or SystemClock()
        self._handle = account.handle.lstrip("@")
        self._password = password
        self._client = _Client(account.resolved_base_url, request=Request(timeout=timeout))
        # A channel dropped without `close()` (the daemon keeps its channels for its life)
        # still closes its connections.
        weakref.finalize(self, self._client.request.close)
        self._did: str | None = None

    def __repr__(self) -> str:
        where = self.account.resolved_base_url
        return f"BlueskyChannel(account={self.account.name!r}, base_url={where!r})"

    def close(self) -> None:
        self._client.request.close()

    # -- publishing ------------------------------------------------------------------------

    def publish(
        self,
        post: OutgoingPost,
        *,
        already_sent: Sequence[str] = (),
        on_part_sent: PartSent | None = None,
        before_create: BeforeCreate | None = None,
    ) -> Sent:
        """Each part replies to the previous one with the thread's root; images go first."""
        ids = [str(i) for i in already_sent]
        if len(ids) > len(post.parts):
            raise ValueError(
                f"{post.key}: {len(ids)} parts sent but the post has {len(post.parts)}"
            )
        did = self._session_did()
        refs = [self._strong_ref(ids[0]), self._strong_ref(ids[-1])] if ids else []
        for index in range(len(ids), len(post.parts)):
            embed = self._upload(post.media) if index == 0 and post.media else None
            reply = models.AppBskyFeedPost.ReplyRef(root=refs[0], parent=refs[-1]) if refs else None
            record = models.AppBskyFeedPost.Record(
                text=post.parts[index],
                created_at=self.clock.now().astimezone(UTC).isoformat().replace("+00:00", "Z"),
                facets=facet_detection.detect_facets(post.parts[index]) or None,
                embed=embed,
                reply=reply,
                # the lexicon's `langs`: at most 3 BCP 47 tags (what apps filter feeds by)
                langs=list(dict.fromkeys(post.languages))[:MAX_LANGS] or None,
            )
            if before_create is not None:
                before_create(index)
            created = self._call(
                partial(self._client.app.bsky.feed.post.create, did, record),
                creates=True,
            )
            ref = models.ComAtprotoRepoStrongRef.Main(uri=created.uri, cid=created.cid)
            refs = [refs[0] if refs else ref, ref]
            ids.append(created.uri)
            if on_part_sent is not None:
                on_part_sent(index, created.uri)
        return self._sent(ids)

    def _upload(self, media: Sequence[OutgoingMedia]) -> models.AppBskyEmbedImages.Main:
        if len(media) > MAX_IMAGES:  # before uploading anything
            raise Permanent(
                f"Bluesky takes at most {MAX_IMAGES} images a post; this one has {len(media)}",
                platform=self.platform,
            )
        images = []
        for item in media:
            data = item.path.read_bytes()
            with Image.open(item.path) as picture:
                width, height = picture.size
                mime = Image.MIME.get(picture.format or "", "application/octet-stream")
            uploaded = self._call(partial(self._upload_blob, data, mime))
            images.append(
                models.AppBskyEmbedImages.Image(
                    alt=item.alt,
                    image=uploaded.blob,
                    aspect_ratio=models.AppBskyEmbedDefs.AspectRatio(width=width, height=height),
                )
            )
        return models.AppBskyEmbedImages.Main(images=images)

    def _upload_blob(self, data: bytes, mime: str) -> models.ComAtprotoRepoUploadBlob.Response:
        """`uploadBlob` with the bytes as the body (the SDK's helper hands httpx `data=`,
        which httpx deprecates) and the image's own type (the PDS checks it on use)."""
        response = self._client.invoke_procedure(
            "com.atproto.repo.uploadBlob",
            content=data,
            headers={"Content-Type": mime},
            output_encoding="application/json",
        )
        return get_response_model(response, models.ComAtprotoRepoUploadBlob.Response)

    def _strong_ref(self, uri: str) -> models.ComAtprotoRepoStrongRef.Main:
        """A sent part's uri and cid, read back from the repository (to resume a thread)."""
        repo, _, rkey = uri.removeprefix("at://").partition(f"/{POST}/")
        found = self._call(lambda: self._client.app.bsky.feed.post.get(repo, rkey))
        return models.ComAtprotoRepoStrongRef.Main(uri=found.uri, cid=str(found.cid))

    def _sent(self, ids: Sequence[str]) -> Sent:
        url = FACTS.post_url(self.account.handle, ids[0], self.account) if FACTS.post_url else None
        return Sent(ids[0], tuple(ids), url=url)

    # -- reconciliation --------------------------------------------------------------------

    def find_published(
        self, post: OutgoingPost, since: datetime, *, already_sent: Sequence[str] = ()
    ) -> Sent | None:
        """Look through the account's posts since `since` (`listRecords`) for the thread.

        Without `already_sent`, the head is the oldest non-reply post with the first part's
        text; each next part is a reply to the previous one with the next part's text.
        """
        records = self._recent(since)
        wanted = [normalise_text(part) for part in post.parts]
        replies: dict[str | None, list[Any]] = defaultdict(list)
        for record in records:
            reply = record.value.reply
            replies[reply.parent.uri if reply else None].append(record)
        chain = [str(i) for i in already_sent]
        if not chain:
            head = next(
                (r for r in replies[None] if normalise_text(r.value.text) == wanted[0]), None
            )
            if head is None:
                return None
            chain.append(head.uri)
        while len(chain) < len(post.parts):
            follow = next(
                (
                    r
                    for r in replies[chain[-1]]
                    if normalise_text(r.value.text) == wanted[len(chain)]
                ),
                None,
            )
            if follow is None:
                break
            chain.append(follow.uri)
        return self._sent(chain)

    def _recent(self, since: datetime) -> list[Any]:
        """The account's posts the PDS created since `since`, oldest first.

        The record key (a TID the PDS made from its own clock) says when, like X's server-side
        `start_time`; `createdAt` is only what the sending client claimed.
        """
        did = self._session_did()
        found: list[Any] = []
        cursor: str | None = None
        for _ in range(LIST_PAGES):
            params = {"repo": did, "collection": POST, "limit": 100, "cursor": cursor}
            page = self._call(partial(self._client.com.atproto.repo.list_records, params))
            older = False
            for record in page.records:
                if _tid_time(record.uri.rsplit("/", 1)[-1]) < since:
                    older = True  # newest first: the rest are older still
                    continue
                found.append(record)
            cursor = page.cursor
            if older or not cursor:
                break
        return sorted(found, key=lambda r: r.uri.rsplit("/", 1)[-1])

    # -- credentials -----------------------------------------------------------------------

    def probe(self) -> AccountHealth:
        """`getSession` (the app password still logs in) and `getProfile` (the name shown)."""
        session = self._call(lambda: self._client.com.atproto.server.get_session())
        self._did = session.did
        profile = self._call(
            lambda: self._client.app.bsky.actor.get_profile({"actor": session.did})
        )
        return AccountHealth(
            platform=self.platform,
            account_id=session.did,
            name=str(profile.display_name or ""),
            handle=f"@{session.handle}",
            expires_at=None,
            notes=("Bluesky app passwords do not expire; they stop working when revoked",),
        )

    # -- metrics ---------------------------------------------------------------------------

    def fetch_metrics(self, platform_post_ids: Sequence[str]) -> dict[str, MetricReading]:
        return {k: v for batch in self.metric_batches(platform_post_ids) for k, v in batch.items()}

    def metric_batches(
        self, platform_post_ids: Sequence[str]
    ) -> Iterator[dict[str, MetricReading]]:
        """`app.bsky.feed.getPosts`, 25 posts a request; a post it leaves out is gone. Bluesky
        shows no views: they are unavailable, never 0."""
        ids = list(dict.fromkeys(str(i) for i in platform_post_ids))
        for chunk in chunks(ids, GET_POSTS_BATCH):
            answer = self._call(
                partial(self._client.app.bsky.feed.get_posts, {"uris": list(chunk)})
            )
            readings: dict[str, MetricReading] = {}
            for view in answer.posts:
                values = {
                    "likeCount": view.like_count or 0,
                    "repostCount": view.repost_count or 0,
                    "replyCount": view.reply_count or 0,
                    "quoteCount": view.quote_count or 0,
                }
                unavailable = {"views": "Bluesky does not show views"}
                readings[view.uri] = MetricReading(view.uri, values, unavailable, "xrpc")
            for uri in chunk:
                readings.setdefault(uri, MetricReading(uri, {}, api_version="xrpc", deleted=True))
            yield readings

    # -- sessions, HTTP and errors ---------------------------------------------------------

    def _session_did(self) -> str:
        if self._did is None:
            self._login()
        assert self._did is not None
        return self._did

    def _login(self) -> None:
        session = self._attempt(
            lambda: self._client.login(self._handle, self._password, fetch_bsky_profile=False),
            creates=False,
        )
        del session
        assert self._client._session is not None
        self._did = self._client._session.did

    def _call(self, method: Callable[[], T], *, creates: bool = False) -> T:
        """Call the PDS with the session, refreshing it once if the PDS says it expired."""
        if self._client._session is None:
            self._login()
        try:
            return method()
        except (RequestErrorBase, httpx.TransportError) as exc:
            if _xrpc(exc)[0] not in SESSION_ERRORS:
                raise self._error(exc, creates) from None
        self._renew()
        return self._attempt(method, creates=creates)

    def _renew(self) -> None:
        """`refreshSession`, or a new login if the refresh token is refused too."""
        try:
            self._client._refresh_and_set_session()
        except RequestErrorBase as exc:
            if _xrpc(exc)[0] not in SESSION_ERRORS:
                raise self._error(exc, False) from None
            self._login()

    def _attempt(self, method: Callable[[], T], *, creates: bool) -> T:
        try:
            return method()
        except (RequestErrorBase, httpx.TransportError) as exc:
            raise self._error(exc, creates) from None

    def _error(self, exc: RequestErrorBase | httpx.TransportError, creates: bool) -> PublishError:
        """Map an XRPC failure to our exceptions, in words, without tokens or passwords."""
        secrets = [self._password]
        if self._client._session is not None:
            secrets += [self._client._session.access_jwt, self._client._session.refresh_jwt]
        response = exc.response if isinstance(exc, RequestErrorBase) else None
        if response is None:
            return _transport(exc, creates=creates, platform=self.platform)
        status = response.status_code
        error, detail = _xrpc(exc)
        message = redact(f"HTTP {status} {error or 'error'}: {detail or 'no message'}", secrets)
        options: dict[str, Any] = {"platform": self.platform, "code": error or status}
        if status == 429:
            reset = str(response.headers.get("ratelimit-reset", ""))
            when = datetime.fromtimestamp(int(reset), UTC) if reset.isdigit() else None
            return RateLimited(message, reset_at=when, **options)
        if status == 401 or error in AUTH_ERRORS + SESSION_ERRORS:
            return AuthRejected(message, **options)
        if status >= 500:
            return Transient(message, **options)
        return Permanent(message, **options)


def _xrpc(exc: RequestErrorBase | httpx.TransportError) -> tuple[str, str]:
    response = exc.response if isinstance(exc, RequestErrorBase) else None
    content = response.content if response is not None else None
    if isinstance(content, XrpcError):
        return str(content.error or ""), str(content.message or "")
    return "", ""


def _transport(
    exc: RequestErrorBase | httpx.TransportError, *, creates: bool, platform: str
) -> PublishError:
    """No answer: was anything sent? A connect failure sent nothing; a lost or late answer
    to a create leaves the post's existence unknown. (The SDK wraps timeouts and network
    errors, with httpx's exception as the cause, and lets protocol errors through.)"""
    cause = exc.__cause__ if isinstance(exc, RequestErrorBase) else exc
    if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout):
        return Transient("could not connect to Bluesky, nothing was sent", platform=platform)
    what = (
        "no answer within the timeout"
        if isinstance(cause, httpx.TimeoutException)
        else "the connection was lost after the request was sent"
    )
    if creates:
        return OutcomeUnknown(
            f"{what}; the post may exist: look for it before sending again", platform=platform
        )
    return Transient(what, platform=platform)


def _tid_time(rkey: str) -> datetime:
    """When a TID record key was made: its top 53 bits are microseconds since 1970; a key
    that is not a TID counts as new (looked at rather than missed)."""
    value = 0
    for char in rkey:
        digit = TID_ALPHABET.find(char)
        if digit < 0 or len(rkey) != 13:
            return datetime.max.replace(tzinfo=UTC)
        value = value * 32 + digit
    return datetime.fromtimestamp(0, UTC) + timedelta(microseconds=value >> 10)
