"""Sessions live on the server: sign-out, a new password, disabling and a new role end every copy
of a session cookie; and a form left open survives its user signing in again."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from campaign.cli import main
from campaign.store.users import set_disabled, set_password

SLUG = "stalking-awareness-week-2020"
COOKIE = "campaign_session"
NEW_PASSWORD = "a brand new passphrase"


def _copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of `client`'s session cookie (a stolen or shared one)."""
    other = app.test_client()
    other.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return other


def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(app, web, planned):
    client = web.sign_in("alice")
    copy = _copy_of(app, client)
    form = copy.get("/control/pause")
    assert form.status_code == 200
    assert web.post(client, "/logout", {}).status_code == 302
    for holder in (client, copy):
        response = holder.get("/week")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    refused = copy.post(
        "/control/pause",
        data={"reason": "from a copied cookie", "csrf_token": web.token(form.text)},
    )
    assert refused.status_code in (302, 400)
    assert not planned.campaign(SLUG).paused
    assert copy.get("/api/status").status_code == 401
    assert web.sign_in("alice").get("/week").status_code == 200  # signing in again works


def test_a_new_password_ends_every_session_of_the_user(app, web, planned):
    client = web.sign_in("alice")
    copy = _copy_of(app, client)
    set_password(planned, "alice", NEW_PASSWORD)
    response = copy.get("/week")
    assert response.status_code == 302
    assert "Your password was changed" in copy.get(response.headers["Location"]).text
    assert client.get("/week").status_code == 302
    assert web.sign_in("alice", NEW_PASSWORD).get("/week").status_code == 200


def test_a_new_password_set_on_the_command_line_ends_sessions(app, web, planned, campaign_dir):
    client = web.sign_in("alice")
    url = str(planned.engine.url)
    env = {"CAMPAIGN_CONFIG": str(campaign_dir / "config.toml"), "CAMPAIGN_DATABASE_URL": url}
    result = CliRunner().invoke(
        main,
        ["users", "password", "alice", "--password-env", "NEW_PW"],
        env={**env, "NEW_PW": NEW_PASSWORD},
    )
    assert result.exit_code == 0, result.output
    assert client.get("/week").status_code == 302


def test_disabling_ends_sessions_for_good_even_if_enabled_again(app, web, planned):
    client = web.sign_in("alice")
    copy = _copy_of(app, client)
    set_disabled(planned, "alice", True)
    set_disabled(planned, "alice", False)
    assert copy.get("/week").status_code == 302
    assert client.get("/week").status_code == 302
    assert web.sign_in("alice").get("/week").status_code == 200


def test_a_new_role_ends_sessions_and_applies_at_the_next_sign_in(app, web, planned):
    from campaign.store.users import set_role

    client = web.sign_in("alice")
    assert client.get("/control/pause").status_code == 200
    assert set_role(planned, "alice", "officer").role == "officer"
    response = client.get("/control/pause")
    assert response.status_code == 302
    assert "Your role was changed" in client.get(response.headers["Location"]).text
    assert web.sign_in("alice").get("/control/pause").status_code == 403


def test_users_role_on_the_command_line(planned, campaign_dir):
    env = {
        "CAMPAIGN_CONFIG": str(campaign_dir / "config.toml"),
        "CAMPAIGN_DATABASE_URL": str(planned.engine.url),
    }
    result = CliRunner().invoke(main, ["users", "role", "ann", "--role", "officer"], env=env)
    assert result.exit_code == 0 and "ann is now officer." in result.output
    bad = CliRunner().invoke(main, ["users", "role", "nobody", "--role", "officer"], env=env)
    assert bad.exit_code == 2 and "no user 'nobody'" in bad.output


def test_the_database_keeps_only_a_hash_of_the_session_token(app, web, planned):
    from sqlalchemy import select

    from campaign.store.models import WebSessionRow

    client = web.sign_in("alice")
    cookie = client.get_cookie(COOKIE).value
    token = app.session_interface.get_signing_serializer(app).loads(cookie)["sid"]
    with planned.transaction() as session:
        hashes = list(session.scalars(select(WebSessionRow.token_hash)))
    assert hashes == [hashlib.sha256(token.encode()).hexdigest()]


def test_a_pause_form_left_open_works_after_signing_in_again_in_another_tab(web, planned):
    client = web.sign_in("alice")
    form = client.get("/control/pause").text  # tab 1: the pause form, left open
    tab2 = web.token(client.get("/login").text)  # tab 2, same cookies: sign in again
    again = client.post(
        "/login", data={"username": "alice", "password": web.password, "csrf_token": tab2}
    )
    assert again.status_code == 302
    response = client.post(
        "/control/pause", data={"reason": "critical incident", "csrf_token": web.token(form)}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/week"
    campaign = planned.campaign(SLUG)
    assert campaign.paused and campaign.paused_by == "alice"


def test_a_pause_form_survives_its_session_ending_and_a_new_sign_in(web, planned, session_clock):
    client = web.sign_in("alice")
    session_clock.advance(timedelta(hours=4))
    form = client.get("/control/pause").text
    session_clock.advance(timedelta(hours=4, minutes=1))  # the session has ended meanwhile
    assert client.get("/week").status_code == 302
    tab2 = web.token(client.get("/login").text)
    client.post("/login", data={"username": "alice", "password": web.password, "csrf_token": tab2})
    response = client.post(
        "/control/pause", data={"reason": "critical incident", "csrf_token": web.token(form)}
    )
    assert response.status_code == 302
    assert planned.campaign(SLUG).paused


def test_a_form_from_before_a_new_password_is_refused(web, planned):
    client = web.sign_in("alice")
    form = client.get("/control/pause").text
    set_password(planned, "alice", NEW_PASSWORD)
    tab2 = web.token(client.get("/login").text)
    client.post("/login", data={"username": "alice", "password": NEW_PASSWORD, "csrf_token": tab2})
    response = client.post(
        "/control/pause", data={"reason": "old form", "csrf_token": web.token(form)}
    )
    assert response.status_code == 400
    assert not planned.campaign(SLUG).paused


def test_users_added_before_the_migration_get_a_csrf_key_and_can_sign_in(
    tmp_path, clock, config, session_clock, web
):
    from campaign.planning import store_plan
    from campaign.store import Store, users
    from campaign.store.database import make_engine, migrate
    from campaign.web import create_app

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0004")
    password_hash = users.HASHER.hash(web.password)
    with engine.begin() as connection:
        for name in ("alice", "olly"):
            connection.exec_driver_sql(
                "INSERT INTO users (username, password_hash, role, created_at, disabled) "
                "VALUES (?, ?, 'approver', '2026-01-01 00:00:00', 0)",
                (name, password_hash),
            )
    migrate(engine)
    with engine.connect() as connection:
        keys = [row[0] for row in connection.exec_driver_sql("SELECT csrf_secret FROM users")]
    assert len(set(keys)) == 2 and all(len(key) == 64 for key in keys)
    store = Store(engine, clock)
    store_plan(config, store, "olly")
    web.app = create_app(config, store, secret_key="k" * 32, clock=session_clock)
    assert web.sign_in("alice").get("/control/pause").status_code == 200


def test_signing_in_again_ends_the_session_it_replaces(app, web, planned):
    client = web.sign_in("alice")
    copy = _copy_of(app, client)
    token = web.token(client.get("/login").text)
    client.post("/login", data={"username": "alice", "password": web.password, "csrf_token": token})
    assert client.get("/week").status_code == 200
    assert copy.get("/week").status_code == 302
