"""Dashboard security without a browser: sign-in, roles, CSRF, escaping, sessions, secrets."""

from __future__ import annotations

import json
import os
import re
from datetime import date, timedelta

import pytest
from flask import Flask

from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store.users import set_disabled
from campaign.web import create_app
from campaign.web.auth import check_every_view_is_guarded

SLUG = "stalking-awareness-week-2020"
IMAGE = "/media/images/see-stalking-clearly.png"
GET_PAGES = [
    "/",
    "/week",
    "/api/status",
    "/control/pause",
    "/control/resume",
    "/results",
    "/results/engagement.csv",
    "/results/engagement.json",
    "/results/report.html",
    "/audit.csv",
    IMAGE,
]
ROLES = ("officer", "approver", "analyst")
USER_OF = {"officer": "olly", "approver": "alice", "analyst": "ann"}
# path -> the roles allowed (the others get 403)
GET_ALLOWED = {
    "/week": {"officer", "approver"},
    "/api/status": {"officer", "approver"},
    "/control/pause": {"approver"},
    "/control/resume": {"approver"},
    "/results": set(ROLES),
    "/results/engagement.csv": set(ROLES),
    "/results/engagement.json": set(ROLES),
    "/results/report.html": set(ROLES),
    "/audit.csv": {"officer", "approver"},
    IMAGE: {"officer", "approver"},
}
POST_ALLOWED = {
    "/week/approve": {"approver"},
    "/week/withdraw": {"approver"},
    "/week/plan": {"officer", "approver"},
    "/control/pause": {"approver"},
    "/control/resume": {"approver"},
}


def _form(path: str, store) -> dict[str, object]:
    monday = store.posts(SLUG, day=date(2020, 4, 20))
    return {
        "/week/approve": {
            "scope": "day",
            "day": "2020-04-20",
            "post": [f"{row.key}:{row.content_hash}" for row in monday],
        },
        "/week/withdraw": {"scope": "week", "reason": "wording review"},
        "/week/plan": {},
        "/control/pause": {"reason": "critical incident"},
        "/control/resume": {},
    }[path]


