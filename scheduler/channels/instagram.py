"""The Instagram channel: Content Publishing through the real `facebook.GraphAPI` (facebook-sdk).

A post is made in two steps (developers.facebook.com/docs/instagram-platform/content-
publishing): a container from an image Meta fetches from its public address (`image_url`,
`public_media_url(media_base_url, file)`; a carousel from child containers), then
`media_publish`. Only the publish creates a post: a lost answer to a container just means
making another (containers are not posts and expire after 24 hours), while a lost answer to
`media_publish` is an unknown outcome, settled by reading the account's media for the caption
before any resend.

As for Facebook, the SDK gets our own `requests.Session` (base URL and timeout by adapter, a
response hook that checks status and content type). The token travels in the
`Authorization` header, never in a URL; `debug_token`'s `input_token` goes in a POST body
with Graph's `method=GET` override.
"""

from __future__ import annotations

import json
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

from campaign.config import Account
from campaign.errors import (
    AuthRejected,
    OutcomeUnknown,
    Permanent,
    PolicyBlocked,
    PublishError,
    RateLimited,
    Transient,
)
from campaign.platforms import facts, public_media_url
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
from scheduler.channels.http import (
    graph_where,
    mount_base_url,
    normalise_text,
    redact,
    regain_minutes,
    response_date,
    transport_error,
)

with warnings.catch_warnings():  # facebook-sdk 3.1.0 has a '\d' escape in a plain string
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", SyntaxWarning)
    import facebook

GRAPH_ORIGIN = "https://graph.facebook.com"
DEFAULT_VERSION = "v25.0"
METRICS = ("views", "reach", "likes", "comments", "shares", "saved", "total_interactions")
COUNT_FIELDS = ("like_count", "comments_count")
THROTTLE_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
AUTH_CODES = frozenset({102, 104, 190, 10, *range(200, 300)})
PUBLISH_LIMIT = (9, 2207042)
DAY = timedelta(hours=24)
STATUS_POLLS = 10


