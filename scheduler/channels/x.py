"""The X channel: the real `tweepy.Client` (OAuth 1.0a user context) behind our interface.

tweepy 4.17 always calls `https://api.twitter.com` with no timeout: an adapter on
`client.session` sends to the account's base URL with our timeout. tweepy has no v2 media
upload, so `POST /2/media/upload` and `POST /2/media/metadata` go through the same session and
OAuth 1.0a signer. Errors become `campaign.errors` exceptions keeping X's message, never a
secret.
"""

from __future__ import annotations

import mimetypes
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import requests
import tweepy

from campaign.config import REQUIRED_CREDENTIALS, Account
from campaign.errors import (
    AuthRejected,
    DuplicateContent,
    OutcomeUnknown,
    Permanent,
    PolicyBlocked,
    PublishError,
    RateLimited,
    Transient,
)
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
    chunks,
    mount_base_url,
    normalise_text,
    redact,
    transport_error,
)

X_ORIGIN = "https://api.twitter.com"
METRIC_FIELDS = ["public_metrics", "non_public_metrics", "organic_metrics", "created_at"]
PRIVATE_GROUPS = ("non_public_metrics", "organic_metrics")
LOOKUP_BATCH = 100
AUTH_PROBLEMS = ("client-forbidden", "unsupported-authentication")


