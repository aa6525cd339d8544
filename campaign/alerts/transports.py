"""Sending one rendered alert to one channel: email over SMTP, or a JSON webhook over HTTPS.

Secrets come from the environment variables the channel names, at the moment of sending, and
go nowhere else: every failure becomes `AlertNotSent` with our own plain words, because
requests' exceptions carry the address (a webhook's address is its secret) and smtplib's may
echo the login. The original exception is dropped (`from None`) so no log or traceback shows
it. Each attempt carries the delivery's key (`Idempotency-Key`, `X-Campaign-Alert-Key`, and a
Message-ID made from it), the same on every retry, so a receiver can drop a repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import requests

from campaign.alerts.messages import (
    AlertContent,
    email_message,
    slack_payload,
    teams_payload,
    webhook_payload,
)
from campaign.config import LOOPBACK_HOSTS
from campaign.config.alerts import AlertChannel
from campaign.errors import AlertNotSent

TIMEOUT = 10.0  # seconds, for each network step of one attempt
SIGNATURE_HEADER = "X-Campaign-Signature"
USER_AGENT = "campaign-scheduler-alerts"


@dataclass(frozen=True)
class Transports:
    """How alerts leave this process. `ssl_context` is for tests (a certificate made for the
    loopback server); None uses the system's trusted certificates."""

    ssl_context: ssl.SSLContext | None = None
    timeout: float = TIMEOUT
    session: requests.Session | None = field(default=None, compare=False)

    def send(
        self,
        channel: AlertChannel,
        alert: AlertContent,
        delivery_key: str,
        environ: Mapping[str, str],
    ) -> None:
        """Deliver `alert` to `channel`, or raise AlertNotSent saying why in plain words."""
        if channel.kind == "email":
            self.send_email(channel, alert, delivery_key, environ)
            return
        if channel.kind == "teams":
            payload = teams_payload(alert)
        elif channel.kind == "slack":
            payload = slack_payload(alert)
        else:
            payload = webhook_payload(alert)
        self.post_webhook(channel, payload, delivery_key, environ)

    def send_email(
        self,
        channel: AlertChannel,
        alert: AlertContent,
        delivery_key: str,
        environ: Mapping[str, str],
    ) -> None:
        assert channel.host is not None and channel.sender is not None  # the config checks
        login = _login(channel, environ)
        message = email_message(
            alert,
            sender=channel.sender,
            to=channel.to,
            delivery_key=delivery_key,
            message_id=message_id(delivery_key, channel.sender),
        )
        reason = self._email_failure(channel, message, login)
        if reason is not None:  # raised here, outside the handler: no original error chained
            raise AlertNotSent(reason)

    def _email_failure(
        self, channel: AlertChannel, message: EmailMessage, login: tuple[str, str] | None
    ) -> str | None:
        """Send; None when the server took the message, else why not in plain words."""
        secrets = login or ("", "")
        try:
            self._smtp(channel, message, login)
        except AlertNotSent as exc:
            return exc.reason
        except smtplib.SMTPAuthenticationError as exc:
            return (
                f"the mail server {_where(channel)} refused the user name and password in "
                f"{channel.username_env} and {channel.password_env} ({exc.smtp_code})"
            )
        except smtplib.SMTPRecipientsRefused:
            everyone = ", ".join(channel.to)
            return f"the mail server {_where(channel)} refused every recipient ({everyone})"
        except smtplib.SMTPResponseException as exc:
            said = _scrub(_decode(exc.smtp_error), secrets)
            return (
                f"the mail server {_where(channel)} refused the message "
                f"({exc.smtp_code} {said})".rstrip()
            )
        except smtplib.SMTPNotSupportedError:
            return (
                f"the mail server {_where(channel)} does not offer a login, so the user name "
                f"and password in {channel.username_env} and {channel.password_env} cannot be "
                "used: remove username_env and password_env from the channel, or give the "
                "server's submission port (587) that takes a login"
            )
        except smtplib.SMTPServerDisconnected:
            return (
                f"the mail server {_where(channel)} closed the connection before the message "
                "was taken"
            )
        except smtplib.SMTPException:
            return f"the mail server {_where(channel)} did not take the message"
        except ssl.SSLError:
            return (
                f"the secure connection to the mail server {_where(channel)} failed (its "
                "certificate was not accepted, or it does not speak TLS on that port)"
            )
        except OSError as exc:
            return f"could not connect to the mail server {_where(channel)} ({_network(exc)})"
        return None

    def _smtp(
        self, channel: AlertChannel, message: EmailMessage, login: tuple[str, str] | None
    ) -> None:
        host, port = channel.host or "", channel.port
        context = self.ssl_context or ssl.create_default_context()
        if channel.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=self.timeout, context=context
            )
        else:
            client = smtplib.SMTP(host, port, timeout=self.timeout)
        with client:
            client.ehlo()
            if channel.security == "starttls":
                if not client.has_extn("starttls"):
                    raise AlertNotSent(
                        f"the mail server {_where(channel)} does not offer STARTTLS, so the "
                        'message was not sent in clear: check host and port (security = "tls" '
                        "for port 465)"
                    )
                client.starttls(context=context)
                client.ehlo()
            if login is not None:
                client.login(*login)
            client.send_message(message, from_addr=channel.sender, to_addrs=list(channel.to))

    def post_webhook(
        self,
        channel: AlertChannel,
        payload: dict[str, Any],
        delivery_key: str,
        environ: Mapping[str, str],
    ) -> None:
        url = _variable(channel.url_env, environ, "the webhook's address")
        if not url.startswith(("https://", "http://")):
            raise AlertNotSent(
                f"the value of {channel.url_env} is not a web address (it must start with "
                "https://): set it to the webhook's address"
            )
        if url.startswith("http://") and urlsplit(url).hostname not in LOOPBACK_HOSTS:
            # The address is the secret: over plain http anyone on the way could read it.
            raise AlertNotSent(
                f"the value of {channel.url_env} is a plain http address: a webhook's address "
                "is its secret and must travel encrypted, so give its https:// address (plain "
                "http is only for a receiver on this machine)"
            )
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": delivery_key,
            "User-Agent": USER_AGENT,
        }
        if channel.kind == "webhook" and channel.secret_env:
            secret = _variable(channel.secret_env, environ, "the webhook's shared secret")
            headers[SIGNATURE_HEADER] = signature(secret, body)
        what = _webhook_name(channel)
        answer, reason = self._post(url, body, headers, what, channel)
        if answer is None:  # raised here, outside the handler: the address is in no chain
            raise AlertNotSent(reason)
        with answer:
            if 200 <= answer.status_code < 300:
                return
            raise AlertNotSent(
                f"the {what} answered {answer.status_code}{_meaning(answer.status_code)}",
                retry_after=_retry_after(answer.headers.get("Retry-After")),
            )

    def _post(
        self, url: str, body: bytes, headers: dict[str, str], what: str, channel: AlertChannel
    ) -> tuple[requests.Response | None, str]:
        """The answer, or None and why there was none in plain words (never the address)."""
        poster = self.session or requests
        try:
            answer = poster.post(
                url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False
            )
        except requests.exceptions.SSLError:
            return (
                None,
                f"the secure connection to the {what} failed (its certificate was not accepted)",
            )
        except requests.exceptions.Timeout:
            return None, f"the {what} did not answer within {self.timeout:g} seconds"
        except requests.exceptions.ConnectionError as exc:
            return None, f"could not connect to the {what} ({_network(exc)})"
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema):
            return None, (
                f"the value of {channel.url_env} is not a usable web address: set it to the "
                "webhook's address"
            )
        except requests.exceptions.RequestException:
            return None, f"the {what} could not be reached"
        return answer, ""


