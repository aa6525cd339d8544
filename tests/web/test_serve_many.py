"""`campaign serve` over a database alone shows every campaign in it; with nothing to serve it
says so plainly with the right exit code."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from campaign.cli import main
from campaign.store import Store
from tests.web.conftest import SECOND, second_campaign

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CAMPAIGN = [sys.executable, "-c", "from campaign.cli import main; main()"]


def test_serve_without_a_config_or_a_database_is_bad_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CAMPAIGN_DATABASE_URL", raising=False)
    monkeypatch.delenv("CAMPAIGN_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2 and "needs a database: give --database URL" in result.output
    assert "Traceback" not in result.output


def test_serve_over_a_database_without_campaigns_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Store.open(f"sqlite:///{tmp_path / 'empty.db'}").engine.dispose()
    result = CliRunner().invoke(main, ["serve", "--database", f"sqlite:///{tmp_path}/empty.db"])
    assert result.exit_code == 3 and "holds no campaign" in result.output


def _request(port: int, method: str, path: str, headers: dict[str, str], body: str = ""):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return response, text


@pytest.mark.slow
def test_serve_with_only_a_database_shows_every_campaign(campaign_dir, tmp_path):
    database = f"sqlite:///{tmp_path / 'force.db'}"
    env = {**os.environ, "CAMPAIGN_DATABASE_URL": database, "CAMPAIGN_WEB_SECRET": "s" * 40}
    env.pop("CAMPAIGN_CONFIG", None)
    second = second_campaign(campaign_dir, tmp_path / "road-safety")
    for config in (campaign_dir / "config.toml", second):
        planned = subprocess.run([*CAMPAIGN, "plan", "--config", str(config)], env=env)
        assert planned.returncode == 0
    add = [*CAMPAIGN, "users", "add", "olly", "--role", "officer", "--password-env", "PASSWORD"]
    added = subprocess.run(
        add, env={**env, "PASSWORD": "correct horse battery staple"}, cwd=campaign_dir
    )
    assert added.returncode == 0
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    nowhere = tmp_path / "no-config-here"
    nowhere.mkdir()
    server = subprocess.Popen(
        [*CAMPAIGN, "serve", "--port", str(port)],
        env=env,
        cwd=nowhere,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.time() + 60  # Python and Flask start slowly on a busy machine
        while time.time() < deadline and server.poll() is None:
            try:
                page, text = _request(port, "GET", "/login", {})
                break
            except OSError:
                time.sleep(0.1)
        cookie = page.headers["Set-Cookie"].split(";")[0]
        body = (
            f"username=olly&password=correct+horse+battery+staple&csrf_token={CSRF.search(text)[1]}"
        )
        form = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        signed_in, _ = _request(port, "POST", "/login", form, body)
        assert signed_in.status == 302
        cookie = signed_in.headers["Set-Cookie"].split(";")[0]
        week, text = _request(port, "GET", f"/c/{SECOND}/week", {"Cookie": cookie})
        assert week.status == 200 and 'id="post-2020-04-14-x"' in text
        calendar, text = _request(port, "GET", "/calendar?month=2020-04", {"Cookie": cookie})
        assert "Road Safety Week 2020" in text and "Stalking Awareness Week 2020" in text
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert "Dashboard for 2 campaigns" in output
