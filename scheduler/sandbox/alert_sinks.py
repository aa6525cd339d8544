"""Loopback receivers of alerts: a real SMTP server and a real HTTP receiver on 127.0.0.1.

Tests deliver alerts to them through the real transports (smtplib, requests), and a rehearsal
shows a new user the alerts it would have sent. Each can be told, while it runs, to misbehave
as a real server does: answer "try later" (SMTP 451, HTTP 503 or 429) or be down altogether
(connection refused), then come back on the same port.

    with SmtpSink() as mail, WebhookSink() as hooks:
        ... mail.port, hooks.url("/teams") ...
        hooks.down(); ...; hooks.up()
        mail.messages[0]["Subject"], hooks.messages[0].json
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"


class _NoLegacyLoginWarning(logging.Filter):
    """aiosmtpd 1.4 warns "Session.login_data is deprecated" at every successful login, from
    its own code: a line per rehearsed email that tells the reader nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "login_data is deprecated" not in record.getMessage()


_AIOSMTPD_LOG = logging.getLogger("mail.log")
if not any(isinstance(f, _NoLegacyLoginWarning) for f in _AIOSMTPD_LOG.filters):
    _AIOSMTPD_LOG.addFilter(_NoLegacyLoginWarning())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ReceivedMail:
    """One message the SMTP sink accepted, with how it came."""

    message: EmailMessage
    sender: str
    recipients: tuple[str, ...]
    encrypted: bool  # the session was upgraded with STARTTLS
    login: str | None  # the user name it authenticated as


class _MailHandler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        refusal = self.sink._refusal
        if refusal is not None:
            return refusal
        if self.sink.credentials is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        content = envelope.content
        raw = content if isinstance(content, bytes) else (content or "").encode("utf-8")
        message = email.message_from_bytes(raw, policy=email.policy.default)
        login = session.auth_data if session.authenticated else None
        self.sink._record(
            ReceivedMail(
                message=message,
                sender=envelope.mail_from or "",
                recipients=tuple(envelope.rcpt_tos),
                encrypted=session.ssl is not None,
                login=login.decode("utf-8") if isinstance(login, bytes) else login,
            )
        )
        return "250 Message accepted for delivery"


class SmtpSink:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it is sent.

    `tls_context` offers STARTTLS (and requires it); `credentials` (user, password) requires
    a login that matches. `refuse()` answers every message with a temporary failure, `down()`
    stops listening (connection refused) and `up()` listens again on the same port.
    """

    def __init__(
        self,
        *,
        port: int | None = None,
        tls_context: ssl.SSLContext | None = None,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self.host = HOST
        self.port = port or free_port()
        self.tls_context = tls_context
        self.credentials = credentials
        self._lock = threading.Lock()
        self._received: list[ReceivedMail] = []
        self._refusal: str | None = None
        self._controller: Controller | None = None

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword) or self.credentials is None:
            return AuthResult(success=False, handled=False)
        given = (data.login.decode("utf-8"), data.password.decode("utf-8"))
        return AuthResult(success=given == self.credentials, handled=False, auth_data=given[0])

    def start(self) -> Self:
        if self._controller is not None:
            return self
        options: dict[str, Any] = {}
        if self.tls_context is not None:
            options.update(tls_context=self.tls_context, require_starttls=True)
        if self.credentials is not None:
            # AUTH is offered (after STARTTLS when there is TLS); a message without a login is
            # refused in DATA (aiosmtpd's own auth_required warns when TLS is not required).
            options.update(
                authenticator=self._authenticate, auth_require_tls=self.tls_context is not None
            )
        controller = Controller(
            _MailHandler(self), hostname=self.host, port=self.port, ready_timeout=5, **options
        )
        controller.start()
        self._controller = controller
        return self

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def down(self) -> None:
        """Stop listening: a client now gets "connection refused"."""
        self.stop()

    def up(self) -> None:
        """Listen again, on the same port."""
        self.start()

    def refuse(self, reply: str = "451 4.3.0 Mail server busy, try again later") -> None:
        """Answer every message with `reply` (an SMTP status line) instead of accepting it."""
        self._refusal = reply

    def accept(self) -> None:
        self._refusal = None

    def _record(self, mail: ReceivedMail) -> None:
        with self._lock:
            self._received.append(mail)

    @property
    def received(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._received)

    @property
    def messages(self) -> list[EmailMessage]:
        """Every accepted message, parsed, in the order they came."""
        return [mail.message for mail in self.received]

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


@dataclass(frozen=True)
class WebhookCall:
    """One request the webhook sink received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any = field(default=None)

    def header(self, name: str) -> str | None:
        """A header by name, whatever its case."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


class _HookHandler(BaseHTTPRequestHandler):
    server: _HookServer
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - http.server's method name
        self._answer()

    def do_PUT(self) -> None:  # noqa: N802
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        sink = self.server.sink
        status, extra = sink._status, sink._headers
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        call = WebhookCall(self.command, self.path, dict(self.headers.items()), body, parsed)
        sink._record(call, accepted=200 <= status < 300)
        answer = b"1" if 200 <= status < 300 else b'{"error": "unavailable"}'
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Quiet: the path of a webhook is its secret, and tests read the logs for secrets."""


class _HookServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, sink: WebhookSink) -> None:
        self.sink = sink
        super().__init__((sink.host, sink.port), _HookHandler)


class WebhookSink:
    """A real HTTP receiver on loopback for Teams, Slack and JSON webhooks.

    Answers 200 and records each call (`messages`), or, when told, answers `status` (503,
    429 with Retry-After...) without recording it, or is `down()` (connection refused).
    """

    def __init__(self, *, port: int | None = None) -> None:
        self.host = HOST
        self.port = port or free_port()
        self._lock = threading.Lock()
        self._calls: list[WebhookCall] = []
        self._refused: list[WebhookCall] = []
        self._status = 200
        self._headers: dict[str, str] = {}
        self._server: _HookServer | None = None
        self._thread: threading.Thread | None = None

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def start(self) -> Self:
        if self._server is not None:
            return self
        server = _HookServer(self)
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def down(self) -> None:
        """Stop listening: a client now gets "connection refused"."""
        self.stop()

    def up(self) -> None:
        """Listen again, on the same port."""
        self.start()

    def answer(self, status: int = 200, headers: dict[str, str] | None = None) -> None:
        """Answer every call with `status` (and `headers`) from now on; 2xx records them."""
        self._status, self._headers = status, dict(headers or {})

    def _record(self, call: WebhookCall, *, accepted: bool) -> None:
        with self._lock:
            (self._calls if accepted else self._refused).append(call)

    @property
    def messages(self) -> list[WebhookCall]:
        """Every call answered with success, in the order they came."""
        with self._lock:
            return list(self._calls)

    @property
    def refused(self) -> list[WebhookCall]:
        """Every call answered with a failure status (503, 429...), in order."""
        with self._lock:
            return list(self._refused)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


__all__ = ["ReceivedMail", "SmtpSink", "WebhookCall", "WebhookSink", "free_port"]
