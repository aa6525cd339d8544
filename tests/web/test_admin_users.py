"""The user admin page: only admins; add, disable and enable, change role, reset password;
an admin cannot disable themselves or take away the last admin; every change is recorded."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from campaign.store import Store
from campaign.store.models import SignInEventRow
from campaign.store.users import UserError, add_user, find_user, set_disabled, set_role

ADMIN = "adam"


@pytest.fixture
def admin(web, planned):
    add_user(planned, ADMIN, web.password, "admin")
    return web.sign_in(ADMIN)


def _changes(store: Store) -> list[tuple[str, str | None, str | None]]:
    with store.reading() as session:
        rows = session.scalars(select(SignInEventRow).order_by(SignInEventRow.id))
        return [(row.event, row.username, row.detail) for row in rows]


def test_only_an_admin_sees_the_page_and_the_link(web, planned, admin):
    for name in ("olly", "alice", "ann"):
        client = web.sign_in(name)
        assert client.get("/admin/users").status_code == 403
        assert web.post(client, "/admin/users/olly/disable", {}, "/results").status_code == 403
    add_user(planned, "quiet", web.password, "analyst")
    page = admin.get("/admin/users")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    assert 'href="/admin/users"' in page.text
    assert 'href="/admin/users"' not in web.sign_in("alice").get("/week").text
    row = page.text[page.text.index('id="user-quiet"') :]
    assert "Never" in row[: row.index("</tr>")]  # quiet never signed in
    row = page.text[page.text.index('id="user-alice"') :]
    assert "Never" not in row[: row.index("</tr>")]


def test_add_a_user_with_a_typed_password_or_one_made_up_and_shown_once(web, planned, admin):
    typed = {"username": "newbie", "role": "officer", "password": web.password}
    differ = web.post(
        admin, "/admin/users/add", {**typed, "password_again": "other words"}, "/admin/users"
    )
    assert differ.status_code == 302 and find_user(planned, "newbie") is None
    web.post(admin, "/admin/users/add", {**typed, "password_again": web.password}, "/admin/users")
    assert find_user(planned, "newbie").role == "officer"
    web.sign_in("newbie")
    made = web.post(
        admin, "/admin/users/add", {"username": "second", "role": "approver"}, "/admin/users"
    )
    assert made.status_code == 200
    [password] = re.findall(r'<code class="secret">([^<]+)</code>', made.text)
    assert len(password) >= 12
    web.sign_in("second", password)
    assert password not in admin.get("/admin/users").text  # shown once only
    assert ("user-added", "second", f"as approver, by {ADMIN}") in _changes(planned)


def test_disable_enable_and_change_role_end_sessions_and_are_recorded(web, planned, admin):
    olly = web.sign_in("olly")
    web.post(admin, "/admin/users/olly/disable", {}, "/admin/users")
    assert find_user(planned, "olly").disabled
    assert olly.get("/week").status_code == 302  # signed out at once
    web.post(admin, "/admin/users/olly/disable", {"enable": "yes"}, "/admin/users")
    assert not find_user(planned, "olly").disabled
    olly = web.sign_in("olly")
    web.post(admin, "/admin/users/olly/role", {"role": "approver"}, "/admin/users")
    assert find_user(planned, "olly").role == "approver"
    assert olly.get("/week").status_code == 302
    changes = _changes(planned)
    assert ("user-disabled", "olly", f"by {ADMIN}") in changes
    assert ("user-enabled", "olly", f"by {ADMIN}") in changes
    assert ("role-changed", "olly", f"officer to approver, by {ADMIN}") in changes


def test_reset_a_password(web, planned, admin):
    new = "a brand new passphrase here"
    web.post(
        admin,
        "/admin/users/alice/password",
        {"password": new, "password_again": new},
        "/admin/users",
    )
    web.sign_in("alice", new)
    made = web.post(admin, "/admin/users/alice/password", {}, "/admin/users")
    [password] = re.findall(r'<code class="secret">([^<]+)</code>', made.text)
    web.sign_in("alice", password)
    assert [c[2] for c in _changes(planned) if c[0] == "password-set"] == [f"by {ADMIN}"] * 2


def test_an_admin_cannot_disable_themselves_or_remove_the_last_admin(web, planned, admin):
    page = web.post(admin, f"/admin/users/{ADMIN}/disable", {}, "/admin/users")
    assert page.status_code == 302 and not find_user(planned, ADMIN).disabled
    assert "you cannot disable yourself" in admin.get("/admin/users").text
    web.post(admin, f"/admin/users/{ADMIN}/role", {"role": "approver"}, "/admin/users")
    assert find_user(planned, ADMIN).role == "admin"
    assert "the last admin" in admin.get("/admin/users").text
    with pytest.raises(UserError, match="last admin"):
        set_disabled(planned, ADMIN, True)
    with pytest.raises(UserError, match="last admin"):
        set_role(planned, ADMIN, "officer")
    add_user(planned, "second-admin", web.password, "admin")
    set_role(planned, ADMIN, "officer")  # another admin remains
    assert find_user(planned, ADMIN).role == "officer"


def test_the_command_line_still_manages_users_and_knows_the_admin_role(campaign_dir, tmp_path):
    from click.testing import CliRunner

    from campaign.cli import main

    env = {
        "CAMPAIGN_CONFIG": str(campaign_dir / "config.toml"),
        "CAMPAIGN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "PW": "correct horse battery staple",
    }
    runner = CliRunner()
    added = runner.invoke(
        main, ["users", "add", "root", "--role", "admin", "--password-env", "PW"], env=env
    )
    assert added.exit_code == 0, added.output
    refused = runner.invoke(main, ["users", "role", "root", "--role", "officer"], env=env)
    assert refused.exit_code == 2 and "root is the last admin" in refused.output
    runner.invoke(
        main, ["users", "add", "deputy", "--role", "admin", "--password-env", "PW"], env=env
    )
    moved = runner.invoke(main, ["users", "role", "root", "--role", "officer"], env=env)
    assert moved.exit_code == 0, moved.output


def test_the_users_page_answers_a_taken_or_unknown_name_without_command_line_advice(
    web, planned, admin
):
    web.post(admin, "/admin/users/add", {"username": "olly", "role": "officer"}, "/admin/users")
    page = admin.get("/admin/users").text
    assert "already exists" in page and "campaign users" not in page
    web.post(admin, "/admin/users/ghost/disable", {}, "/admin/users")
    page = admin.get("/admin/users").text
    assert "There is no user ghost" in page and "campaign users" not in page
