"""The web dashboard's app factory: one Flask app over one campaign and one store.

Security, in one place:
- every page but the sign-in page and the stylesheets needs a signed-in user (`auth`), and every
  view declares the capability it needs (`auth.requires`); `create_app` refuses to start if a
  view forgot;
- every POST carries a CSRF token (Flask-WTF `CSRFProtect`), or is refused with 400;
- Jinja autoescapes every template (whatever its file name) with StrictUndefined, so post text,
  alt text, findings and reasons are shown as text, never as markup;
- the session cookie is HttpOnly and SameSite=Lax, signed with the secret key, and expires
  after `session_hours` (checked on the server against the app's clock as well);
- pages load nothing from other sites and run no inline script (Content-Security-Policy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import jinja2
from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from campaign.clock import Clock, SystemClock
from campaign.config import CampaignConfig
from campaign.errors import CampaignError, PostNotFound, StoreError
from campaign.preview import highlight
from campaign.report.html import first_line, number, percent
from campaign.store import Store
from campaign.web import analytics, auth, control, week
from campaign.web.status import when

HERE = Path(__file__).parent
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)


@dataclass(frozen=True)
class WebSettings:
    """What the views need, kept on the app (never in module globals)."""

    config: CampaignConfig
    store: Store
    clock: Clock  # sessions: when one started, whether it expired
    session_lifetime: timedelta
    poll_seconds: float


def create_app(
    config: CampaignConfig,
    store: Store,
    *,
    secret_key: str,
    clock: Clock | None = None,
    session_hours: float = 8.0,
    poll_seconds: float = 2.0,
    secure_cookies: bool = False,
) -> Flask:
    """The dashboard for `config`'s campaign on `store`.

    `clock` decides session expiry (default: the wall clock); the campaign's own time (what is
    due, heartbeats) is the store's clock. `secure_cookies` marks the cookie Secure: set it when
    the app is served over HTTPS.
    """
    if len(secret_key) < 16:
        raise ValueError("the secret key must be at least 16 characters")
    app = Flask(__name__, root_path=str(HERE), static_folder="static")
    lifetime = timedelta(hours=session_hours)
    app.config.update(
        SECRET_KEY=secret_key,
        SESSION_COOKIE_NAME="campaign_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        PERMANENT_SESSION_LIFETIME=lifetime,
        SESSION_REFRESH_EACH_REQUEST=False,  # absolute expiry: the login time, not the last click
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, no longer
        WTF_CSRF_SSL_STRICT=secure_cookies,
        MAX_CONTENT_LENGTH=64 * 1024,
        TEMPLATES_AUTO_RELOAD=False,
    )
    # Before anything touches app.jinja_env: autoescape every template (ours end in .j2, which
    # Flask would not escape by default), fail on undefined names, and find the shared card
    # macros beside the preview's template.
    app.jinja_options = {
        **app.jinja_options,
        "autoescape": True,
        "undefined": jinja2.StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
    }
    app.jinja_loader = jinja2.ChoiceLoader(  # type: ignore[method-assign,assignment]
        [
            jinja2.FileSystemLoader(HERE / "templates"),
            jinja2.PackageLoader("campaign", "templates"),
        ]
    )
    app.extensions["campaign"] = WebSettings(
        config, store, clock or SystemClock(), lifetime, poll_seconds
    )
    CSRFProtect(app)
    _filters(app, config)
    for module in (auth, week, control, analytics):
        app.register_blueprint(module.bp)
    auth.init_app(app)
    _assets(app)
    _errors(app)
    app.after_request(_security_headers)
    auth.check_every_view_is_guarded(app)
    return app


def _filters(app: Flask, config: CampaignConfig) -> None:
    zone = config.zone
    app.jinja_env.filters.update(
        highlight=highlight,
        number=number,
        percent=percent,
        first_line=first_line,
        when=lambda moment: when(moment, zone),
        local=lambda moment: moment.astimezone(zone),
    )


def _assets(app: Flask) -> None:
    @app.get("/assets/cards.css")
    @auth.public
    def cards_css() -> Response:
        """The preview's card look, from the same template file the preview inlines."""
        css = render_template("_cards.css.j2")
        response = Response(css, mimetype="text/css")
        response.cache_control.max_age = 3600
        return response


def _errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return (
            render_template(
                "error.html.j2",
                title="This form could not be accepted",
                message="It was sent without a valid security token (it may have come from "
                "another site, or the page is from an earlier sign-in). Nothing was changed. "
                "Reload the page and try again.",
                code=400,
            ),
            400,
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        if request.path.startswith("/api/"):
            return {"error": error.description}, error.code or 500
        titles = {403: "Not allowed", 404: "Not found", 405: "Not allowed here"}
        code = error.code or 500
        return (
            render_template(
                "error.html.j2",
                title=titles.get(code, error.name),
                message=error.description or "",
                code=code,
            ),
            code,
        )

    @app.errorhandler(CampaignError)
    def campaign_error(error: CampaignError) -> Any:
        code = 400
        if isinstance(error, PostNotFound):
            code = 404
        elif isinstance(error, StoreError):
            code = 503
        if request.path.startswith("/api/"):
            return {"error": str(error)}, code
        title = "Something needs attention"
        return render_template("error.html.j2", title=title, message=str(error), code=code), code


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    if response.mimetype in ("text/html", "application/json"):
        response.headers["Cache-Control"] = "no-store"  # nothing left behind after sign-out
    return response
