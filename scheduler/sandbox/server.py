"""The HTTP plumbing shared by both platform doubles: a stdlib server on loopback.

Each double is an `Api` (a function from `Request` to `Response`); `LoopbackServer` runs it in
a background thread and applies the fault settings around it (latency, injected 429 and 5xx,
slow answers, connections dropped after a create), so the doubles only model the platform.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from campaign.clock import Clock
from scheduler.sandbox.faults import Fault, FaultInjector

log = logging.getLogger(__name__)

SECRET_PARAMS = frozenset({"access_token", "appsecret_proof"})


@dataclass(frozen=True)
class Part:
    """One field of a multipart/form-data body."""

    name: str
    data: bytes
    filename: str | None = None
    content_type: str | None = None

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


@dataclass(frozen=True)
class Request:
    """An incoming request, parsed just enough for the doubles."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]  # names in lower case
    body: bytes = b""
    host: str = ""
    # The late-create fault: a post this request creates appears this many seconds later.
    lands_after: float = 0.0

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, Part]:
        """Form fields of a urlencoded or multipart body (first value of each name)."""
        if self.content_type.startswith("multipart/form-data"):
            return parse_multipart(self.body, self.content_type)
        fields = parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        return {name: Part(name, values[0].encode()) for name, values in fields.items()}


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


@dataclass(frozen=True)
class RequestRecord:
    """What the sandbox received (secrets removed from the query), for tests to count."""

    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    at: datetime


def json_response(
    status: int,
    payload: Any,
    *,
    content_type: str = "application/json; charset=utf-8",
    headers: Mapping[str, str] | None = None,
) -> Response:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Response(status, body, {"Content-Type": content_type, **(headers or {})})


def parse_multipart(body: bytes, content_type: str) -> dict[str, Part]:
    """A small multipart/form-data parser (the stdlib `cgi` module is deprecated)."""
    boundary = ""
    for piece in content_type.split(";")[1:]:
        key, _, value = piece.strip().partition("=")
        if key.lower() == "boundary":
            boundary = value.strip('"')
    if not boundary:
        raise ValueError("multipart body without a boundary")
    parts: dict[str, Part] = {}
    for section in body.split(b"--" + boundary.encode())[1:]:
        if section.startswith(b"--"):
            break
        head, _, data = section.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        params: dict[str, str] = {}
        ctype = None
        for line in head.decode("utf-8").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "content-type":
                ctype = value.strip()
            elif name.lower() == "content-disposition":
                for item in value.split(";")[1:]:
                    k, _, v = item.strip().partition("=")
                    params[k.lower()] = v.strip('"')
        if "name" in params:
            parts[params["name"]] = Part(
                params["name"], data.removesuffix(b"\r\n"), params.get("filename"), ctype
            )
    return parts


class Api(Protocol):
    """A platform double: models answers; the server adds faults around it."""

    requests: list[RequestRecord]

    def handle(self, request: Request) -> Response: ...

    def creates(self, request: Request) -> bool:
        """Whether the request would create a post (subject to drop-after-create)."""
        ...

    def throttled(self, request: Request) -> Response:
        """The platform's rate-limit answer, for an injected 429."""
        ...

    def server_error(self, request: Request) -> Response:
        """The platform's server-error answer, for an injected 5xx."""
        ...


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes; with Nagle's algorithm on, a keep-alive
    # client waits ~40 ms for the delayed ACK on every answer, which no real platform does.
    disable_nagle_algorithm = True
    timeout = 30  # idle keep-alive connections end instead of holding a thread forever
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_DELETE = do_PUT = do_GET

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=url.path,
            query=parse_qs(url.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            host=self.headers.get("Host", ""),
        )
        response = self.server.owner.respond(request)
        if response.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header follows the sandbox clock, so clients can compute resets from it."""
        return format_datetime(self.server.owner.clock.now(), usegmt=True)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s %s", self.address_string(), format % args)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # The request line may carry access_token in its query: log the path only.
        log.debug("%s %s -> %s", self.command, urlsplit(self.path).path, code)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LoopbackServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout, closed socket) is normal here: log, don't print.
        log.debug("sandbox connection from %s ended abruptly", client_address, exc_info=True)


class LoopbackServer:
    """One platform double served on loopback from a background thread."""

    def __init__(
        self,
        api: Api,
        faults: FaultInjector,
        clock: Clock,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.api = api
        self.faults = faults
        self.clock = clock
        self._address = (host, port)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._sleep = sleep or self._interruptible_sleep

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        if self._server is not None:
            return
        self._stopping.clear()
        self._server = _Server(self._address, _Handler)
        self._server.owner = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},  # so stop() returns at once
            name=f"sandbox-{self.base_url}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes handlers sleeping on a slow answer
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def _interruptible_sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def respond(self, request: Request) -> Response:
        """Answer one request: faults first, then the double; never raises."""
        settings = self.faults.settings
        self._sleep(settings.latency_seconds)
        fault = Fault.NONE
        try:
            fault = self.faults.draw(creates=self.api.creates(request))
            if fault is Fault.THROTTLE:
                response = self.api.throttled(request)
            elif fault is Fault.SERVER_ERROR:
                response = self.api.server_error(request)
            elif fault is Fault.LATE:
                late = dataclasses.replace(request, lands_after=settings.late_create_seconds)
                response = self.api.handle(late)
            else:
                response = self.api.handle(request)
                if fault is Fault.DROP and response.status < 300:
                    response = Response(0, drop=True)
        except Exception:  # a bug in a double must show up as a 500, not a hung client
            log.exception("sandbox double failed on %s %s", request.method, request.path)
            response = json_response(500, {"title": "Sandbox bug", "status": 500})
        self.api.requests.append(
            RequestRecord(
                method=request.method,
                path=request.path,
                query={k: v for k, v in request.query.items() if k not in SECRET_PARAMS},
                status=response.status,
                at=self.clock.now(),
            )
        )
        if fault is Fault.SLOW:  # the work is done; only the answer is late
            self._sleep(settings.slow_seconds)
        elif fault is Fault.LATE:  # the answer comes when the post lands
            self._sleep(settings.late_create_seconds)
        return response
