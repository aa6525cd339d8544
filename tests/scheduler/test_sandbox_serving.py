"""How the sandbox serves HTTP: bursts of connections, keep-alive, routes it does not have."""

from __future__ import annotations

import hashlib
import hmac
import selectors
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests

from campaign.config import Account
from scheduler.sandbox import PlatformSandbox

BURST = 500
SYN_RETRY = 1.0  # seconds: Linux resends a dropped SYN after one second


def address(base_url: str) -> tuple[str, int]:
    url = urlsplit(base_url)
    assert url.hostname is not None and url.port is not None
    return url.hostname, url.port


def read_answer(sock: socket.socket) -> bytes:
    """One HTTP answer (head and Content-Length body) from a keep-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the connection closed before the answer"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head


def test_a_burst_of_simultaneous_connections_is_accepted_at_once(
    sandbox: PlatformSandbox,
) -> None:
    """A daemon with hundreds of workers opens hundreds of connections in the same instant.

    A short listen backlog makes the kernel drop SYNs, and each dropped one costs the client a
    one-second retry: every connection must be established well before that.
    """
    target = address(sandbox.x_base_url)
    selector = selectors.DefaultSelector()
    sockets = []
    started = time.perf_counter()
    try:
        for _ in range(BURST):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.connect_ex(target)
            sockets.append(sock)
            selector.register(sock, selectors.EVENT_WRITE)
        connected = 0
        while connected < BURST:
            ready = selector.select(timeout=SYN_RETRY * 0.9 - (time.perf_counter() - started))
            if not ready:
                break
            for key, _ in ready:
                selector.unregister(key.fileobj)
                connected += 1
        elapsed = time.perf_counter() - started
        assert connected == BURST, f"{BURST - connected} connections waited for a SYN retry"
        assert elapsed < SYN_RETRY
        for sock in sockets:
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
            sock.setblocking(True)
            sock.settimeout(10)
            sock.sendall(b"GET /2/users/me HTTP/1.1\r\nHost: sandbox\r\n\r\n")
        heads = [read_answer(sock) for sock in sockets]
    finally:
        selector.close()
        for sock in sockets:
            sock.close()
    assert all(head.startswith(b"HTTP/1.1 401 ") for head in heads)


def test_one_connection_serves_request_after_request(sandbox: PlatformSandbox) -> None:
    """Keep-alive: a client's session reuses its connection (the channels rely on it)."""
    with socket.create_connection(address(sandbox.graph_base_url), timeout=5) as sock:
        for _ in range(3):
            # A body the route never reads must not be taken for the next request.
            sock.sendall(
                b"DELETE /v25.0/1 HTTP/1.1\r\nHost: sandbox\r\nContent-Length: 5\r\n"
                b"Content-Type: text/plain\r\n\r\nhello"
            )
            head = read_answer(sock)
            assert head.startswith(b"HTTP/1.1 400 ")
            assert b"connection: close" not in head.lower()


def test_nagle_does_not_delay_keep_alive_answers(sandbox: PlatformSandbox) -> None:
    """With Nagle's algorithm on, each keep-alive answer waited ~40 ms for a delayed ACK."""
    with requests.Session() as session:
        session.get(f"{sandbox.x_base_url}/2/users/me", timeout=5)
        started = time.perf_counter()
        for _ in range(20):
            session.get(f"{sandbox.x_base_url}/2/users/me", timeout=5)
        assert time.perf_counter() - started < 20 * 0.04 / 2


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/1.1/statuses/home_timeline.json"),
        ("PUT", "/2/tweets"),  # a path X has, with a method it does not serve there
        ("DELETE", "/2/tweets/not-a-number"),
        ("GET", "/2/users/me/"),
    ],
)
def test_x_answers_what_it_does_not_serve_with_its_404(
    sandbox: PlatformSandbox, method: str, path: str
) -> None:
    answer = requests.request(method, f"{sandbox.x_base_url}{path}", timeout=5)
    assert answer.status_code == 404
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json() == {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}


@pytest.mark.parametrize(
    ("method", "edge", "verb"),
    [
        ("POST", "insights", "post"),  # insights can be read, not written
        ("DELETE", "feed", "delete"),
        ("PUT", "", "put"),
        ("GET", "likes", "get"),  # an edge the sandbox does not have
        ("POST", "likes", "post"),
    ],
)
def test_graph_answers_what_it_does_not_serve_with_its_error(
    sandbox: PlatformSandbox,
    facebook_account: Account,
    environ: dict[str, str],
    method: str,
    edge: str,
    verb: str,
) -> None:
    token = environ[facebook_account.credentials["page_access_token"]]
    secret = environ[facebook_account.credentials["app_secret"]]
    proof = hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
    post = sandbox.facebook.add_post(str(facebook_account.page_id), "here")
    target = "/".join(filter(None, [post.id, edge]))
    answer = requests.request(
        method,
        f"{sandbox.graph_base_url}/v25.0/{target}",
        params={"access_token": token, "appsecret_proof": proof},
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.headers["facebook-api-version"] == "v25.0"
    assert "X-App-Usage" in answer.headers
    error = answer.json()["error"]
    assert (error["code"], error["error_subcode"], error["type"]) == (
        100,
        33,
        "GraphMethodException",
    )
    assert error["message"].startswith(f"Unsupported {verb} request. Object with ID '{target}'")