class InstagramChannel(ClosingChannel):
    """Publishes image posts and carousels on an Instagram professional account."""

    platform = "instagram"

    def __init__(
        self,
        account: Account,
        credentials: Mapping[str, str],
        *,
        timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
        poll_seconds: float = 1.0,
        metrics: Sequence[str] = METRICS,
    ) -> None:
        token = credentials.get("access_token")
        if not token:
            raise AuthRejected(f"{account.name}: no access_token", platform=self.platform)
        if not account.user_id:
            raise ValueError(f"{account.name}: an Instagram account needs user_id")
        self.account = account
        self.user_id = str(account.user_id)
        self.timeout = timeout
        self._sleep = sleep
        self._poll_seconds = poll_seconds
        self._token = token
        self._secrets = tuple(value for value in credentials.values() if value)
        self._session = requests.Session()
        mount_base_url(self._session, GRAPH_ORIGIN, account.resolved_base_url, timeout)
        self._session.headers["Authorization"] = f"OAuth {token}"
        self._session.hooks["response"].append(self._check_answer)
        # No token given to the SDK: it would put it in every URL; the header carries it.
        self._graph = facebook.GraphAPI(timeout=timeout, session=self._session)
        self._graph.version = account.api_version or DEFAULT_VERSION
        self._local = threading.local()
        self.metrics = tuple(metrics)
        self._bad_metrics: dict[str, str] = {}

    @property
    def api_version(self) -> str:
        return str(self._graph.version)

    def __repr__(self) -> str:
        return (
            f"InstagramChannel(account={self.account.name!r}, user_id={self.user_id!r}, "
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
        """One image post (or a carousel of several), the parts joined as its caption."""
        if already_sent:
            return self._sent(str(already_sent[0]))
        if not post.media:
            raise Permanent(
                "Instagram posts need an image: add one to the post", platform=self.platform
            )
        caption = "\n\n".join(post.parts)
        if len(post.media) == 1:
            container = self._container(post.media[0], caption=caption)
        else:
            children = [self._container(m, is_carousel_item="true") for m in post.media]
            for child in children:
                self._wait_finished(child)
            container = self._create_container(
                {"media_type": "CAROUSEL", "children": ",".join(children), "caption": caption}
            )
        self._wait_finished(container)
        if before_create is not None:
            before_create(0)
        answer = self._call(
            lambda: self._graph.request(
                f"{self.api_version}/{self.user_id}/media_publish",
                post_args={"creation_id": container},
            ),
            creates=True,
        )
        media_id = str(answer["id"])
        if on_part_sent is not None:
            on_part_sent(0, media_id)
        return self._sent(media_id, self._permalink(media_id))

    def _container(self, media: OutgoingMedia, **fields: str) -> str:
        if not self.account.media_base_url:
            raise Permanent(
                f"{self.account.name}: Instagram fetches images from a public address: set "
                "media_base_url in the account's settings",
                platform=self.platform,
            )
        args = {"image_url": public_media_url(self.account.media_base_url, media.file), **fields}
        if media.alt:
            args["alt_text"] = media.alt
        return self._create_container(args)

    def _create_container(self, args: dict[str, str]) -> str:
        # Not a post: a lost answer leaves at most an unused container (Transient).
        answer = self._call(
            lambda: self._graph.request(
                f"{self.api_version}/{self.user_id}/media", post_args=dict(args)
            )
        )
        return str(answer["id"])

    def _wait_finished(self, container: str) -> None:
        """Until Meta has fetched and checked the image: FINISHED, or the reason it is not."""
        for attempt in range(STATUS_POLLS):
            answer = self._get(container, {"fields": "status_code,status"})
            status = str(answer.get("status_code") or "")
            if status == "FINISHED":
                return
            if status == "ERROR":
                raise Permanent(
                    f"Instagram could not use the image ({answer.get('status') or 'ERROR'})",
                    platform=self.platform,
                )
            if status in ("EXPIRED", "PUBLISHED"):
                raise Transient(
                    f"the Instagram container is {status.lower()}; a new one is made next time",
                    platform=self.platform,
                )
            if attempt + 1 < STATUS_POLLS:
                self._sleep(self._poll_seconds)
        raise Transient(
            "Instagram is still processing the image; trying again later", platform=self.platform
        )

    def _permalink(self, media_id: str) -> str | None:
        """The post's address; the post exists already, so a failed read only loses the link."""
        try:
            return str(self._get(media_id, {"fields": "permalink"}).get("permalink") or "")
        except PublishError:
            return None

    def _sent(self, media_id: str, permalink: str | None = None) -> Sent:
        url = permalink or _profile_url(self.account, media_id)
        return Sent(media_id, (media_id,), url=url)

    # -- reconciliation --------------------------------------------------------------------

    def find_published(
        self, post: OutgoingPost, since: datetime, *, already_sent: Sequence[str] = ()
    ) -> Sent | None:
        """The account's media since `since` (newest first) with the same caption."""
        if already_sent:
            return self._sent(str(already_sent[0]))
        wanted = normalise_text("\n\n".join(post.parts))
        args = {"fields": "id,caption,timestamp,permalink", "limit": "50"}
        found: dict[str, Any] | None = None
        while True:
            page = self._get(f"{self.user_id}/media", args)
            items = page.get("data") or []
            for item in items:
                if _moment(item.get("timestamp")) < since:
                    return self._found(found)
                if normalise_text(item.get("caption") or "") == wanted:
                    found = item  # newest first: keep the oldest
            paging = page.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not (items and paging.get("next") and after):
                return self._found(found)
            args["after"] = after

    def _found(self, item: dict[str, Any] | None) -> Sent | None:
        if item is None:
            return None
        return self._sent(str(item["id"]), item.get("permalink"))

    # -- metrics ---------------------------------------------------------------------------

    def fetch_metrics(self, platform_post_ids: Sequence[str]) -> dict[str, MetricReading]:
        return {k: v for batch in self.metric_batches(platform_post_ids) for k, v in batch.items()}

    def metric_batches(
        self, platform_post_ids: Sequence[str]
    ) -> Iterator[dict[str, MetricReading]]:
        """Counts and insights of one post a batch (two reads each)."""
        for media_id in dict.fromkeys(str(i) for i in platform_post_ids):
            yield {media_id: self._reading(media_id)}

    def _reading(self, media_id: str) -> MetricReading:
        try:
            node = self._get(media_id, {"fields": ",".join(COUNT_FIELDS)})
        except Permanent as exc:
            if exc.code == 100 and "does not exist" in str(exc):  # deleted (subcode 33)
                return MetricReading(media_id, {}, api_version=self.api_version, deleted=True)
            return MetricReading(media_id, {}, {"*": str(exc)}, api_version=self.api_version)
        values = {name: int(node[name]) for name in COUNT_FIELDS if name in node}
        unavailable = {n: "not returned by Instagram" for n in COUNT_FIELDS if n not in node}
        metrics = [m for m in self.metrics if m not in self._bad_metrics]
        unavailable.update(self._bad_metrics)
        if metrics:
            insights = self._insights(media_id, metrics)
            if insights is None:  # a metric refused: find which, once, and read the others
                self._learn_bad_metrics(media_id, metrics)
                return self._reading(media_id)
            returned, why = insights
            for metric in metrics:
                if metric in returned:
                    values[metric] = returned[metric]
                else:
                    unavailable[metric] = why or "not returned by Instagram"
        return MetricReading(media_id, values, unavailable, api_version=self.api_version)

    def _insights(self, media_id: str, metrics: Sequence[str]) -> tuple[dict[str, int], str] | None:
        """Values read, and why the others are missing; None if a metric name was refused."""
        try:
            answer = self._get(f"{media_id}/insights", {"metric": ",".join(metrics)})
        except Permanent as exc:
            if exc.code == 100 and len(metrics) > 0 and "metric" in str(exc):
                return None
            return {}, str(exc)
        returned = {}
        for item in answer.get("data") or []:
            entries = item.get("values") or []
            if entries and isinstance(entries[-1].get("value"), int):
                returned[str(item.get("name"))] = int(entries[-1]["value"])
        return returned, ""

    def _learn_bad_metrics(self, media_id: str, metrics: Sequence[str]) -> None:
        for metric in metrics:
            try:
                self._get(f"{media_id}/insights", {"metric": metric})
            except Permanent as exc:
                if exc.code == 100:
                    self._bad_metrics[metric] = f"refused by Instagram ({exc})"
        if not self._bad_metrics.keys() & set(metrics):  # none refused alone: give up on all
            self._bad_metrics.update({m: "insights refused by Instagram" for m in metrics})

    # -- credentials -----------------------------------------------------------------------

    def probe(self) -> AccountHealth:
        """`GET /{ig-user-id}?fields=id,username,name`, then `debug_token` for the expiry."""
        user = self._get(self.user_id, {"fields": "id,username,name"})
        # The token checked travels in a POST body (Graph's `method=GET` override), not a URL.
        debug = self._call(
            lambda: self._graph.request(
                f"{self.api_version}/debug_token",
                post_args={"method": "GET", "input_token": self._token},
            )
        ).get("data")
        if not isinstance(debug, dict):
            raise Transient("the token check answered without its data", platform=self.platform)
        if not debug.get("is_valid", False):
            raise AuthRejected(
                "Instagram says the access token is no longer valid", platform=self.platform
            )
        expires = _unix(debug.get("expires_at"))
        note = (
            f"the token expires {expires:%Y-%m-%d %H:%M} UTC"
            if expires
            else "the token does not expire"
        )
        username = str(user.get("username") or "")
        return AccountHealth(
            platform=self.platform,
            account_id=str(user.get("id") or self.user_id),
            name=str(user.get("name") or username),
            handle=f"@{username}" if username else None,
            expires_at=expires,
            notes=(note,),
        )

    # -- HTTP and errors -------------------------------------------------------------------

    def _get(self, path: str, args: dict[str, str]) -> dict[str, Any]:
        answer = self._call(
            lambda: self._graph.request(f"{self.api_version}/{path}", args=dict(args))
        )
        if not isinstance(answer, dict):
            raise Transient("Instagram answered with the wrong shape", platform=self.platform)
        return answer

    def _call(self, action: Callable[[], Any], *, creates: bool = False) -> Any:
        try:
            return action()
        except PublishError:
            raise
        except facebook.GraphAPIError as exc:
            result = exc.result if isinstance(exc.result, dict) else {}
            error = result.get("error") if isinstance(result.get("error"), dict) else None
            if error is None:
                message = redact(f"Instagram error: {exc.message}", self._secrets)
                raise Permanent(message, platform=self.platform) from None
            raise self._graph_error(error, 200) from None
        except requests.RequestException as exc:
            raise transport_error(
                exc, platform=self.platform, creates=creates, secrets=self._secrets
            ) from None

    def _check_answer(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Response hook: only a JSON 2xx answer reaches the SDK; anything else is raised."""
        body = response.content
        self._local.date = response_date(response.headers)
        content_type = response.headers.get("Content-Type", "")
        status = response.status_code
        if 200 <= status < 300 and "json" in content_type:
            return
        payload: Any = None
        if "json" in content_type:
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
        if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
            raise self._graph_error(payload["error"], status, response.headers)
        path = urlsplit(response.request.url or "").path
        creates = response.request.method == "POST" and path.endswith("/media_publish")
        message = f"HTTP {status} {response.reason} from Instagram"
        if 200 <= status < 300:
            raise (OutcomeUnknown if creates else Transient)(message, platform=self.platform)
        if status >= 500 or status in (408, 429):
            raise Transient(message, platform=self.platform, code=status)
        raise Permanent(message, platform=self.platform, code=status)

    def _graph_error(
        self, error: dict[str, Any], status: int, headers: Mapping[str, str] | None = None
    ) -> PublishError:
        """Graph's error envelope as our exceptions, with Instagram's own words kept."""
        code, subcode = error.get("code"), error.get("error_subcode")
        where = graph_where(error)
        said = str(error.get("message") or "unknown error")
        explained = str(error.get("error_user_msg") or "")
        if explained and not explained.startswith(said):
            said = f"{said} {explained}"
        if (code, subcode) == (9004, 2207052):
            said += (
                " What to do: put the image at its public address (the account's "
                "media_base_url followed by the image's name), then retry the post."
            )
        message = redact(f"Instagram: {said} ({where})", self._secrets)
        options: dict[str, Any] = {"platform": self.platform, "code": code}
        if (code, subcode) == PUBLISH_LIMIT:
            return RateLimited(message, reset_at=self._day_frees(), **options)
        if code == 368 or (code, subcode) == (4, 2207051):  # suspected spam, not a rate
            return PolicyBlocked(message, **options)
        if code in THROTTLE_CODES:
            return RateLimited(message, reset_at=self._regain_at(headers or {}), **options)
        if code in AUTH_CODES:
            return AuthRejected(message, **options)
        transient = error.get("is_transient") or code in (1, 2, -1, -2, 9007) or status >= 500
        return Transient(message, **options) if transient else Permanent(message, **options)

    def _regain_at(self, headers: Mapping[str, str]) -> datetime | None:
        minutes = regain_minutes(headers)
        if minutes is None:
            return None
        date = getattr(self._local, "date", None) or response_date(headers)
        return date + timedelta(minutes=minutes)

    def _day_frees(self) -> datetime | None:
        """When the rolling 24 hours let one more post through: the oldest post within them,
        plus a day (read from the account's media; None if that read fails too)."""
        now = getattr(self._local, "date", None) or datetime.now(UTC)
        try:
            page = self._get(f"{self.user_id}/media", {"fields": "timestamp", "limit": "50"})
        except PublishError:
            return None
        times = [_moment(i.get("timestamp")) for i in page.get("data") or []]
        within = [t for t in times if t > now - DAY]
        return min(within) + DAY if within else None


def _profile_url(account: Account, media_id: str) -> str:
    post_url = facts("instagram").post_url
    assert post_url is not None
    return post_url(account.handle, media_id, account)


def _moment(stamp: Any) -> datetime:
    """Instagram's `2026-04-20T09:00:00+0000` as an aware time (the epoch if unreadable)."""
    try:
        return datetime.strptime(str(stamp), "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
    except ValueError:
        return datetime.fromtimestamp(0, UTC)


def _unix(stamp: Any) -> datetime | None:
    try:
        seconds = int(stamp or 0)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(seconds, UTC) if seconds > 0 else None