@pytest.mark.parametrize("path", GET_PAGES)
def test_every_page_needs_sign_in(app: Flask, path: str):
    response = app.test_client().get(path)
    if path.startswith("/api/"):
        assert response.status_code == 401
        assert response.json == {"error": "sign in required"}
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", sorted(POST_ALLOWED))
def test_state_changes_need_sign_in(app: Flask, planned, web, path: str):
    client = app.test_client()
    token = web.token(client.get("/login").text)
    response = client.post(path, data={**_form(path, planned), "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert not planned.campaign(SLUG).paused
    assert {row.state for row in planned.posts(SLUG)} == {"draft"}


def test_sign_in_lands_each_role_on_its_page(web):
    assert web.sign_in("alice").get("/").headers["Location"] == "/week"
    assert web.sign_in("olly").get("/").headers["Location"] == "/week"
    assert web.sign_in("ann").get("/").headers["Location"] == "/results"


def test_a_wrong_password_or_unknown_user_is_refused_alike(app: Flask, web):
    client = app.test_client()
    token = web.token(client.get("/login").text)
    wrong = client.post(
        "/login", data={"username": "alice", "password": "not the password", "csrf_token": token}
    )
    unknown = client.post(
        "/login", data={"username": "mallory", "password": web.password, "csrf_token": token}
    )
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "That username and password do not match an active account." in response.text
    assert client.get("/week").status_code == 302


def test_a_disabled_user_cannot_sign_in_and_their_session_ends(app: Flask, planned, web):
    client = web.sign_in("alice")
    assert client.get("/week").status_code == 200
    set_disabled(planned, "alice", True)
    assert client.get("/week").status_code == 302
    fresh = app.test_client()
    token = web.token(fresh.get("/login").text)
    response = fresh.post(
        "/login", data={"username": "alice", "password": web.password, "csrf_token": token}
    )
    assert response.status_code == 401


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", sorted(GET_ALLOWED))
def test_roles_decide_what_each_user_may_see(web, role: str, path: str):
    response = web.sign_in(USER_OF[role]).get(path)
    assert response.status_code == (200 if role in GET_ALLOWED[path] else 403), path


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", sorted(POST_ALLOWED))
def test_roles_decide_what_each_user_may_change(web, planned, role: str, path: str):
    client = web.sign_in(USER_OF[role])
    page = "/results" if role == "analyst" else "/week"
    before = [(row.state, row.approved_by) for row in planned.posts(SLUG)]
    response = web.post(client, path, _form(path, planned), page=page)
    if role in POST_ALLOWED[path]:
        assert response.status_code == 302 and response.headers["Location"].startswith("/week")
    else:
        assert response.status_code == 403
        assert "Only a role that may" in response.text
        assert [(row.state, row.approved_by) for row in planned.posts(SLUG)] == before
        assert not planned.campaign(SLUG).paused


def test_an_officer_cannot_approve_or_pause_and_an_approver_can(web, planned):
    officer, approver = web.sign_in("olly"), web.sign_in("alice")
    approve = _form("/week/approve", planned)
    assert web.post(officer, "/week/approve", approve).status_code == 403
    assert web.post(officer, "/control/pause", {"reason": "incident"}).status_code == 403
    assert web.sign_in("ann").post("/week/approve", data=approve).status_code in (400, 403)
    assert web.post(approver, "/week/approve", approve).status_code == 302
    assert web.post(approver, "/control/pause", {"reason": "incident"}).status_code == 302
    approved = [row for row in planned.posts(SLUG) if row.state == "approved"]
    assert {row.approved_by for row in approved} == {"alice"} and len(approved) == 4  # Monday
    assert planned.campaign(SLUG).paused_by == "alice"


@pytest.mark.parametrize("path", sorted(POST_ALLOWED))
def test_a_state_change_without_a_csrf_token_is_rejected(web, planned, path: str):
    client = web.sign_in("alice")
    missing = client.post(path, data=_form(path, planned))
    forged = client.post(path, data={**_form(path, planned), "csrf_token": "forged"})
    for response in (missing, forged):
        assert response.status_code == 400
        assert "Nothing was changed" in response.text
    assert {row.state for row in planned.posts(SLUG)} == {"draft"}
    assert not planned.campaign(SLUG).paused


def test_sign_in_and_sign_out_need_a_csrf_token_too(app: Flask, web):
    client = app.test_client()
    response = client.post("/login", data={"username": "alice", "password": web.password})
    assert response.status_code == 400
    signed = web.sign_in("alice")
    assert signed.post("/logout").status_code == 400
    assert signed.get("/week").status_code == 200
    assert web.post(signed, "/logout", {}).status_code == 302
    assert signed.get("/week").status_code == 302


def test_a_token_from_another_session_is_rejected(web, planned):
    mallory_page = web.sign_in("olly").get("/week").text
    response = web.sign_in("alice").post(
        "/control/pause", data={"reason": "forged", "csrf_token": web.token(mallory_page)}
    )
    assert response.status_code == 400
    assert not planned.campaign(SLUG).paused


def test_post_text_alt_text_and_reasons_are_shown_as_text(campaign_dir, planned, web):
    template = campaign_dir / "posts" / "what-stalking-is" / "x.j2"
    hostile = '<script>alert("x")</script> <b onmouseover=alert(1)>bold</b>'
    template.write_text(hostile + "\n" + template.read_text(encoding="utf-8"), encoding="utf-8")
    config_path = campaign_dir / "config.toml"
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(
        text.replace(
            'alt = "Dark blue card', 'alt = "\\"><img src=x onerror=alert(2)> Dark blue card', 1
        ),
        encoding="utf-8",
    )
    config = load_config(config_path)
    store_plan(config, planned, "olly")
    client = web.sign_in("alice")
    web.post(client, "/control/pause", {"reason": "<script>alert(3)</script>"})
    page = client.get("/week").text
    assert "<script>alert" not in page and "<b onmouseover" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page
    assert "<img src=x onerror" not in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    scripts = re.findall(r"<script[^>]*>", page)  # only our own, from our own files
    assert scripts == [
        '<script src="/static/live.js" defer>',
        '<script src="/static/move.js" defer>',
    ]
    # The cards live.js puts in the page again are escaped as the page is.
    card = client.get("/api/week/cards?key=2020-04-20-x").json["posts"]["2020-04-20-x"]["card"]
    assert "<script>alert" not in card and "&lt;script&gt;alert(&#34;x&#34;)" in card
    status = client.get("/api/status")
    assert status.mimetype == "application/json"
    assert "<script>alert(3)</script>" in json.dumps(status.json)  # data, shown with textContent


def test_sessions_end_after_their_lifetime(web, session_clock):
    client = web.sign_in("alice")
    session_clock.advance(timedelta(hours=7, minutes=59))
    assert client.get("/week").status_code == 200
    session_clock.advance(timedelta(minutes=2))
    response = client.get("/week")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    login = client.get(response.headers["Location"]).text
    assert "Your session ended after 8 hours" in login
    assert client.get("/week").status_code == 302
    assert client.get("/api/status").status_code == 401


def test_the_session_cookie_is_httponly_samesite_and_expires(config, planned, session_clock, web):
    client = web.app.test_client()
    token = web.token(client.get("/login").text)
    response = client.post(
        "/login", data={"username": "alice", "password": web.password, "csrf_token": token}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert "Secure" not in cookie
    secure = create_app(config, planned, secret_key="x" * 32, secure_cookies=True)
    assert secure.config["SESSION_COOKIE_SECURE"] is True


def test_no_secret_appears_in_any_page(config, planned, monkeypatch, web):
    values = {}
    for account in config.accounts.values():
        for name in account.credentials.values():
            values[name] = f"SECRET-{name}-9f8e7d"
    values["CAMPAIGN_WEB_SECRET"] = "SECRET-web-key-1a2b3c4d5e6f"
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    app = create_app(config, planned, secret_key=os.environ["CAMPAIGN_WEB_SECRET"])
    web.app = app
    for username in ("alice", "ann"):
        client = web.sign_in(username)
        for path in [*GET_PAGES, "/login", "/assets/cards.css", "/static/live.js", "/nowhere"]:
            with client.get(path) as response:
                body = response.get_data(as_text=True) if response.mimetype != "image/png" else ""
                headers = str(response.headers)
            for value in values.values():
                assert value not in body and value not in headers, (username, path)


def test_pages_forbid_framing_inline_scripts_and_caching(web):
    response = web.sign_in("alice").get("/week")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    external = re.findall(
        r"<(?:script|link|img|iframe)\b[^>]*(?:src|href)=\"(?:https?:)?//", response.text
    )
    assert not external


def test_sign_in_never_redirects_to_another_site(app: Flask, web):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        client = app.test_client()
        token = web.token(client.get("/login").text)
        response = client.post(
            "/login",
            data={
                "username": "alice",
                "password": web.password,
                "csrf_token": token,
                "next": target,
            },
        )
        assert response.headers["Location"] == "/week"
    client = app.test_client()
    token = web.token(client.get("/login?next=/results").text)
    response = client.post(
        "/login",
        data={"username": "ann", "password": web.password, "csrf_token": token, "next": "/results"},
    )
    assert response.headers["Location"] == "/results"


def test_an_unguarded_view_stops_the_app_from_starting(app: Flask):
    app.add_url_rule("/oops", "oops", lambda: "no role check")
    with pytest.raises(RuntimeError, match="oops"):
        check_every_view_is_guarded(app)


def test_a_short_secret_key_is_refused(config, planned):
    with pytest.raises(ValueError, match="16 characters"):
        create_app(config, planned, secret_key="short")
