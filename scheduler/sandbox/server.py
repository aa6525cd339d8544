"""Serving a double on loopback: a threaded stdlib HTTP server running its WSGI application.

wsgiref runs the application; the connection handling around it is ours because the
ready-made servers give up what a platform double needs: wsgiref's and werkzeug's development
servers close the connection after every answer (no keep-alive), and the stdlib's listen
backlog of 5 makes the kernel drop the SYNs of a burst (each costs the client a 1 s retry).
"""

from __future__ import annotations

import io
import logging
import socket
import sys
import threading
from collections.abc import Callable
from socketserver import ThreadingMixIn
from typing import IO, Any, cast
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from campaign.clock import Clock
from scheduler.sandbox.faults import FaultInjector
from scheduler.sandbox.wsgi import DROP_CONNECTION, Api, FaultyApp

log = logging.getLogger(__name__)

LISTEN_BACKLOG = 1024  # a daemon's wave of hundreds of posts connects in the same instant
MAX_LINE = 65536


class _Gateway(ServerHandler):
    """wsgiref's WSGI gateway, answering in HTTP/1.1 so the connection stays open."""

    http_version = "1.1"
    os_environ: dict[str, str] = {}  # the process's environment (secrets) stays out of requests
    request_handler: WSGIRequestHandler  # wsgiref logs through it (not in its stubs)


class _Handler(WSGIRequestHandler):
    """Serves request after request on one connection, each through the WSGI application."""

    protocol_version = "HTTP/1.1"
    # A large answer goes out in several writes; with Nagle's algorithm on, a keep-alive
    # client waits ~40 ms for the delayed ACK on such answers, which no real platform does.
    disable_nagle_algorithm = True
    wbufsize = -1  # buffered: status line, headers and a small body leave in one write
    timeout = 30  # idle keep-alive connections end instead of holding a thread forever
    server: _Server

    def handle(self) -> None:
        self.close_connection = True
        self._serve_one()
        while not self.close_connection:
            self._serve_one()

    def _serve_one(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(MAX_LINE + 1)
        except TimeoutError:
            self.close_connection = True
            return
        if len(self.raw_requestline) > MAX_LINE:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.raw_requestline or not self.parse_request():
            self.close_connection = True
            return
        environ = self.get_environ()
        # The whole body is read first: a route that ignores it must not leave it to be
        # taken for the next request on this connection.
        length = int(self.headers.get("Content-Length") or 0)
        body = io.BytesIO(self.rfile.read(length) if length > 0 else b"")
        environ[DROP_CONNECTION] = self._drop
        # The stubs type wfile as BufferedIOBase; it is the socket's BufferedWriter.
        wfile = cast(IO[bytes], self.wfile)
        gateway = _Gateway(body, wfile, sys.stderr, environ, multithread=True)
        gateway.request_handler = self  # wsgiref logs through it
        app = self.server.get_app()
        if app is None:
            raise RuntimeError("the sandbox server has no application set")
        gateway.run(app)
        self.wfile.flush()

    def _drop(self) -> None:
        """End the connection without an answer (the drop-after-create fault)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s %s", self.address_string(), format % args)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # The request line may carry access_token in its query: log the path only.
        log.debug("%s %s -> %s", self.command, self.path.partition("?")[0], code)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

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
        self.app = FaultyApp(api, faults, clock, sleep or self._interruptible_sleep)
        self._address = (host, port)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        return f"http://{self._address[0]}:{self._server.server_port}"

    def start(self) -> None:
        if self._server is not None:
            return
        self._stopping.clear()
        self._server = _Server(self._address, _Handler)
        self._server.set_app(self.app)
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
