"""Sandbox connections: N opened in the same instant, then one request on each.

Prints how long until every connection was established and until every answer arrived, and
how many failed (reset or timed out). A short listen backlog shows here as a one-second SYN
retry, then as connections the server never takes that are reset a minute later.
    .venv/bin/python benchmarks/sandbox_connections.py [--connections 500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import selectors
import socket
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from campaign.clock import ManualClock
from scheduler.sandbox import PlatformSandbox, SandboxSettings

REQUEST = b"GET /2/users/me HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n\r\n"


def burst(target: tuple[str, int], count: int, timeout: float) -> tuple[float, float, int]:
    """Seconds until all connected, seconds until all answered, and how many failed."""
    selector = selectors.DefaultSelector()
    sockets = []
    started = time.perf_counter()
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex(target)
        sockets.append(sock)
        selector.register(sock, selectors.EVENT_WRITE)
    pending = count
    while pending and (ready := selector.select(timeout)):
        for key, _ in ready:
            selector.unregister(key.fileobj)
            pending -= 1
    connected = time.perf_counter() - started
    failed = pending
    for sock in sockets:  # every client asks at once, as a daemon's workers do
        sock.setblocking(True)
        sock.settimeout(timeout)
        sock.sendall(REQUEST)
    for sock in sockets:
        try:
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
            failed += not answer.startswith(b"HTTP/1.1 401 ")
        except OSError:
            failed += 1
        finally:
            sock.close()
    selector.close()
    return connected, time.perf_counter() - started, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per socket wait")
    args = parser.parse_args()
    clock = ManualClock(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    with PlatformSandbox(SandboxSettings(), clock) as sandbox:
        url = urlsplit(sandbox.x_base_url)
        assert url.hostname is not None and url.port is not None
        for _ in range(args.rounds):
            connected, answered, failed = burst(
                (url.hostname, url.port), args.connections, args.timeout
            )
            print(
                f"connections={args.connections} all connected after {connected:.3f}s, "
                f"all answered after {answered:.3f}s, failed={failed}"
            )


if __name__ == "__main__":
    main()
