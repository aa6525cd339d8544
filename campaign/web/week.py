"""The week as a calendar of post cards, and sign-off: approve or withdraw a post, a day, the week.

Every change goes through the store as the signed-in user, so the audit log says who and when.
An approval form carries, for each post it approves, the content hash the page showed; the store
compares them with the stored hashes in the transaction that records the approval. If any
changed since (the plan was stored again), nothing is approved and the approver is asked to look
again. Approving posts whose time has passed asks first, saying what will happen to them.
"""

from __future__ import annotations

import mimetypes
import os
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.security import safe_join
from werkzeug.wrappers import Response as BaseResponse  # what redirect() returns

from campaign.config import CampaignConfig
from campaign.errors import BadInput, CheckFailed, ContentChanged, PlanConflict, TimePassed
from campaign.planning import store_plan
from campaign.present.late import late_heading, late_summary
from campaign.present.plan import changes_sentence
from campaign.present.threads import abandoned
from campaign.report.export import audit_csv
from campaign.store.approvals import ApprovalResult, PairIncomplete, late_posts
from campaign.store.audit import Actor
from campaign.store.review import OwnWork
from campaign.web import moves, week_live
from campaign.web.auth import current_user, requires
from campaign.web.cards import pair_refused
from campaign.web.current import CampaignPage, current, route
from campaign.web.status import banner, publishing
from campaign.web.stored import stored_page
from campaign.web.week_page import week_context

bp = Blueprint("week", __name__)
bp.register_blueprint(moves.bp)  # its views are "week.moves.*"
bp.register_blueprint(week_live.bp)  # "week.week_live.*"
SCOPES = ("post", "day", "week")


@route(bp, "/week")
@requires("view")
def week() -> str:
    page = current()
    store, config, slug = page.store, page.config, page.slug
    rows = store.posts(slug)
    top, _ = banner(store, page, rows, store.clock.now())
    if config is None:  # the files are not here: what is stored, with a note why
        return stored_page(page, rows, top)
    return render_template("week.html.j2", banner=top, **week_context(page, config))


@route(bp, "/week/approve", ["POST"])
@requires("approve")
def approve() -> Any:
    """Approve exactly the posts the form names, each bound to the hash the page showed."""
    page = current()
    store = page.store
    scope, _, _, anchor = _scope()
    shown = shown_posts()
    user = current_user()
    assert user is not None
    late_ok = request.form.get("late") == "accept"
    try:
        result = store.approve(
            page.slug,
            Actor.web(user.username),
            keys=tuple(shown),
            expected=shown,
            allow_past=late_ok,
        )
    except ContentChanged:
        flash(
            "Nothing was approved: the posts changed since this page was loaded. "
            "Read them again below, then approve.",
            "error",
        )
        return redirect(url_for("week.week") + anchor)
    except TimePassed as exc:
        return _confirm_late(page, shown, exc)
    except OwnWork as exc:  # the two-person rule: someone else must approve it
        flash(str(exc)[0].upper() + str(exc)[1:] + ".", "error")
        return redirect(url_for("week.week") + anchor)
    except PairIncomplete as exc:  # one post of a pair named without the other
        flash(pair_refused(exc), "error")
        return redirect(url_for("week.week") + anchor)
    except BadInput as exc:
        flash(f"{exc.for_page()[:1].upper()}{exc.for_page()[1:]}.", "error")
        return redirect(url_for("week.week") + anchor)
    _report(result, "Approved", scope)
    now, settings = store.clock.now(), publishing(page)
    late = late_posts(result.times, now, settings.grace)
    if late:
        flash(late_summary(late, len(result.changed), page.zone, settings.grace_minutes), "warn")
    return redirect(url_for("week.week") + anchor)


def _confirm_late(page: CampaignPage, shown: dict[str, str], refused: TimePassed) -> str:
    """Ask before approving posts whose time has passed, saying what will happen to each."""
    settings = publishing(page)
    late = late_posts(refused.times, page.store.clock.now(), settings.grace)
    on_time = {key: value for key, value in shown.items() if key not in refused.times}
    return render_template(
        "approve_late.html.j2",
        heading=late_heading(len(late), len(shown)),
        late=[(post, post.describe(page.zone)) for post in late],
        grace=f"{settings.grace_minutes:g}",
        every=shown,
        on_time=on_time,
        scope=request.form.get("scope", ""),
        key=request.form.get("key", ""),
        day=request.form.get("day", ""),
    )


@route(bp, "/week/withdraw", ["POST"])
@requires("approve")
def withdraw() -> BaseResponse:
    page = current()
    scope, keys, day, anchor = _scope()
    reason = request.form.get("reason", "").strip()
    if not reason:
        flash("Say why approval is withdrawn (it goes in the audit log). Nothing changed.", "error")
        return redirect(url_for("week.week") + anchor)
    user = current_user()
    assert user is not None
    try:
        result = page.store.withdraw(
            page.slug, Actor.web(user.username), reason, keys=keys, day=day
        )
    except BadInput as exc:
        flash(f"Nothing changed: {exc.for_page()}", "error")
        return redirect(url_for("week.week") + anchor)
    _report(result, "Withdrew approval of", scope)
    return redirect(url_for("week.week") + anchor)


