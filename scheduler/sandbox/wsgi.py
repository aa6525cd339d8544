"""Between HTTP and a platform double: the WSGI application that adds faults and records.

Each double is a handler from werkzeug's `Request` to its `Response`, with declared routes
(like httpx's `MockTransport(handler)`). `FaultyApp` turns one into a WSGI application and
applies the fault settings around it (latency, injected 429 and 5xx, slow answers, late
creates, connections dropped after a create), so the doubles only model the platform.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from http import HTTPStatus
from typing import Any, Protocol

from werkzeug.wrappers import Request, Response

from campaign.clock import Clock
from scheduler.sandbox.faults import Fault, FaultInjector

log = logging.getLogger(__name__)

SECRET_PARAMS = frozenset({"access_token", "appsecret_proof"})
JSON = "application/json; charset=utf-8"
# Environ keys the sandbox adds: how late a create lands, and how to drop the connection.
LANDS_AFTER = "sandbox.lands_after"
DROP_CONNECTION = "sandbox.drop_connection"

StartResponse = Callable[..., Any]


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
    content_type: str = JSON,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A JSON answer; Content-Type first, then `headers`, in the order a batch lists them."""
    return Response(
        json.dumps(payload, separators=(",", ":")).encode(),
        status_line(status),
        [("Content-Type", content_type), *(headers or {}).items()],
    )


def status_line(status: int) -> str:
    """`404 Not Found`, as HTTP spells it (werkzeug's default is upper case)."""
    return f"{status} {HTTPStatus(status).phrase}"


def lands_after(request: Request) -> float:
    """Seconds after the request that a post it creates appears (the late-create fault)."""
    return float(request.environ.get(LANDS_AFTER, 0.0))


class Api(Protocol):
    """A platform double: models answers; `FaultyApp` adds faults around it."""

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


class FaultyApp:
    """One double as a WSGI application, with the sandbox's faults applied around it.

    `sleep` waits for latency and slow answers; the server makes it return at once on stop.
    """

    def __init__(
        self, api: Api, faults: FaultInjector, clock: Clock, sleep: Callable[[float], None]
    ) -> None:
        self.api = api
        self.faults = faults
        self.clock = clock
        self._sleep = sleep

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.respond(request)
        finally:
            request.close()  # the files of a multipart body
        if response is None:  # the drop-after-create fault: no answer at all
            environ[DROP_CONNECTION]()
            raise ConnectionAbortedError("sandbox dropped the connection after a create")
        # The Date header follows the sandbox clock, so clients can compute resets from it.
        response.headers["Date"] = format_datetime(self.clock.now(), usegmt=True)
        return response(environ, start_response)

    def respond(self, request: Request) -> Response | None:
        """Answer one request: faults first, then the double; None drops the connection."""
        settings = self.faults.settings
        self._sleep(settings.latency_seconds)
        fault = Fault.NONE
        try:
            fault = self.faults.draw(creates=self.api.creates(request))
            response = self._answer(request, fault)
        except Exception:  # a bug in a double must show up as a 500, not a hung client
            log.exception("sandbox double failed on %s %s", request.method, request.path)
            response = json_response(500, {"title": "Sandbox bug", "status": 500})
        dropped = fault is Fault.DROP and response.status_code < 300
        self.api.requests.append(
            RequestRecord(
                method=request.method,
                path=request.path,
                query={k: v for k, v in request.args.lists() if k not in SECRET_PARAMS},
                status=0 if dropped else response.status_code,
                at=self.clock.now(),
            )
        )
        if dropped:
            return None
        if fault is Fault.SLOW:  # the work is done; only the answer is late
            self._sleep(settings.slow_seconds)
        elif fault is Fault.LATE:  # the answer comes when the post lands
            self._sleep(settings.late_create_seconds)
        return response

    def _answer(self, request: Request, fault: Fault) -> Response:
        if fault is Fault.THROTTLE:
            return self.api.throttled(request)
        if fault is Fault.SERVER_ERROR:
            return self.api.server_error(request)
        if fault is Fault.LATE:
            request.environ[LANDS_AFTER] = self.faults.settings.late_create_seconds
        return self.api.handle(request)
