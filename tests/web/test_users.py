"""Dashboard users: the core (hashing, roles, rules) and the `campaign users` / `serve` commands."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from sqlalchemy import inspect, select

from campaign.cli import main
from campaign.store import users
from campaign.store.models import UserRow
from campaign.store.users import (
    CAPABILITIES,
    ROLES,
    UserError,
    add_user,
    authenticate,
    list_users,
    set_disabled,
    set_password,
)

PASSWORD = "correct horse battery staple"
CAMPAIGN = [sys.executable, "-c", "from campaign.cli import main; main()"]


def test_the_migration_creates_the_users_table(store):
    columns = {c["name"] for c in inspect(store.engine).get_columns("users")}
    assert columns == {
        "id",
        "username",
        "password_hash",
        "role",
        "created_at",
        "disabled",
        "csrf_secret",
    }


def test_a_user_is_stored_with_an_argon2id_hash_never_the_password(store, clock):
    user = add_user(store, "alice", PASSWORD, "approver")
    assert (user.username, user.role, user.created_at, user.disabled) == (
        "alice",
        "approver",
        clock.now(),
        False,
    )
    with store.transaction() as session:
        row = session.scalar(select(UserRow))
        assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
    assert authenticate(store, "alice", PASSWORD) == user
    assert authenticate(store, "alice", PASSWORD + "!") is None
    assert authenticate(store, "nobody", PASSWORD) is None


def test_names_roles_and_passwords_are_checked(store):
    with pytest.raises(UserError, match="role 'superuser'"):
        add_user(store, "alice", PASSWORD, "superuser")
    with pytest.raises(UserError, match="at least 12 characters"):
        add_user(store, "alice", "short", "officer")
    with pytest.raises(UserError, match="username"):
        add_user(store, "<alice>", PASSWORD, "officer")
    add_user(store, "alice", PASSWORD, "officer")
    with pytest.raises(UserError, match="already exists"):
        add_user(store, "alice", PASSWORD, "approver")
    with pytest.raises(UserError, match="no user 'bob'"):
        set_disabled(store, "bob", True)


def test_names_and_passwords_have_upper_limits_on_the_server(store):
    with pytest.raises(UserError, match="at most 64 characters; this one has 60,000") as raised:
        add_user(store, "a" * 60_000, PASSWORD, "officer")
    assert "aaaaaaaaaa" not in str(raised.value)  # the message does not echo 60 KB back
    with pytest.raises(UserError, match="at most 1,024 characters"):
        add_user(store, "alice", "p" * 1_025, "officer")
    add_user(store, "alice", PASSWORD, "officer")
    assert authenticate(store, "alice" + "x" * 60_000, PASSWORD) is None
    assert authenticate(store, "alice", "p" * 1_000_000) is None
    assert list_users(store)[0].username == "alice"


def test_roles_grant_exactly_the_issues_capabilities():
    assert ROLES == ("officer", "approver", "analyst", "admin")
    assert CAPABILITIES["officer"] == {"view", "plan", "reports"}
    assert CAPABILITIES["approver"] == CAPABILITIES["officer"] | {"approve", "pause"}
    assert CAPABILITIES["analyst"] == {"reports"}
    assert CAPABILITIES["admin"] == CAPABILITIES["approver"] | {"users"}


def test_disabled_users_and_new_passwords(store):
    add_user(store, "alice", PASSWORD, "approver")
    set_disabled(store, "alice", True)
    assert authenticate(store, "alice", PASSWORD) is None
    assert not list_users(store)[0].can("view")
    set_disabled(store, "alice", False)
    set_password(store, "alice", "another long passphrase")
    assert authenticate(store, "alice", PASSWORD) is None
    assert authenticate(store, "alice", "another long passphrase") is not None


def test_a_hash_with_old_parameters_is_upgraded_at_sign_in(store, monkeypatch):
    monkeypatch.setattr(users, "HASHER", PasswordHasher())  # the real, default parameters
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    add_user(store, "alice", PASSWORD, "officer", hasher=weak)
    with store.transaction() as session:
        old = session.scalar(select(UserRow)).password_hash
    assert authenticate(store, "alice", PASSWORD) is not None
    with store.transaction() as session:
        new = session.scalar(select(UserRow)).password_hash
    assert new != old and not PasswordHasher().check_needs_rehash(new)


@pytest.fixture
def cli_env(campaign_dir, tmp_path):
    return {
        "CAMPAIGN_CONFIG": str(campaign_dir / "config.toml"),
        "CAMPAIGN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
    }


def test_users_add_reads_the_password_from_a_hidden_prompt_or_a_variable(cli_env):
    runner = CliRunner()
    add = ["users", "add", "alice", "--role", "approver"]
    prompted = runner.invoke(main, add, env=cli_env, input=f"{PASSWORD}\n" * 2)
    assert prompted.exit_code == 0, prompted.output
    assert "Created alice (approver)." in prompted.output and PASSWORD not in prompted.output
    from_env = runner.invoke(
        main,
        ["users", "add", "ann", "--role", "analyst", "--password-env", "ANN_PW"],
        env={**cli_env, "ANN_PW": PASSWORD},
    )
    assert from_env.exit_code == 0, from_env.output
    listed = runner.invoke(main, ["users", "list"], env=cli_env)
    assert "alice" in listed.output and "approver" in listed.output and "analyst" in listed.output
    again = runner.invoke(
        main,
        ["users", "add", "ann", "--role", "analyst", "--password-env", "ANN_PW"],
        env={**cli_env, "ANN_PW": PASSWORD},
    )
    assert again.exit_code == 2 and "already exists" in again.output
    bad_role = runner.invoke(main, ["users", "add", "x", "--role", "superuser"], env=cli_env)
    assert bad_role.exit_code == 2


def test_serve_help_says_how_sessions_are_signed(cli_env):
    result = CliRunner().invoke(main, ["serve", "--help"], env=cli_env)
    text = " ".join(result.output.split())
    assert "--port" in text and "127.0.0.1" in text and "CAMPAIGN_WEB_SECRET" in text
    assert "every session then ends when the server restarts" in text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_campaign_serve_serves_the_dashboard_on_loopback(cli_env):
    env = {**os.environ, **cli_env, "CAMPAIGN_WEB_SECRET": "s" * 40}
    plan = subprocess.run([*CAMPAIGN, "plan"], env=env, capture_output=True)
    assert plan.returncode == 0, plan.stderr
    port = _free_port()
    server = subprocess.Popen(
        [*CAMPAIGN, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = ""
        deadline = time.time() + 60  # Python and Flask start slowly on a busy machine
        while time.time() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as page:
                    body = page.read().decode()
                    server_header = page.headers["Server"]
                break
            except OSError:
                time.sleep(0.1)
        assert "Sign in" in body and "Stalking Awareness Week 2020" in body
        assert server_header == "campaign"  # waitress, not the development server
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert f"on http://127.0.0.1:{port}/" in output
    assert "No users yet" in output