@route(bp, "/week/abandon", ["POST"])
@requires("approve")
def abandon() -> BaseResponse:
    """An approver gives up the rest of a partly published thread; its public parts stay."""
    page = current()
    key = request.form.get("key", "")
    reason = request.form.get("reason", "").strip()
    anchor = f"#post-{key}"
    if not reason:
        flash("Say why the rest of the thread is abandoned (it goes in the audit log).", "error")
        return redirect(url_for("week.week") + anchor)
    user = current_user()
    assert user is not None
    row = page.store.abandon(page.slug, key, user.username, reason)
    flash(abandoned(row))
    return redirect(url_for("week.week") + anchor)


@route(bp, "/week/plan", ["POST"])
@requires("plan")
def update_plan() -> BaseResponse:
    """Store the plan as the templates render it now: edited posts go back to draft."""
    page = current()
    config, store = needs_files(page), page.store
    user = current_user()
    assert user is not None
    try:
        _, changes = store_plan(config, store, Actor.web(user.username))
    except CheckFailed as exc:
        errors = [f for f in exc.findings if f.severity == "error"]
        flash(
            f"The plan was not stored: the checks found {len(errors)} error(s). "
            + " ".join(f"{f.key or 'plan'}: {f.message}." for f in errors[:3]),
            "error",
        )
        return redirect(url_for("week.week"))
    except PlanConflict as exc:
        keys = ", ".join(conflict.key for conflict in exc.conflicts)
        flash(
            f"The plan was not updated: {len(exc.conflicts)} post(s) were changed both here "
            f"and in the campaign's files since the last update ({keys}). Nothing was changed. "
            "Ask whoever looks after the campaign's files to choose which version to keep.",
            "error",
        )
        return redirect(url_for("week.week"))
    flash(changes_sentence(changes), "ok")
    return redirect(url_for("week.week"))


@route(bp, "/media/<path:file>")
@requires("view")
def media(file: str) -> Response:
    """An image of the stored plan (only those: never any other file of the posts folder)."""
    page = current()
    if page.config is None:
        abort(404, description="This campaign's images are not available on this server.")
    rows = page.store.posts(page.slug)
    known = {str(item.get("file")) for row in rows for item in row.media}
    path = safe_join(str(page.config.posts_dir), file)
    if file not in known or path is None:
        abort(404)
    if not os.path.isfile(path):  # uploaded in the dashboard: only the database has it
        from campaign.web.composer import stored_picture

        return stored_picture(page, file)
    with open(path, "rb") as image:  # a few MB at most; read whole so nothing stays open
        data = image.read()
    response = Response(data, mimetype=mimetypes.guess_type(path)[0] or "application/octet-stream")
    response.cache_control.private = True
    response.cache_control.max_age = 300
    return response


@route(bp, "/audit.csv")
@requires("view")
def audit_export() -> Response:
    page = current()
    entries = page.store.audit_log(page.slug)
    return Response(
        audit_csv(entries),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={page.slug}-audit.csv"},
    )


def needs_files(page: CampaignPage) -> CampaignConfig:
    """The campaign's config, or a plain 409 page: this action reads the campaign's files."""
    if page.config is None:
        abort(409, description=f"{page.problem} This needs the campaign's files.")
    return page.config


def shown_posts() -> dict[str, str]:
    """The posts an approval form names, each with the content hash its page showed."""
    shown: dict[str, str] = {}
    for value in request.form.getlist("post"):
        key, _, content_hash = value.rpartition(":")
        if not key or not content_hash:
            abort(400, description="The form named a post without the text it showed.")
        shown[key] = content_hash
    if not shown:
        abort(400, description="No posts were named.")
    return shown


def _scope() -> tuple[str, tuple[str, ...], date | None, str]:
    """Which posts a sign-off form is about: (scope, keys, day, page anchor to return to)."""
    scope = request.form.get("scope", "")
    if scope == "post":  # one post, or a pair's posts (each named: they go together)
        keys = tuple(key for key in request.form.getlist("key") if key)
        if not keys:
            abort(400, description="No post was named.")
        return scope, keys, None, f"#post-{keys[0]}"
    if scope == "day":
        try:
            day = date.fromisoformat(request.form.get("day", ""))
        except ValueError:
            abort(400, description="No valid day was named.")
        return scope, (), day, f"#day-{day.isoformat()}"
    if scope == "week":
        return scope, (), None, ""
    abort(400, description=f"Sign-off applies to one of: {', '.join(SCOPES)}.")


def _report(result: ApprovalResult, verb: str, scope: str) -> None:
    if result.changed:
        count = len(result.changed)
        flash(f"{verb} {count} post{'s' if count != 1 else ''}: {', '.join(result.changed)}.", "ok")
    elif not result.skipped:
        flash("There were no posts to change.", "warn")
    skipped: dict[str, list[str]] = {}
    for key, why in result.skipped.items():
        skipped.setdefault(why, []).append(key)
    for why, keys in skipped.items():
        if scope == "post" or len(keys) <= 3:
            flash(f"Left unchanged ({why}): {', '.join(keys)}.", "warn")
        else:
            flash(f"Left unchanged ({why}): {len(keys)} posts.", "warn")
