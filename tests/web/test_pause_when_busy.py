"""A pause gets through a busy database, or says plainly that publishing is NOT paused; no page
shows an exception's text. The database is made busy for real: another connection holds
SQLite's write lock (BEGIN IMMEDIATE), as a long write by the daemon or the CLI would."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from campaign.store import Store
from campaign.store.database import make_engine
from campaign.web import create_app

SLUG = "stalking-awareness-week-2020"
RAW = ("SQL", "BEGIN IMMEDIATE", "OperationalError", "sqlite3", "database error")


def _impatient(planned: Store, patience: float) -> Store:
    """The same database, with SQLite giving up on a lock after 50 ms instead of 10 s (so the
    retries, not SQLite's own waiting, are what the test sees) and a short pause patience."""
    engine = make_engine(str(planned.engine.url))

    @event.listens_for(engine, "connect")
    def _short_busy_timeout(dbapi_connection, record) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout = 50")

    store = Store(engine, planned.clock)
    store.pause_patience = patience
    return store


@contextmanager
def _write_lock(store: Store, release_after: float | None = None) -> Iterator[None]:
    """Hold the database's write lock from another connection, for `release_after` seconds
    (or for the whole block)."""
    holder = sqlite3.connect(
        store.engine.url.database, isolation_level=None, timeout=0.1, check_same_thread=False
    )
    holder.execute("BEGIN IMMEDIATE")
    timer = None
    if release_after is not None:
        timer = threading.Timer(release_after, holder.rollback)
        timer.start()
    try:
        yield
    finally:
        if timer is not None:
            timer.join()
        holder.rollback()
        holder.close()


def test_a_pause_waits_for_a_busy_database_and_gets_through(planned):
    store = _impatient(planned, patience=5.0)
    started = time.monotonic()
    with _write_lock(store, release_after=0.6):
        store.pause(SLUG, "alice", "critical incident")
    assert time.monotonic() - started >= 0.5
    campaign = planned.campaign(SLUG)
    assert campaign.paused and campaign.paused_by == "alice"
    assert [row.action for row in planned.audit_log(SLUG)].count("paused") == 1


def test_a_pause_that_cannot_get_through_says_so(planned):
    from campaign.errors import DatabaseBusy

    store = _impatient(planned, patience=0.4)
    started = time.monotonic()
    with _write_lock(store), pytest.raises(DatabaseBusy):
        store.pause(SLUG, "alice", "critical incident")
    assert 0.4 <= time.monotonic() - started < 3
    assert not planned.campaign(SLUG).paused


@pytest.fixture
def busy_app(config, planned, session_clock):
    store = _impatient(planned, patience=0.5)
    yield create_app(config, store, secret_key="k" * 32, clock=session_clock)
    store.engine.dispose()


def test_the_pause_button_gets_through_when_the_lock_is_released_mid_retry(busy_app, web, planned):
    web.app = busy_app
    client = web.sign_in("alice")
    busy_app.extensions["campaign"].store.pause_patience = 10.0
    form = client.get("/control/pause").text
    with _write_lock(planned, release_after=0.8):
        response = client.post(
            "/control/pause", data={"reason": "critical incident", "csrf_token": web.token(form)}
        )
    assert response.status_code == 302 and response.headers["Location"] == "/week"
    assert planned.campaign(SLUG).paused
    assert "PAUSED" in client.get("/week").text


def test_the_pages_and_the_pause_form_open_while_another_process_writes(busy_app, web):
    web.app = busy_app
    client = web.sign_in("alice")
    with _write_lock(busy_app.extensions["campaign"].store):
        for path in ("/control/pause", "/week", "/api/status"):
            assert client.get(path).status_code == 200, path


def test_a_pause_that_fails_says_publishing_is_not_paused(busy_app, web, planned):
    web.app = busy_app
    client = web.sign_in("alice")
    form = client.get("/control/pause").text
    with _write_lock(planned):
        response = client.post(
            "/control/pause", data={"reason": "critical incident", "csrf_token": web.token(form)}
        )
    assert response.status_code == 503
    assert "Publishing is NOT paused" in response.text
    assert 'campaign pause --reason "your reason"' in response.text
    assert "Try the pause again" in response.text
    for raw in RAW:
        assert raw not in response.text
    assert not planned.campaign(SLUG).paused
    retry = client.post(  # the page's own "try again" form, once the database is free
        "/control/pause",
        data={"reason": "critical incident", "csrf_token": web.token(response.text)},
    )
    assert retry.status_code == 302 and planned.campaign(SLUG).paused


def test_no_page_shows_a_database_error(busy_app, web, planned):
    web.app = busy_app
    client = web.sign_in("alice")
    resume = web.token(client.get("/control/resume").text)
    with _write_lock(planned):
        response = client.post("/control/resume", data={"csrf_token": resume})
    assert response.status_code == 503
    for raw in RAW:
        assert raw not in response.text, raw
    assert "The database is busy" in response.text and "Nothing was changed" in response.text


def test_an_unexpected_error_shows_no_exception_text(app, web):
    from campaign.web.auth import requires

    @requires("view")
    def broken():
        raise RuntimeError("internal detail: /srv/secret/path line 42")

    app.add_url_rule("/broken", "broken", broken)
    response = web.sign_in("alice").get("/broken")
    assert response.status_code == 500
    assert "internal detail" not in response.text and "RuntimeError" not in response.text
    assert "Something went wrong" in response.text
