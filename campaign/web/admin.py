"""User admin (`/admin/users`, for the admin role): add users, disable or enable them, change
their roles and reset their passwords. One page for the whole dashboard, not per campaign.

Everything goes through `campaign.store.users`, as `campaign users ...` does: the same checks,
the same record beside the sign-ins (with the admin's name), and the user's sessions end when
they are disabled, get another role or a new password. A password the server makes up is shown
once, on the answer to the form, and never put in a cookie or a flash message.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from campaign.roles import CAPABILITY_TEXT, ROLES
from campaign.store.sign_ins import last_sign_ins
from campaign.store.users import (
    MIN_PASSWORD_LENGTH,
    UserError,
    add_user,
    list_users,
    set_disabled,
    set_password,
    set_role,
)
from campaign.web.auth import current_user, requires, settings
from campaign.web.current import zone

bp = Blueprint("admin", __name__)
ROLE_TEXT = {
    "officer": "sees the week, comments, updates the plan",
    "approver": "also approves, sends back and pauses",
    "analyst": "sees results only",
    "admin": "everything an approver does, and manages users",
}


def _admin() -> str:
    user = current_user()
    assert user is not None
    return user.username


@bp.get("/admin/users")
@requires("users")
def users() -> str:
    return _page()


def _page(shown: tuple[str, str] | None = None, status: int = 200) -> str:
    store = settings().store
    return render_template(
        "admin_users.html.j2",
        users=list_users(store),
        last=last_sign_ins(store),
        roles=ROLES,
        role_text=ROLE_TEXT,
        shown=shown,  # (username, password made up for them): shown this once
        min_length=MIN_PASSWORD_LENGTH,
        zone=zone(),
        what_admin_may=CAPABILITY_TEXT["users"],
    )


@bp.post("/admin/users/add")
@requires("users")
def add() -> BaseResponse | str:
    username = request.form.get("username", "").strip()
    role = request.form.get("role", "")
    try:
        password, made_up = _new_password()
        add_user(settings().store, username, password, role, by=_admin())
    except UserError as exc:
        flash(f"The user was not added: {exc.for_page()}.", "error")
        return redirect(url_for("admin.users"))
    if made_up:
        flash(f"Added {username} ({role}).", "ok")
        return _page(shown=(username, password))
    flash(f"Added {username} ({role}), with the password you typed.", "ok")
    return redirect(url_for("admin.users"))


@bp.post("/admin/users/<username>/disable")
@requires("users")
def disable(username: str) -> BaseResponse:
    enable = request.form.get("enable") == "yes"
    try:
        set_disabled(settings().store, username, not enable, by=_admin(), signed_in_as=_admin())
    except UserError as exc:
        flash(f"Nothing changed: {exc.for_page()}.", "error")
        return redirect(url_for("admin.users"))
    flash(
        f"Enabled {username}: they can sign in again."
        if enable
        else f"Disabled {username}: they cannot sign in, and their sessions have ended.",
        "ok",
    )
    return redirect(url_for("admin.users"))


@bp.post("/admin/users/<username>/role")
@requires("users")
def role(username: str) -> BaseResponse:
    new_role = request.form.get("role", "")
    try:
        set_role(settings().store, username, new_role, by=_admin())
    except UserError as exc:
        flash(f"Nothing changed: {exc.for_page()}.", "error")
        return redirect(url_for("admin.users"))
    flash(f"{username} is now {new_role}; they sign in again to use it.", "ok")
    return redirect(url_for("admin.users"))


@bp.post("/admin/users/<username>/password")
@requires("users")
def password(username: str) -> BaseResponse | str:
    try:
        new, made_up = _new_password()
        set_password(settings().store, username, new, by=_admin())
    except UserError as exc:
        flash(f"The password was not changed: {exc.for_page()}.", "error")
        return redirect(url_for("admin.users"))
    flash(f"New password set for {username}; their sessions have ended.", "ok")
    if made_up:
        return _page(shown=(username, new))
    return redirect(url_for("admin.users"))


def _new_password() -> tuple[str, bool]:
    """The password typed twice, or one made up when both fields are left empty."""
    typed, again = request.form.get("password", ""), request.form.get("password_again", "")
    if not typed and not again:
        return secrets.token_urlsafe(15), True
    if typed != again:
        raise UserError("the two passwords typed differ: type the same one twice")
    return typed, False
