"""The dashboard's server keeps serving when a connection is closed under its main loop (a worker
thread closing a socket while the loop waits on it): one dropped connection must never stop the
dashboard for every officer. Through a real waitress server on loopback, with our options."""

from __future__ import annotations

import http.client
import socket
import time

from flask import Flask

from tests.web.conftest import OnLoopback


def _status(url: str) -> int:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/login")
    status = connection.getresponse().status
    connection.close()
    return status


def test_a_socket_closed_under_the_main_loop_does_not_stop_the_dashboard(app: Flask) -> None:
    served = OnLoopback(app)
    try:
        host, port = served.url.removeprefix("http://").split(":")
        idle = socket.create_connection((host, int(port)))  # a connection the server holds open
        deadline = time.monotonic() + 10
        while len(served.channels()) < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        [channel] = served.channels()
        # A worker thread closes a connection whose client went away while the main loop is
        # between listing its descriptors and waiting on them; run on the loop's own thread, the
        # close lands exactly there, every time.
        served.server.trigger.pull_trigger(channel.socket.close)
        time.sleep(1.5)  # the main loop waits on that descriptor at least once
        assert served.thread.is_alive()
        assert _status(served.url) == 200
        idle.close()
    finally:
        served.close()
