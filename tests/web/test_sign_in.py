"""Sign-in is throttled per name and per address, says so, and every attempt is recorded."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from campaign.store import Store

SLUG = "stalking-awareness-week-2020"
REFUSED = "That username and password do not match an active account."


def _attempt(app: Flask, web, username: str, password: str, address: str = "192.0.2.10"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = web.token(client.get("/login").text)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def _events(store: Store) -> list[tuple[str, str | None, str | None, str | None]]:
    """Sign-ins, failures and sign-outs (not the changes to users recorded beside them)."""
    from campaign.store.models import SignInEventRow
    from campaign.store.users import CHANGES

    with store.transaction() as session:
        rows = session.scalars(select(SignInEventRow).order_by(SignInEventRow.id))
        return [
            (row.event, row.username, row.address, row.detail)
            for row in rows
            if row.event not in CHANGES
        ]


def test_guessing_is_slowed_down_after_five_wrong_passwords(app, web, session_clock):
    for _ in range(5):
        assert _attempt(app, web, "alice", "wrong password").status_code == 401
    right = _attempt(app, web, "alice", web.password)
    assert right.status_code == 429
    assert "Too many attempts: try again in 1 minute." in right.text
    assert right.headers["Retry-After"] == "60"
    session_clock.advance(timedelta(seconds=61))
    assert _attempt(app, web, "alice", "wrong again").status_code == 401  # sixth failure
    waiting = _attempt(app, web, "alice", web.password)
    assert waiting.status_code == 429 and "try again in 2 minutes" in waiting.text
    session_clock.advance(timedelta(minutes=2, seconds=1))
    assert _attempt(app, web, "alice", web.password).status_code == 302
    assert _attempt(app, web, "alice", "one slip").status_code == 401  # a success resets


def test_four_hundred_quick_guesses_do_not_get_through(app, web, session_clock):
    answers = []
    for guess in range(400):
        answers.append(_attempt(app, web, "alice", f"guess {guess}").status_code)
        session_clock.advance(timedelta(seconds=0.2))  # five a second
    answers.append(_attempt(app, web, "alice", web.password).status_code)
    assert answers.count(401) < 15 and answers[-1] == 429


def test_an_unknown_name_gets_exactly_the_same_answers(app, web, session_clock):
    def run(username: str) -> list[tuple[int, str]]:
        answers = []
        for password in ["x" * 12] * 6 + [web.password]:
            response = _attempt(app, web, username, password, address=username)
            message = REFUSED if REFUSED in response.text else ""
            message = (
                "Too many attempts: try again in 1 minute."
                if "Too many" in response.text
                else message
            )
            answers.append((response.status_code, message))
        return answers

    assert run("alice") == run("mallory")


def test_one_address_trying_many_names_is_slowed_down(config, planned, session_clock, web):
    from campaign.store.sign_ins import ThrottlePolicy
    from campaign.web import create_app

    app = create_app(
        config,
        planned,
        secret_key="k" * 32,
        clock=session_clock,
        throttle=ThrottlePolicy(address_free_failures=10),
    )
    for number in range(10):
        assert _attempt(app, web, f"user{number}", "wrong password").status_code == 401
    assert _attempt(app, web, "alice", web.password).status_code == 429
    assert _attempt(app, web, "alice", web.password, address="198.51.100.7").status_code == 302


def test_every_attempt_is_recorded_and_failures_are_logged(app, web, planned, caplog):
    caplog.set_level(logging.WARNING, logger="campaign.sign_in")
    _attempt(app, web, "alice", "wrong password")
    _attempt(app, web, web.password, "typed the password as the name")
    client = web.sign_in("alice")
    web.post(client, "/logout", {})
    events = _events(planned)
    assert events[0] == ("failed", "alice", "192.0.2.10", "refused")
    assert events[1] == ("failed", None, "192.0.2.10", "unknown name")
    assert [event[:2] for event in events[2:]] == [("signed-in", "alice"), ("signed-out", "alice")]
    assert "sign-in failed: alice from 192.0.2.10" in caplog.text
    assert "sign-in failed: an unknown name" in caplog.text
    assert web.password not in caplog.text
    with planned.engine.connect() as connection:
        dump = "\n".join(connection.connection.iterdump())
    assert web.password not in dump and "wrong password" not in dump


def test_the_sign_in_record_is_append_only(app, web, planned):
    from campaign.errors import StoreError
    from campaign.store.models import SignInEventRow

    _attempt(app, web, "alice", "wrong password")
    with pytest.raises(StoreError, match="append-only"):
        with planned.transaction() as session:
            session.scalar(select(SignInEventRow)).event = "signed-in"
    with planned.engine.begin() as connection, pytest.raises(Exception, match="append-only"):
        connection.exec_driver_sql("DELETE FROM sign_in_events")


def test_the_sign_in_page_says_how_the_throttle_works(app):
    page = app.test_client().get("/login").text
    assert "After 5 wrong passwords" in page


def test_the_throttle_holds_across_server_processes(config, planned, session_clock, web):
    """Two servers (two stores, two engines) on one database share what they have seen."""
    from campaign.web import create_app

    other_store = Store(Store.open(str(planned.engine.url)).engine, planned.clock)
    first = create_app(config, planned, secret_key="k" * 32, clock=session_clock)
    second = create_app(config, other_store, secret_key="k" * 32, clock=session_clock)
    for number in range(5):
        server = (first, second)[number % 2]
        assert _attempt(server, web, "alice", "wrong password").status_code == 401
    assert _attempt(first, web, "alice", web.password).status_code == 429
    assert _attempt(second, web, "alice", web.password).status_code == 429
    other_store.engine.dispose()


def test_simultaneous_guesses_get_no_more_than_the_free_failures(app, web, planned):
    from campaign.store.sign_ins import ThrottlePolicy, sign_in

    now = app.extensions["campaign"].clock.now()
    results = []

    def guess(number: int) -> None:
        result = sign_in(planned, "alice", f"guess {number}", "192.0.2.1", now, ThrottlePolicy())
        results.append(result)

    threads = [threading.Thread(target=guess, args=(number,)) for number in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(1 for result in results if result.wait is None) == 5
    assert [event for event, *_ in _events(planned)].count("failed") == 5


def test_users_unlock_and_sign_ins_on_the_command_line(app, web, planned, campaign_dir):
    from click.testing import CliRunner

    from campaign.cli import main

    for _ in range(5):
        _attempt(app, web, "alice", "wrong password")
    env = {
        "CAMPAIGN_CONFIG": str(campaign_dir / "config.toml"),
        "CAMPAIGN_DATABASE_URL": str(planned.engine.url),
    }
    listed = CliRunner().invoke(main, ["users", "sign-ins", "--user", "alice"], env=env)
    assert listed.exit_code == 0 and listed.output.count("failed") == 5
    assert _attempt(app, web, "alice", web.password).status_code == 429
    unlocked = CliRunner().invoke(main, ["users", "unlock", "alice"], env=env)
    assert unlocked.exit_code == 0, unlocked.output
    assert _attempt(app, web, "alice", web.password).status_code == 302
