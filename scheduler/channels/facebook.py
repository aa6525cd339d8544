"""The Facebook Page channel: the real `facebook.GraphAPI` (facebook-sdk 3.1.0), made safe.

The SDK reads the module global `FACEBOOK_GRAPH_URL` per call, sends with no timeout, never
checks the HTTP status and raises KeyError on an answer without a content type (and turns an
HTML 502 into a meaningless message). Rather than patching the global or overriding the SDK's
`request`, we give it a `requests.Session` of our own: an adapter sends to the account's base
URL with our timeout, and a response hook checks status and content type before the SDK sees
the answer, raising our own exceptions. The SDK code runs unmodified and nothing is global, so
channels for different accounts and base URLs can run side by side.

Tokens only ever travel in POST bodies (reads go through the batch endpoint), so no URL that a
library might log carries a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from campaign.config import Account
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
    OutgoingPost,
    PartSent,
    Sent,
)
from scheduler.channels.graph_metrics import GraphAnswer, GraphMetrics
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
DEFAULT_METRICS = (
    "post_media_view",
    "post_total_media_view_unique",
    "post_clicks",
    "post_reactions_by_type_total",
)
THROTTLE_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
AUTH_CODES = frozenset({102, 104, 190, 10, *range(200, 300)})
TRANSIENT_CODES = frozenset({1, 2})
_CREATE_PATH = re.compile(r"/(feed|photos)/?$")


class FacebookChannel(GraphMetrics, ClosingChannel):
    """Publishes Page posts (text, photos with alt text), finds them, reads their metrics."""

    platform = "facebook"

    def __init__(
        self,
        account: Account,
        credentials: Mapping[str, str],
        *,
        timeout: float = 10.0,
        metrics: Sequence[str] = DEFAULT_METRICS,
    ) -> None:
        token = credentials.get("page_access_token")
        if not token:
            raise AuthRejected(f"{account.name}: no page_access_token", platform=self.platform)
        if not account.page_id:
            raise ValueError(f"{account.name}: a Facebook account needs page_id")
        self.account = account
        self.page_id = account.page_id
        self.timeout = timeout
        self.metrics = tuple(metrics)
        self._secrets = tuple(value for value in credentials.values() if value)
        self._session = requests.Session()
        mount_base_url(self._session, GRAPH_ORIGIN, account.resolved_base_url, timeout)
        self._session.hooks["response"].append(self._check_answer)
        self._graph = facebook.GraphAPI(access_token=token, timeout=timeout, session=self._session)
        self._graph.version = account.api_version or DEFAULT_VERSION
        secret = credentials.get("app_secret")
        self._proof = (
            {
                "appsecret_proof": hmac.new(
                    secret.encode(), token.encode(), hashlib.sha256
                ).hexdigest()
            }
            if secret
            else {}
        )
        GraphMetrics.__init__(self)
        self._local = threading.local()

    @property
    def api_version(self) -> str:
        return str(self._graph.version)

    def __repr__(self) -> str:
        return (
            f"FacebookChannel(account={self.account.name!r}, page_id={self.page_id!r}, "
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
        """One Page post (parts joined by blank lines); one photo, or several attached."""
        if already_sent:
            return self._sent(str(already_sent[0]))
        message = "\n\n".join(post.parts)
        if len(post.media) == 1:
            if before_create is not None:
                before_create(0)  # the photo upload with its message is the create
            answer = self._photo(post.media[0].path, post.media[0].alt, message=message)
            post_id = str(answer["post_id"])
        else:
            attached = {}
            for index, item in enumerate(post.media):
                photo = self._photo(item.path, item.alt, published="false")
                attached[f"attached_media[{index}]"] = json.dumps({"media_fbid": str(photo["id"])})
            if before_create is not None:
                before_create(0)
            answer = self._call(
                lambda: self._graph.put_object(
                    self.page_id, "feed", message=message, **attached, **self._proof
                ),
                creates=True,
            )
            post_id = str(answer["id"])
        if on_part_sent is not None:
            on_part_sent(0, post_id)
        return self._sent(post_id)

    def _photo(self, path: Any, alt: str, **fields: str) -> dict[str, Any]:
        extra = {"alt_text_custom": alt} if alt else {}
        with open(path, "rb") as image:
            answer: dict[str, Any] = self._call(  # the SDK is untyped; Graph answers an object
                lambda: self._graph.put_photo(
                    image, album_path=f"{self.page_id}/photos", **fields, **extra, **self._proof
                ),
                creates=True,
            )
        return answer

    def _sent(self, post_id: str) -> Sent:
        return Sent(post_id, (post_id,), url=f"https://www.facebook.com/{post_id}")

    # -- reconciliation --------------------------------------------------------------------

    def find_published(
        self, post: OutgoingPost, since: datetime, *, already_sent: Sequence[str] = ()
    ) -> Sent | None:
        """Look through the Page feed since `since` for a post with the same message."""
        if already_sent:
            return self._sent(str(already_sent[0]))
        wanted = normalise_text("\n\n".join(post.parts))
        query: dict[str, Any] = {
            "fields": "id,message,created_time",
            "since": int(since.timestamp()),
            "limit": 100,
        }
        found = None
        while True:
            status, body, headers = self._batch([f"{self.page_id}/feed?{urlencode(query)}"])[0]
            if "error" in body:
                raise self._graph_error(body["error"], status, headers)
            for item in body.get("data") or []:
                if normalise_text(item.get("message") or "") == wanted:
                    found = str(item["id"])  # the feed is newest first: keep the oldest
            paging = body.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not (paging.get("next") and after):
                return self._sent(found) if found else None
            query["after"] = after

    # -- credentials -----------------------------------------------------------------------

    def probe(self) -> AccountHealth:
        """One batch of two reads: the Page as the token sees it (`GET /{page-id}?fields=
        id,name`) and `GET /debug_token` on the token itself, whose `expires_at` and
        `data_access_expires_at` (0: never) say when it stops working. The token travels in
        the batch's POST body, never in a URL."""
        token = str(self._graph.access_token)
        page_url = f"{self.page_id}?{urlencode({'fields': 'id,name'})}"
        debug_url = f"debug_token?{urlencode({'input_token': token})}"
        answers = self._batch([page_url, debug_url])
        for status, body, headers in answers:
            if "error" in body:
                raise self._graph_error(body["error"], status, headers)
        page, debug = answers[0].body, answers[1].body.get("data")
        if not isinstance(debug, dict) or "id" not in page:
            raise Transient(
                "the Graph API answered the token check without its data", platform=self.platform
            )
        if not debug.get("is_valid", False):
            found = debug.get("error")
            error: dict[str, Any] = found if isinstance(found, dict) else {}
            raise self._graph_error({"code": 190, **error}, 200)
        ends = {
            label: _moment(debug.get(name))
            for name, label in (
                ("expires_at", "the token expires"),
                ("data_access_expires_at", "data access expires"),
            )
        }
        known = {label: at for label, at in ends.items() if at is not None}
        notes = tuple(f"{label} {at:%Y-%m-%d %H:%M} UTC" for label, at in known.items())
        return AccountHealth(
            platform=self.platform,
            account_id=str(page["id"]),
            name=str(page.get("name") or ""),
            expires_at=min(known.values(), default=None),
            notes=notes or ("the Page token does not expire",),
        )

    # -- HTTP and errors -------------------------------------------------------------------

    def _batch(self, relative_urls: Sequence[str]) -> list[GraphAnswer]:
        """GETs through one batch POST (the token stays in the body); one answer each."""
        operations = [{"method": "GET", "relative_url": url} for url in relative_urls]
        answers = self._call(
            lambda: self._graph.request(
                f"{self._graph.version}/",
                post_args={"batch": json.dumps(operations), **self._proof},
            )
        )
        if not isinstance(answers, list) or len(answers) != len(operations):
            raise Transient(
                "the Graph API batch answer has the wrong shape", platform=self.platform
            )
        results = []
        for answer in answers:
            if answer is None:  # Graph gives null for an operation it did not run
                not_run = {"error": {"message": "operation not run", "code": 2}}
                results.append(GraphAnswer(503, not_run, CaseInsensitiveDict()))
                continue
            try:
                body = json.loads(answer.get("body") or "{}")
            except ValueError:
                body = {"error": {"message": "operation answer is not JSON", "code": 2}}
            headers = CaseInsensitiveDict(
                {h.get("name", ""): h.get("value", "") for h in answer.get("headers") or []}
            )
            status = int(answer.get("code", 200))
            results.append(GraphAnswer(status, body if isinstance(body, dict) else {}, headers))
        return results

    def _call(self, action: Callable[[], Any], *, creates: bool = False) -> Any:
        """Run an SDK call; our hook has already turned HTTP failures into our exceptions."""
        try:
            return action()
        except PublishError:
            raise
        except facebook.GraphAPIError as exc:  # a 200 whose JSON still carries "error"
            result = exc.result if isinstance(exc.result, dict) else {}
            error = result.get("error") if isinstance(result.get("error"), dict) else None
            if error is None:
                message = redact(f"Graph API error: {exc.message}", self._secrets)
                raise Permanent(message, platform=self.platform) from None
            raise self._graph_error(error, 200) from None
        except requests.RequestException as exc:
            raise transport_error(
                exc, platform=self.platform, creates=creates, secrets=self._secrets
            ) from None

    def _check_answer(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Response hook: only a JSON 2xx answer reaches the SDK; anything else is raised."""
        body = response.content  # read it now, so the connection is released either way
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
        request = response.request
        path = urlsplit(request.url or "").path
        creates = request.method == "POST" and bool(_CREATE_PATH.search(path))
        kind = "an HTML error page" if "html" in content_type else f"content type {content_type!r}"
        message = f"HTTP {status} {response.reason} from the Graph API ({kind})"
        if 200 <= status < 300:
            raise (OutcomeUnknown if creates else Transient)(message, platform=self.platform)
        if status >= 500 or status in (408, 429):
            raise Transient(message, platform=self.platform, code=status)
        raise Permanent(message, platform=self.platform, code=status)

    def _graph_error(
        self, error: dict[str, Any], status: int, headers: Mapping[str, str] | None = None
    ) -> PublishError:
        """Map Graph's error envelope to our exceptions, keeping its message and trace id."""
        code, where = error.get("code"), graph_where(error)
        message = redact(f"{error.get('message', 'unknown error')} ({where})", self._secrets)
        options: dict[str, Any] = {"platform": self.platform, "code": code}
        if code in THROTTLE_CODES:
            return RateLimited(message, reset_at=self._regain_at(headers or {}), **options)
        if code in AUTH_CODES:
            return AuthRejected(message, **options)
        if code == 506:
            return DuplicateContent(message, **options)
        if code == 368:
            return PolicyBlocked(message, **options)
        if error.get("is_transient") or code in TRANSIENT_CODES or status >= 500:
            return Transient(message, **options)
        return Permanent(message, **options)

    def _regain_at(self, headers: Mapping[str, str]) -> datetime | None:
        """From `X-Business-Use-Case-Usage`: the answer's Date plus the longest wait given."""
        minutes = regain_minutes(headers)
        if minutes is None:
            return None
        date = getattr(self._local, "date", None) or response_date(headers)
        return date + timedelta(minutes=minutes)


def _moment(stamp: Any) -> datetime | None:
    """A Graph Unix timestamp as an aware time; 0 (or nothing) means never."""
    try:
        seconds = int(stamp or 0)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(seconds, UTC) if seconds > 0 else None