def _webhook_name(channel: AlertChannel) -> str:
    return {"teams": "Teams webhook", "slack": "Slack webhook"}.get(channel.kind, "webhook")


def _meaning(status: int) -> str:
    if status == 429:
        return " (too many messages: it asked us to wait)"
    if status in (401, 403, 404, 410):
        return " (the address is wrong or was removed: make a new webhook and set its address)"
    return ""


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: our own backoff is close enough


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the exact body with the shared secret, so the receiver
    can check the alert came from us and was not changed."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def message_id(delivery_key: str, sender: str) -> str:
    """The same Message-ID on every attempt of one delivery, so a repeat is recognisable."""
    digest = hashlib.sha256(delivery_key.encode("utf-8")).hexdigest()[:32]
    domain = sender.rpartition("@")[2] or "campaign.invalid"
    return f"<alert.{digest}@{domain}>"


def _variable(name: str | None, environ: Mapping[str, str], what: str) -> str:
    value = environ.get(name or "", "").strip()
    if not name or not value:
        raise AlertNotSent(
            f"environment variable {name} is not set: export it with {what} in the "
            "environment of the daemon and the dashboard (the alerts wait until then)"
        )
    return value


def _login(channel: AlertChannel, environ: Mapping[str, str]) -> tuple[str, str] | None:
    if channel.username_env is None or channel.password_env is None:
        return None
    user = _variable(channel.username_env, environ, "the mail server's user name")
    password = _variable(channel.password_env, environ, "the mail server's password")
    return user, password


def _where(channel: AlertChannel) -> str:
    return f"{channel.host}:{channel.port}"


def _decode(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return " ".join(text.split())[:200]


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "…")
    return text


def _network(exc: BaseException) -> str:
    """A connection failure in words: refused, timed out, unknown name, unreachable."""
    seen: BaseException | None = exc
    for _ in range(10):  # a chain of wrapped errors, never endless
        if seen is None:
            break
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, TimeoutError | socket.timeout):
            return "no answer in time"
        if isinstance(seen, socket.gaierror):
            return "the server's name is not known"
        if isinstance(seen, ConnectionResetError):
            return "the connection was dropped"
        seen = seen.__cause__ or seen.__context__ or _first_arg_error(seen)
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "nodename nor servname" in text:
        return "the server's name is not known"
    if "timed out" in text:
        return "no answer in time"
    return "the network failed"


def _first_arg_error(exc: BaseException) -> BaseException | None:
    """urllib3 wraps the socket error as an argument, not as a cause."""
    for arg in getattr(exc, "args", ()):
        if isinstance(arg, BaseException):
            return arg
        reason = getattr(arg, "reason", None)
        if isinstance(reason, BaseException):
            return reason
    return None
