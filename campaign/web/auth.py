"""Signing in and out, sessions that expire, and the one decorator that checks roles.

The session cookie holds only the user's id and when they signed in. The user (and so the role)
is read from the database on every request, so disabling a user or changing their role takes
effect at once. Sessions end `session_lifetime` after sign-in, however busy they are.
"""

from __future__ import annotations

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

from campaign.store.users import CAPABILITY_TEXT, User, authenticate, get_user

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
    return g.get("user")


def init_app(app: Flask) -> None:
    app.before_request(load_user)

    @app.context_processor
    def user_context() -> dict[str, Any]:
        user = current_user()
        return {
            "user": user,
            "can": (lambda capability: bool(user and user.can(capability))),
            "campaign": settings().config.campaign,
            "poll_ms": int(settings().poll_seconds * 1000),
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
    started = session.get("at")
    user_id = session.get("uid")
    if user_id is None or not isinstance(started, int | float):
        return _sign_in_needed(None)
    now = settings().clock.now().timestamp()
    lifetime = settings().session_lifetime.total_seconds()
    if not 0 <= now - started < lifetime:
        session.clear()
        hours = f"{lifetime / 3600:g}"
        return _sign_in_needed(f"Your session ended after {hours} hours: please sign in again.")
    user = get_user(settings().store, int(user_id))
    if user is None or user.disabled:
        session.clear()
        return _sign_in_needed("Your account is no longer active.")
    g.user = user
    return None


def _sign_in_needed(message: str | None) -> Response | tuple[Any, int]:
    if request.path.startswith("/api/"):
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
    user = authenticate(settings().store, username, password) if username and password else None
    if user is None:
        error = "That username and password do not match an active account."
        page = render_template("login.html.j2", next=target or "", error=error, username=username)
        return page, 401
    session.clear()  # a fresh session (and CSRF token) for the signed-in user
    session["uid"] = user.id
    session["at"] = settings().clock.now().timestamp()
    session.permanent = True
    return redirect(target or home_for(user))


@bp.post("/logout")
@public  # anyone may end a session; the CSRF check still applies
def logout() -> Response:
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