class XChannel(ClosingChannel):
    """Publishes threads (with images and alt text), finds them again, reads their metrics."""

    platform = "x"

    def __init__(
        self, account: Account, credentials: Mapping[str, str], *, timeout: float = 10.0
    ) -> None:
        missing = [name for name in REQUIRED_CREDENTIALS["x"] if not credentials.get(name)]
        if missing:
            raise AuthRejected(
                f"{account.name}: no value for {', '.join(missing)}", platform=self.platform
            )
        self.account = account
        self.timeout = timeout
        self._secrets = tuple(value for value in credentials.values() if value)
        self._client = tweepy.Client(
            consumer_key=credentials["consumer_key"],
            consumer_secret=credentials["consumer_secret"],
            access_token=credentials["access_token"],
            access_token_secret=credentials["access_token_secret"],
            return_type=dict,
        )
        mount_base_url(self._client.session, X_ORIGIN, account.resolved_base_url, timeout)
        self._auth = tweepy.OAuth1UserHandler(
            credentials["consumer_key"],
            credentials["consumer_secret"],
            credentials["access_token"],
            credentials["access_token_secret"],
        ).apply_auth()
        self._user_id: str | None = None

    def __repr__(self) -> str:
        return (
            f"XChannel(account={self.account.name!r}, base_url={self.account.resolved_base_url!r})"
        )

    def close(self) -> None:
        self._client.session.close()

    # -- publishing ------------------------------------------------------------------------

    def publish(
        self,
        post: OutgoingPost,
        *,
        already_sent: Sequence[str] = (),
        on_part_sent: PartSent | None = None,
        before_create: BeforeCreate | None = None,
    ) -> Sent:
        """Send each part as a reply to the previous one; media go with the first part."""
        ids = [str(i) for i in already_sent]
        if len(ids) > len(post.parts):
            raise ValueError(
                f"{post.key}: {len(ids)} parts sent but the post has {len(post.parts)}"
            )
        for index in range(len(ids), len(post.parts)):
            media_ids = self._upload(post.media) if index == 0 and post.media else None
            if before_create is not None:
                before_create(index)
            body = self._call(
                self._client.create_tweet,
                creates=True,
                text=post.parts[index],
                media_ids=media_ids,
                in_reply_to_tweet_id=ids[-1] if ids else None,
                user_auth=True,
            )
            try:
                tweet_id = str(body["data"]["id"])
            except (KeyError, TypeError):
                raise OutcomeUnknown(
                    "X answered without a tweet id; look for the post before sending again",
                    platform=self.platform,
                ) from None
            ids.append(tweet_id)
            if on_part_sent is not None:
                on_part_sent(index, tweet_id)
        return self._sent(ids)

    def _upload(self, media: Sequence[OutgoingMedia]) -> list[str]:
        """Upload images with the v2 media route, then set each one's alt text."""
        ids = []
        for item in media:
            mime = mimetypes.guess_type(item.path.name)[0] or "application/octet-stream"
            with item.path.open("rb") as handle:
                answer = self._send(
                    "POST",
                    "/2/media/upload",
                    files={"media": (item.path.name, handle, mime)},
                    data={"media_category": "tweet_image"},
                )
            media_id = str(answer["data"]["id"])
            if item.alt:
                self._send(
                    "POST",
                    "/2/media/metadata",
                    json={"id": media_id, "metadata": {"alt_text": {"text": item.alt}}},
                )
            ids.append(media_id)
        return ids

    def _sent(self, ids: Sequence[str]) -> Sent:
        handle = (self.account.handle or "").lstrip("@") or "i/web"
        return Sent(ids[0], tuple(ids), url=f"https://x.com/{handle}/status/{ids[0]}")

    # -- reconciliation --------------------------------------------------------------------

    def find_published(
        self, post: OutgoingPost, since: datetime, *, already_sent: Sequence[str] = ()
    ) -> Sent | None:
        """Look through the account's tweets since `since` for the thread, part by part.

        Texts are compared normalised (X rewrites URLs to t.co and escapes &<>). Without
        `already_sent`, the head is the oldest non-reply tweet with the first part's text.
        """
        tweets = self._timeline(since)
        wanted = [normalise_text(part) for part in post.parts]
        replies: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
        for tweet in tweets:
            replies[_replied_to(tweet)].append(tweet)
        chain = [str(i) for i in already_sent]
        if not chain:
            head = next((t for t in replies[None] if normalise_text(t["text"]) == wanted[0]), None)
            if head is None:
                return None
            chain.append(head["id"])
        while len(chain) < len(post.parts):
            follow = next(
                (t for t in replies[chain[-1]] if normalise_text(t["text"]) == wanted[len(chain)]),
                None,
            )
            if follow is None:
                break
            chain.append(follow["id"])
        return self._sent(chain)

    def _timeline(self, since: datetime) -> list[dict[str, Any]]:
        """The account's tweets created since `since`, oldest first (all pages)."""
        if self._user_id is None:
            self._user_id = str(self._call(self._client.get_me, user_auth=True)["data"]["id"])
        tweets: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            body = self._call(
                self._client.get_users_tweets,
                self._user_id,
                start_time=since,
                max_results=100,
                pagination_token=token,
                tweet_fields=["created_at", "referenced_tweets"],
                user_auth=True,
            )
            tweets.extend(body.get("data") or [])
            token = (body.get("meta") or {}).get("next_token")
            if not token:
                return sorted(tweets, key=lambda t: int(t["id"]))

    # -- credentials -----------------------------------------------------------------------

    def probe(self) -> AccountHealth:
        """`GET /2/users/me`: who the tokens act for. OAuth 1.0a user tokens do not expire
        (they stop working only when revoked), so X gives no expiry to warn about."""
        body = self._call(self._client.get_me, user_auth=True)
        try:
            user = body["data"]
            self._user_id = str(user["id"])
        except (KeyError, TypeError):
            raise Transient(
                "X answered /2/users/me without a user", platform=self.platform
            ) from None
        return AccountHealth(
            platform=self.platform,
            account_id=self._user_id,
            name=str(user.get("name") or ""),
            handle=f"@{user['username']}" if user.get("username") else None,
            expires_at=None,
            notes=("X user tokens do not expire; they stop working only when revoked",),
        )

    # -- metrics ---------------------------------------------------------------------------

    def fetch_metrics(self, platform_post_ids: Sequence[str]) -> dict[str, MetricReading]:
        """Metrics for up to 100 tweets a request; refused private metrics are unavailable."""
        return {k: v for batch in self.metric_batches(platform_post_ids) for k, v in batch.items()}

    def metric_batches(
        self, platform_post_ids: Sequence[str]
    ) -> Iterator[dict[str, MetricReading]]:
        """The readings of each request's 100 tweets as soon as they are read.

        X leaves a tweet out of `data` when one of its requested fields is refused (not ours,
        or older than 30 days), so those tweets are asked again for public metrics only.
        """
        ids = list(dict.fromkeys(str(i) for i in platform_post_ids))
        for chunk in chunks(ids, LOOKUP_BATCH):
            readings: dict[str, MetricReading] = {}
            refused: dict[str, dict[str, str]] = {}
            self._read_metrics(chunk, METRIC_FIELDS, readings, refused)
            retry = [i for i in chunk if i not in readings]
            if retry:
                self._read_metrics(retry, ["public_metrics"], readings, refused)
            for tweet_id in chunk:
                readings.setdefault(
                    tweet_id,
                    MetricReading(tweet_id, {}, {"*": "X returned no data for this tweet"}, "2"),
                )
            yield readings

    def _read_metrics(
        self,
        chunk: Sequence[str],
        fields: list[str],
        readings: dict[str, MetricReading],
        refused: dict[str, dict[str, str]],
    ) -> None:
        body = self._call(self._client.get_tweets, list(chunk), tweet_fields=fields, user_auth=True)
        for error in body.get("errors") or []:
            tweet_id = str(error.get("resource_id") or error.get("value") or "")
            kind = str(error.get("type", ""))
            if kind.endswith("resource-not-found"):
                readings[tweet_id] = MetricReading(tweet_id, {}, api_version="2", deleted=True)
            elif kind.endswith("not-authorized-for-field"):
                field = str(error.get("field") or error.get("parameter") or "?")
                refused.setdefault(tweet_id, {})[field] = str(error.get("detail", ""))
            elif tweet_id:
                unavailable = {"*": str(error.get("detail") or error.get("title") or kind)}
                readings[tweet_id] = MetricReading(tweet_id, {}, unavailable, "2")
        for tweet in body.get("data") or []:
            tweet_id = str(tweet["id"])
            values = dict(tweet.get("public_metrics") or {})
            unavailable = dict(refused.get(tweet_id, {}))
            for group in PRIVATE_GROUPS:
                if group in tweet:
                    values.update({f"{group}.{k}": v for k, v in tweet[group].items()})
                elif not any(name.startswith(group) for name in unavailable):
                    unavailable[group] = "not returned by X"
            readings[tweet_id] = MetricReading(tweet_id, values, unavailable, "2")

    # -- HTTP and errors -------------------------------------------------------------------

    def _call(
        self, method: Callable[..., Any], *args: Any, creates: bool = False, **kw: Any
    ) -> Any:
        """Call a tweepy method, turning its failures into our exceptions."""
        try:
            return method(*args, **kw)
        except tweepy.HTTPException as exc:
            raise self._api_error(exc.response) from None
        except requests.exceptions.JSONDecodeError:
            kind = OutcomeUnknown if creates else Transient
            raise kind(
                "X answered with something that is not JSON", platform=self.platform
            ) from None
        except requests.RequestException as exc:
            raise transport_error(
                exc, platform=self.platform, creates=creates, secrets=self._secrets
            ) from None

    def _send(self, method: str, route: str, **kw: Any) -> Any:
        """A v2 request tweepy has no method for, through tweepy's session and signer."""
        headers = {"User-Agent": self._client.user_agent}
        try:
            response = self._client.session.request(
                method, X_ORIGIN + route, auth=self._auth, headers=headers, **kw
            )
        except requests.RequestException as exc:
            raise transport_error(
                exc, platform=self.platform, creates=False, secrets=self._secrets
            ) from None
        with response:
            if not 200 <= response.status_code < 300:
                raise self._api_error(response)
            try:
                return response.json()
            except ValueError:
                raise Transient(
                    f"X answered {route} without JSON", platform=self.platform
                ) from None

    def _api_error(self, response: requests.Response) -> PublishError:
        """Map an X error answer (problem+json) to our exception tree."""
        status = response.status_code
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        payload = payload if isinstance(payload, dict) else {}
        errors = payload.get("errors") or [{}]
        detail = str(payload.get("detail") or errors[0].get("message") or response.reason)
        title = str(payload.get("title") or response.reason or "")
        kind = str(payload.get("type") or "")
        message = redact(f"HTTP {status} {title}: {detail}", self._secrets)
        options: dict[str, Any] = {"platform": self.platform, "code": status}
        if status == 429:
            return RateLimited(message, reset_at=_x_reset(response.headers), **options)
        if status == 401:
            return AuthRejected(message, **options)
        if status == 403:
            if "duplicate content" in detail.lower():
                return DuplicateContent(message, **options)
            if kind.endswith(AUTH_PROBLEMS):
                return AuthRejected(message, **options)
            return PolicyBlocked(message, **options)
        if status >= 500:
            return Transient(message, **options)
        return Permanent(message, **options)


def _replied_to(tweet: dict[str, Any]) -> str | None:
    for ref in tweet.get("referenced_tweets") or []:
        if ref.get("type") == "replied_to":
            return str(ref["id"])
    return None


def _x_reset(headers: Mapping[str, str]) -> datetime | None:
    """When to try again: the latest reset among the exhausted windows (15 min, 24 h)."""
    resets = []
    for prefix in ("x-user-limit-24hour", "x-app-limit-24hour", "x-rate-limit"):
        reset = headers.get(f"{prefix}-reset", "")
        if reset.isdigit() and headers.get(f"{prefix}-remaining") == "0":
            resets.append(int(reset))
    fallback = headers.get("x-rate-limit-reset", "")
    if not resets and fallback.isdigit():
        resets.append(int(fallback))
    return datetime.fromtimestamp(max(resets), UTC) if resets else None
