"""A thin client of the Threads API (graph.threads.net, v1.0) over one `requests.Session`.

No maintained Python library exists. Threads' examples put the access token in the query
string, where urllib3's debug log and any exception text would show it; like Graph, Threads
also takes it in an `Authorization: Bearer` header, so that is where ours goes, and no URL or
body we send holds it. Still, no `requests` exception text or URL ever goes into our messages.
Errors become `campaign.errors` in our own words, with Threads' own message, code and trace id
(the token removed from them all the same).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import requests

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
from scheduler.channels.http import (
    graph_where,
    redact,
    regain_minutes,
    response_date,
    transport_error,
)

PLATFORM = "threads"
DEFAULT_BASE_URL = "https://graph.threads.net"
VERSION = "v1.0"
# 9: the account's publishing quota (as Meta's content publishing APIs answer it)
THROTTLE_CODES = frozenset({4, 9, 17, 32, 613})
AUTH_CODES = frozenset({102, 190, 10, *range(200, 300)})
TRANSIENT_CODES = frozenset({1, 2, 24})  # 24: the container is not ready yet
NOT_FOUND_SUBCODE = 33  # "Object does not exist" under code 100


class ThreadsClient:
    """GET and POST against one account's Threads API with its token and a timeout."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._token = token
        self._session = requests.Session()
        self._session.trust_env = False  # no proxy or netrc lookups; nothing global
        self._session.headers["Authorization"] = f"Bearer {token}"
        self.last_date: datetime | None = None  # the Date of the last answer (Threads' clock)

    def close(self) -> None:
        self._session.close()

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """A read: never a create."""
        return self._send("GET", path, query=params or {}, creates=False)

    def post(
        self, path: str, data: Mapping[str, Any] | None = None, *, creates: bool = False
    ) -> dict[str, Any]:
        """A write, as a form. `creates`: a lost answer may mean a post now exists
        (OutcomeUnknown), so the caller must look before sending again."""
        return self._send("POST", path, form=data or {}, creates=creates)

    def _send(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        form: Mapping[str, Any] | None = None,
        creates: bool,
    ) -> dict[str, Any]:
        url = f"{self.base_url}/{VERSION}/{path.lstrip('/')}"
        try:
            response = self._session.request(
                method, url, params=query, data=form, timeout=self.timeout
            )
            content = response.content
        except requests.RequestException as exc:
            raise _lost(exc, creates=creates) from None
        self.last_date = response_date(response.headers)
        payload: Any = None
        if "json" in response.headers.get("Content-Type", ""):
            try:
                payload = json.loads(content)
            except ValueError:
                payload = None
        status = response.status_code
        if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
            raise self.error(payload["error"], status, response.headers)
        if 200 <= status < 300 and isinstance(payload, dict):
            return payload
        kind = "an answer that is not JSON" if payload is None else "an unexpected answer"
        message = f"Threads answered HTTP {status} with {kind}"
        if 200 <= status < 300:
            raise (OutcomeUnknown if creates else Transient)(
                message + ("; the post may exist: look for it before sending again" * creates),
                platform=PLATFORM,
            )
        if status >= 500 or status in (408, 429):
            raise Transient(message, platform=PLATFORM, code=status)
        raise Permanent(message, platform=PLATFORM, code=status)

    def error(
        self, error: Mapping[str, Any], status: int, headers: Mapping[str, str] | None = None
    ) -> PublishError:
        """Threads' Graph-style error envelope as our exception, in plain words."""
        code, where = error.get("code"), graph_where(error)
        said = str(error.get("message") or "no reason given")
        if error.get("error_user_msg") and error["error_user_msg"] != said:
            said = f"{error['error_user_msg']} ({said})"
        message = redact(f"Threads said: {said} ({where})", [self._token])
        options: dict[str, Any] = {"platform": PLATFORM, "code": code}
        if code in THROTTLE_CODES or status == 429:
            return RateLimited(message, reset_at=self._regain_at(headers or {}), **options)
        if code in AUTH_CODES or status == 401:
            return AuthRejected(message, **options)
        if code == 506:
            return DuplicateContent(message, **options)
        if code == 368:
            return PolicyBlocked(message, **options)
        if error.get("is_transient") or code in TRANSIENT_CODES or status >= 500:
            return Transient(message, **options)
        return Permanent(message, **options)

    def _regain_at(self, headers: Mapping[str, str]) -> datetime | None:
        """From `X-Business-Use-Case-Usage` (as Graph sends it): when access comes back."""
        minutes = regain_minutes(headers)
        if minutes is None:
            return None
        return (self.last_date or response_date(headers)) + timedelta(minutes=minutes)


def _lost(exc: requests.RequestException, *, creates: bool) -> PublishError:
    """A transport failure in our own words: `requests` puts the URL, token and all, in its
    text, so only the kind of failure (as `transport_error` judges it) is kept."""
    judged = transport_error(exc, platform=PLATFORM, creates=creates, secrets=())
    if isinstance(judged, OutcomeUnknown):
        return OutcomeUnknown(
            "no answer from Threads after the request was sent; the post may exist: "
            "look for it before sending again",
            platform=PLATFORM,
        )
    if "nothing was sent" in str(judged):
        return Transient("could not connect to Threads; nothing was sent", platform=PLATFORM)
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return Transient("no answer from Threads within the timeout", platform=PLATFORM)
    return Transient("the connection to Threads failed", platform=PLATFORM)
