"""Signing in and out, sessions that expire, and the one decorator that checks roles.

The session cookie holds a random session token and the CSRF key. The session (and so the user
and role) is looked up in the database on every request: signing out, a new password,
disabling a user or a new role end it on the server, for every copy of the cookie. Sessions end
`session_lifetime` after sign-in, however busy they are.

Sign-in is throttled per name and per client address (`store.sign_ins`), and every attempt,
failed, refused by the throttle or successful, is recorded there and failures are logged.

CSRF tokens are made from a key kept with the user rather than a random one per session, so a
form left open (the pause form in an incident) still works after its user signed in again in
another tab. The key changes when the user's sessions are ended by the server (new password,
disabled, new role), and a token is good for one session lifetime at most.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from campaign.roles import CAPABILITY_TEXT
from campaign.store import web_sessions
from campaign.store.sign_ins import record_sign_out, sign_in
from campaign.store.users import User
from campaign.web.current import header, is_api

F = TypeVar("F", bound=Callable[..., Any])
bp = Blueprint("auth", __name__)


def settings() -> Any:
    return current_app.extensions["campaign"]


def public(view: F) -> F:
    """Mark a view as open to everyone (sign-in page, stylesheets)."""
    view.required_capability = None  # type: ignore[attr-defined]
    view.is_public = True  # type: ignore[attr-defined]
    return view


def requires(capability: str) -> Callable[[F], F]:
    """The view needs a signed-in user whose role grants `capability`; else 403."""
    if capability not in CAPABILITY_TEXT:
        raise ValueError(f"unknown capability {capability!r}")

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user: User | None = g.get("user")
            if user is None:  # load_user redirects first; this is the belt to its braces
                abort(401)
            if not user.can(capability):
                abort(
                    403,
                    description=f"You are signed in as {user.username} ({user.role}). "
                    f"Only a role that may {CAPABILITY_TEXT[capability]} can do this; "
                    "ask an approver or your administrator.",
                )
            return view(*args, **kwargs)

        guarded.required_capability = capability  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def current_user() -> User | None:
    user: User | None = g.get("user")  # set by load_user before every request
    return user


def init_app(app: Flask) -> None:
    app.before_request(load_user)

    @app.context_processor
    def user_context() -> dict[str, Any]:
        user = current_user()
        return {
            "user": user,
            "can": (lambda capability: bool(user and user.can(capability))),
            **header(user is not None),
            "poll_ms": int(settings().poll_seconds * 1000),
            "throttle": settings().throttle,
        }


def check_every_view_is_guarded(app: Flask) -> None:
    """Refuse to start if any view forgot to say who may use it."""
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        if not hasattr(view, "required_capability"):
            raise RuntimeError(f"view {endpoint!r} has neither @requires(...) nor @public")


def load_user() -> Response | tuple[Any, int] | None:
    g.user = None
    view = current_app.view_functions.get(request.endpoint or "")
    if request.endpoint == "static" or getattr(view, "is_public", False) or view is None:
        return None
    token = session.get("sid")
    if not isinstance(token, str):
        return _sign_in_needed(None)
    found = web_sessions.look_up(
        settings().store, token, settings().clock.now(), settings().session_lifetime
    )
    if not isinstance(found, web_sessions.Live):
        session.clear()
        return _sign_in_needed(_ended(found.reason) if found else None)
    if session.get("csrf_token") != found.csrf_secret:
        session["csrf_token"] = found.csrf_secret  # forms made from here on use the user's key
    g.user = User(found.user_id, found.username, found.role, found.created_at, False)
    return None


def _ended(reason: str) -> str:
    if reason == "expired":
        hours = f"{settings().session_lifetime.total_seconds() / 3600:g}"
        return f"Your session ended after {hours} hours: please sign in again."
    return {
        "disabled": "Your account is no longer active.",
        "signed out": "You signed out (here or in another window): please sign in again.",
        "password changed": "Your password was changed, which ends every session: please sign "
        "in again.",
        "role changed": "Your role was changed: please sign in again.",
    }.get(reason, "Your session has ended: please sign in again.")


def _sign_in_needed(message: str | None) -> Response | tuple[Any, int]:
    if is_api(request.path):
        return {"error": "sign in required"}, 401
    if message:
        flash(message, "warn")
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


def home_for(user: User) -> str:
    if user.can("view"):
        return url_for("week.week")
    return url_for("analytics.results")


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    target = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("login.html.j2", next=target or "", error=None, username="")
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    store, now, address = settings().store, settings().clock.now(), request.remote_addr
    result = sign_in(store, username, password, address, now, settings().throttle)
    if result.user is None:
        error = "That username and password do not match an active account."
        status, headers = 401, {}
        if result.wait is not None:
            minutes = max(1, math.ceil(result.wait.total_seconds() / 60))
            error = f"Too many attempts: try again in {minutes} minute{'s' * (minutes != 1)}."
            status, headers = 429, {"Retry-After": str(math.ceil(result.wait.total_seconds()))}
        page = render_template("login.html.j2", next=target or "", error=error, username=username)
        return page, status, headers
    replaced = session.get("sid")
    if isinstance(replaced, str):  # signing in again: the browser's previous session ends
        web_sessions.end(store, replaced, now, "replaced by a new sign-in")
    token, csrf_key = web_sessions.start(store, result.user.id, now, address)
    session.clear()  # a fresh session for the signed-in user
    session["sid"] = token
    session["csrf_token"] = csrf_key
    session.permanent = True
    return redirect(target or home_for(result.user))


@bp.post("/logout")
@public  # anyone may end a session; the CSRF check still applies
def logout() -> Response:
    token = session.get("sid")
    if isinstance(token, str):
        store, now = settings().store, settings().clock.now()
        found = web_sessions.look_up(store, token, now, settings().session_lifetime)
        web_sessions.end(store, token, now, "signed out")
        if isinstance(found, web_sessions.Live):
            record_sign_out(store, found.username, request.remote_addr, now)
    session.clear()
    flash("You have signed out.", "ok")
    return redirect(url_for("auth.login"))


@bp.get("/")
@requires("reports")
def home() -> Response:
    user = current_user()
    assert user is not None
    return redirect(home_for(user))


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host (an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path.startswith("/login"):
        return None
    return target
