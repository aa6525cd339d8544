"""The web dashboard's app factory: one Flask app over every campaign in one store.

A page is about one campaign: the one its address names (`/c/<slug>/...`), else the default
campaign (`campaign.web.current`). The month calendar shows them all.

Security, in one place:
- every page but the sign-in page and the stylesheets needs a signed-in user (`auth`), and every
  view declares the capability it needs (`auth.requires`); `create_app` refuses to start if a
  view forgot;
- every POST carries a CSRF token (Flask-WTF `CSRFProtect`), or is refused with 400;
- Jinja autoescapes every template (whatever its file name) with StrictUndefined, so post text,
  alt text, findings and reasons are shown as text, never as markup;
- the session cookie is HttpOnly and SameSite=Lax, signed with the secret key, and expires
  after `session_hours`; the session itself lives on the server, which checks its age against
  the app's clock and ends it at sign-out, a new password, disabling or a new role;
- sign-in is throttled and recorded (`campaign.store.sign_ins`);
- pages load nothing from other sites and run no inline script (Content-Security-Policy);
  served over HTTPS (`secure_cookies`), every answer carries HSTS;
- no page shows an exception's text: our database errors (whose text carries SQL) and anything
  unexpected are logged and answered in plain words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import jinja2
from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from campaign.clock import Clock, SystemClock
from campaign.config import CampaignConfig
from campaign.errors import CampaignError, DatabaseBusy, DatabaseFailure, PostNotFound, StoreError
from campaign.present.platforms import account_label
from campaign.present.times import short_date, template_filters
from campaign.preview import highlight
from campaign.report.html import first_line, number, percent
from campaign.store import Store
from campaign.store.sign_ins import ThrottlePolicy
from campaign.web import (
    admin,
    analytics,
    auth,
    calendar,
    composer,
    control,
    current,
    review,
    week,
)
from campaign.web.current import Campaigns

HERE = Path(__file__).parent
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
HSTS = "max-age=31536000"  # a year; not includeSubDomains: other sites may share the domain
log = logging.getLogger("campaign.web")


@dataclass(frozen=True)
class WebSettings:
    """What the views need, kept on the app (never in module globals)."""

    campaigns: Campaigns
    store: Store
    clock: Clock  # sessions: when one started, whether it expired
    session_lifetime: timedelta
    poll_seconds: float
    throttle: ThrottlePolicy = field(default_factory=ThrottlePolicy)


def create_app(
    config: CampaignConfig | None,
    store: Store,
    *,
    secret_key: str,
    clock: Clock | None = None,
    session_hours: float = 8.0,
    poll_seconds: float = 2.0,
    secure_cookies: bool = False,
    throttle: ThrottlePolicy | None = None,
) -> Flask:
    """The dashboard for every campaign on `store`; `config`'s campaign is the default one
    (without a config: the campaign running now, else the next, else the latest).

    `clock` decides session expiry and sign-in throttling (default: the wall clock); the
    campaign's own time (what is due, heartbeats) is the store's clock. `secure_cookies`: the
    app is served over HTTPS: mark the cookie Secure and send HSTS.
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
        # A form's token is good for one session lifetime, across sign-ins of the same user.
        WTF_CSRF_TIME_LIMIT=int(lifetime.total_seconds()),
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
    app.jinja_loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(HERE / "templates"),
            jinja2.PackageLoader("campaign", "templates"),
        ]
    )
    app.extensions["campaign"] = WebSettings(
        Campaigns(store, config),
        store,
        clock or SystemClock(),
        lifetime,
        poll_seconds,
        throttle or ThrottlePolicy(),
    )
    CSRFProtect(app)
    _filters(app)
    for module in (auth, week, control, analytics, calendar, review, admin, composer):
        app.register_blueprint(module.bp)
    current.init_app(app)
    auth.init_app(app)
    _assets(app)
    _errors(app)
    app.after_request(_security_headers)
    if secure_cookies:
        app.after_request(_hsts)
    auth.check_every_view_is_guarded(app)
    return app


def _filters(app: Flask) -> None:
    """Times on a page are in its campaign's timezone: the filters ask for it as they run."""
    app.jinja_env.filters.update(
        highlight=highlight,
        number=number,
        percent=percent,
        first_line=first_line,
        day_short=short_date,
        account_label=account_label,
    )
    for name in template_filters(UTC):
        app.jinja_env.filters[name] = _zoned(name)


def _zoned(name: str) -> Callable[..., Any]:
    def apply(*args: Any) -> Any:
        return template_filters(current.zone())[name](*args)

    return apply


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
    def csrf_error(error: CSRFError) -> Any:
        if current.is_api(request.path):
            return {
                "error": "the request came without a valid security token: reload the page"
            }, 400
        return _page(
            "This form could not be accepted",
            "It was sent without a valid security token (it may have come from another site, "
            "or the page is older than a sign-in session). Nothing was changed. Reload the page "
            "and try again.",
            400,
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        if current.is_api(request.path):
            return {"error": error.description}, code
        titles = {
            403: "Not allowed",
            404: "Not found",
            405: "Not allowed here",
            409: "This needs the campaign's files",
        }
        return _page(titles.get(code, error.name), error.description or "", code)

    @app.errorhandler(CampaignError)
    def campaign_error(error: CampaignError) -> Any:
        if isinstance(error, DatabaseFailure):
            return database_error(error)
        code = 400
        if isinstance(error, PostNotFound):
            code = 404
        elif isinstance(error, StoreError):
            code = 503
        if current.is_api(request.path):
            return {"error": str(error)}, code
        return _page("Something needs attention", error.for_page(), code)

    def database_error(error: DatabaseFailure) -> Any:
        """The text of a database error names tables and SQL: it goes to the log only."""
        log.error("database error on %s %s: %s", request.method, request.path, error)
        busy = isinstance(error, DatabaseBusy)
        message = (
            "The database is busy and did not answer in time. Nothing was changed."
            if busy
            else "The database could not do this. Nothing was changed."
        )
        message += " Try again in a minute; if it keeps happening, tell whoever runs the server."
        if current.is_api(request.path):
            return {"error": "the database is unavailable; try again in a minute"}, 503
        return _page("The database did not answer", message, 503)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        log.exception("unexpected error on %s %s", request.method, request.path)
        if current.is_api(request.path):
            return {"error": "something went wrong on the server"}, 500
        return _page(
            "Something went wrong",
            "The server could not finish this. Nothing more is known here; the details are in "
            "the server's log. Try again, and if it keeps happening tell whoever runs the server.",
            500,
        )


def _page(title: str, message: str, code: int) -> tuple[str, int]:
    return render_template("error.html.j2", title=title, message=message, code=code), code


def _hsts(response: Response) -> Response:
    response.headers["Strict-Transport-Security"] = HSTS
    return response


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    if response.mimetype in ("text/html", "application/json"):
        response.headers["Cache-Control"] = "no-store"  # nothing left behind after sign-out
    return response
