"""Served over HTTPS behind a proxy: HSTS on every answer, the proxy's forwarded scheme and client
address believed from the named proxy only, so the https Referer check and throttling by
address work. Through a real waitress server on loopback."""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from campaign.cli import main
from campaign.web import create_app
from tests.web.conftest import OnLoopback

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_https_answers_carry_hsts_and_plain_http_ones_do_not(config, planned, app):
    secure = create_app(config, planned, secret_key="k" * 32, secure_cookies=True)
    response = secure.test_client().get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers


@contextmanager
def _served(app, trusted_proxy: str | None) -> Iterator[int]:
    served = OnLoopback(app, https=True, proxy=trusted_proxy)
    try:
        yield served.port
    finally:
        served.close()


def _request(port: int, method: str, path: str, headers: dict[str, str], body: str = ""):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return response, text


def _sign_in(port: int, forwarded: dict[str, str], referer: str | None):
    page, text = _request(port, "GET", "/login", forwarded)
    cookie = page.headers["Set-Cookie"].split(";")[0]
    token = CSRF.search(text).group(1)
    headers = {
        **forwarded,
        "Cookie": cookie,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    if referer:
        headers["Referer"] = referer
    body = f"username=alice&password=correct+horse+battery+staple&csrf_token={token}"
    return page, _request(port, "POST", "/login", headers, body)


def _addresses(store) -> list[str | None]:
    """The client address of each sign-in attempt (not of the changes to users beside them)."""
    from campaign.store.models import SignInEventRow
    from campaign.store.users import CHANGES

    with store.transaction() as session:
        query = select(SignInEventRow.address).where(SignInEventRow.event.not_in(CHANGES))
        return list(session.scalars(query))


def test_behind_the_trusted_proxy_https_is_checked_and_clients_are_told_apart(config, planned, web):
    app = create_app(config, planned, secret_key="k" * 32, secure_cookies=True)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    with _served(app, trusted_proxy="127.0.0.1") as port:
        page, (no_referer, text) = _sign_in(port, forwarded, referer=None)
        assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
        assert no_referer.status == 400 and "could not be accepted" in text
        elsewhere = _sign_in(port, forwarded, referer="https://evil.example/login")[1][0]
        assert elsewhere.status == 400
        _, (signed_in, _) = _sign_in(port, forwarded, f"https://127.0.0.1:{port}/login")
        assert signed_in.status == 302, signed_in.headers
    assert _addresses(planned) == ["203.0.113.9"]


def test_forwarded_headers_from_anyone_else_are_ignored(config, planned):
    app = create_app(config, planned, secret_key="k" * 32, secure_cookies=True)
    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    with _served(app, trusted_proxy="192.0.2.1") as port:
        _, (signed_in, _) = _sign_in(port, forged, f"https://127.0.0.1:{port}/login")
        assert signed_in.status == 302
    assert _addresses(planned) == ["127.0.0.1"]


@pytest.mark.parametrize("value", ["proxy.example", "10.0.0.300"])
def test_a_trusted_proxy_must_be_an_ip_address(value, campaign_dir):
    env = {"CAMPAIGN_CONFIG": str(campaign_dir / "config.toml")}
    result = CliRunner().invoke(main, ["serve", "--trusted-proxy", value], env=env)
    assert result.exit_code == 2 and "is not an IP address" in result.output


def test_serve_help_documents_the_proxy_setting(campaign_dir):
    result = CliRunner().invoke(main, ["serve", "--help"])
    text = " ".join(result.output.split())
    assert "--trusted-proxy ADDRESS" in text and "HSTS" in text


@pytest.mark.slow
def test_campaign_serve_behind_a_proxy_logs_failed_sign_ins(campaign_dir, tmp_path):
    import os
    import socket
    import subprocess
    import sys
    import time

    env = {
        **os.environ,
        "CAMPAIGN_CONFIG": str(campaign_dir / "config.toml"),
        "CAMPAIGN_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "CAMPAIGN_WEB_SECRET": "s" * 40,
    }
    campaign = [sys.executable, "-c", "from campaign.cli import main; main()"]
    assert subprocess.run([*campaign, "plan"], env=env, capture_output=True).returncode == 0
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [*campaign, "serve", "--port", str(port), "--https", "--trusted-proxy", "127.0.0.1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.23"}
    try:
        deadline = time.time() + 60  # Python and Flask start slowly on a busy machine
        while time.time() < deadline and server.poll() is None:
            try:
                page, text = _request(port, "GET", "/login", forwarded)
                break
            except OSError:
                time.sleep(0.1)
        assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
        headers = {
            **forwarded,
            "Cookie": page.headers["Set-Cookie"].split(";")[0],
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://127.0.0.1:{port}/login",
        }
        body = f"username=nobody&password=wrong+password&csrf_token={CSRF.search(text)[1]}"
        refused, _ = _request(port, "POST", "/login", headers, body)
        assert refused.status == 401
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert "sign-in failed: an unknown name from 198.51.100.23" in output
    assert "wrong password" not in output
