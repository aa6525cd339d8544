"""HTTP plumbing shared by the channels: base-URL redirection with a timeout, transport-error
mapping, secret redaction and the text normalisation used to recognise our own posts.

Both client libraries hard-code their host (tweepy `https://api.twitter.com`, facebook-sdk the
module global `FACEBOOK_GRAPH_URL`) and send without a timeout. Rather than patching them, we
mount a `requests` transport adapter on the session they use: it rewrites the URL to the
account's configured base URL and applies our timeout, per session, without global state.
"""

from __future__ import annotations

import html
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import quote
from urllib.request import getproxies

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
)

from campaign.errors import OutcomeUnknown, PublishError, Transient
from campaign.x_urls import find_urls

T = TypeVar("T")
_SECRET_PARAM = re.compile(
    r"(?i)\b(access_token|appsecret_proof|client_secret|oauth_token|oauth_signature|"
    r"oauth_consumer_key|input_token)=([^&\s\"',)]+)"
)
_OAUTH_HEADER_PARAM = re.compile(r'(oauth_\w+)="[^"]*"')
_NOT_SENT = (NewConnectionError, ConnectTimeoutError, NameResolutionError)


class RebasingAdapter(HTTPAdapter):
    """Sends requests meant for `origin` to `base_url`, with a default timeout."""

    def __init__(self, origin: str, base_url: str, timeout: float) -> None:
        super().__init__()
        self.origin = origin.rstrip("/")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        # Read once: looking the environment up on every request cost a tenth of a send's CPU.
        self.proxies = requests.utils.get_environ_proxies(self.base_url + "/")

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        url = request.url or ""
        if self.base_url != self.origin and url.startswith(self.origin + "/"):
            request.url = self.base_url + url[len(self.origin) :]
            # Proxies were chosen for the original host; choose again for the real one.
            proxies = self.proxies
        return super().send(
            request,
            stream=stream,
            timeout=self.timeout if timeout is None else timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )


def mount_base_url(session: requests.Session, origin: str, base_url: str, timeout: float) -> None:
    """Route the session's requests for `origin` to `base_url` with `timeout` seconds."""
    session.mount(origin.rstrip("/") + "/", RebasingAdapter(origin, base_url, timeout))
    if not getproxies():  # what requests itself reads from the environment
        # No proxy settings: read the CA bundle requests would take from the environment once,
        # and skip its lookup of proxies, netrc and bundles on every request.
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle and session.verify is True:
            session.verify = bundle
        session.trust_env = False


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove secrets from a message: known values, then token-like query and OAuth params."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***").replace(quote(secret, safe=""), "***")
    text = _SECRET_PARAM.sub(r"\1=***", text)
    return _OAUTH_HEADER_PARAM.sub(r'\1="***"', text)


def transport_error(
    exc: requests.RequestException, *, platform: str, creates: bool, secrets: Iterable[str]
) -> PublishError:
    """Map a `requests` failure: was anything sent, and could a post exist now?

    A connect failure or connect timeout sent nothing (Transient). A read timeout or a
    connection lost after sending leaves a create's outcome unknown (OutcomeUnknown); for reads
    and uploads, which create no post, it is only Transient.
    """
    detail = redact(f"{type(exc).__name__}: {exc}", secrets)
    not_sent = isinstance(
        exc, requests.exceptions.ConnectTimeout | requests.exceptions.SSLError
    ) or (
        isinstance(exc, requests.exceptions.ConnectionError)
        and exc.args
        and isinstance(exc.args[0], MaxRetryError)
        and isinstance(exc.args[0].reason, _NOT_SENT)
    )
    if not_sent:
        return Transient(f"could not connect, nothing was sent ({detail})", platform=platform)
    if isinstance(exc, requests.exceptions.ReadTimeout):
        what = "no answer within the timeout"
    elif isinstance(
        exc, requests.exceptions.ConnectionError | requests.exceptions.ChunkedEncodingError
    ):
        what = "the connection was lost after the request was sent"
    else:
        return Transient(f"request failed ({detail})", platform=platform)
    if creates:
        return OutcomeUnknown(
            f"{what}; the post may exist: look for it before sending again ({detail})",
            platform=platform,
        )
    return Transient(f"{what} ({detail})", platform=platform)


def response_date(headers: Any) -> datetime:
    """The server's `Date` (so resets follow the platform's clock), or now if absent."""
    try:
        return parsedate_to_datetime(headers["Date"]).astimezone(UTC)
    except (KeyError, TypeError, ValueError):
        return datetime.now(UTC)


def normalise_text(text: str) -> str:
    """A post's text as comparable on both sides: URLs (t.co rewrites) dropped, entities
    unescaped, Unicode NFC, whitespace collapsed."""
    text = unicodedata.normalize("NFC", html.unescape(text))
    pieces, pos = [], 0
    for span in find_urls(text):
        pieces.append(text[pos : span.start])
        pos = span.end
    pieces.append(text[pos:])
    return " ".join("".join(pieces).split())


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def regain_minutes(headers: Mapping[str, str]) -> int | None:
    """How many minutes Meta's `X-Business-Use-Case-Usage` says access is throttled for (the
    longest wait it gives, on Facebook, Instagram and Threads); None when it gives none."""
    try:
        usage = json.loads(headers.get("X-Business-Use-Case-Usage") or "{}")
        minutes = max(
            int(entry.get("estimated_time_to_regain_access") or 0)
            for entries in usage.values()
            for entry in entries
        )
    except (ValueError, TypeError, AttributeError):
        return None
    return minutes if minutes > 0 else None


def graph_where(error: Mapping[str, Any]) -> str:
    """'code 190, subcode 463, fbtrace_id A1b2': where Meta's error envelope (Facebook,
    Instagram, Threads) says a refusal came from, for the message people read."""
    code, subcode = error.get("code"), error.get("error_subcode")
    where = f"code {code}" + (f", subcode {subcode}" if subcode else "")
    if error.get("fbtrace_id"):
        where += f", fbtrace_id {error['fbtrace_id']}"
    return where
