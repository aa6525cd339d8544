"""The week as a calendar of post cards, and sign-off: approve or withdraw a post, a day, the week.

Every change goes through the store as the signed-in user, so the audit log says who and when.
An approval form carries a fingerprint of the content the page showed; if the stored content
changed since (a template was edited and the plan updated), nothing is approved and the
approver is asked to look again.
"""

from __future__ import annotations

import mimetypes
import os
from datetime import date

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

from campaign.errors import CampaignError, CheckFailed
from campaign.planning import check_plan, store_plan
from campaign.report.export import audit_csv
from campaign.store.approvals import ApprovalResult
from campaign.store.partial import progress
from campaign.web.auth import current_user, requires, settings
from campaign.web.cards import digest, week_view
from campaign.web.status import banner

bp = Blueprint("week", __name__)
SCOPES = ("post", "day", "week")


@bp.get("/week")
@requires("view")
def week() -> str:
    config, store = settings().config, settings().store
    slug = config.campaign.slug
    rows = store.posts(slug)
    try:
        checked, problem = check_plan(config), None
    except CampaignError as exc:  # a broken template must not hide the stored week
        checked, problem = None, str(exc)
    view = week_view(
        config,
        rows,
        checked,
        store.audit_log(slug),
        lambda file: url_for("week.media", file=file),
        template_error=problem,
    )
    top, _ = banner(store, config, rows, store.clock.now())
    return render_template("week.html.j2", week=view, banner=top, config=config)


@bp.post("/week/approve")
@requires("approve")
def approve() -> Response:
    config, store = settings().config, settings().store
    scope, keys, day, anchor = _scope()
    shown = request.form.get("seen", "")
    rows = store.posts(config.campaign.slug, keys=keys, day=day)
    if not rows or shown != digest(rows):
        flash(
            "Nothing was approved: the posts changed since this page was loaded. "
            "Read them again below, then approve.",
            "error",
        )
        return redirect(url_for("week.week") + anchor)
    user = current_user()
    assert user is not None
    result = store.approve(config.campaign.slug, user.username, keys=keys, day=day)
    _report(result, "Approved", scope)
    return redirect(url_for("week.week") + anchor)


@bp.post("/week/withdraw")
@requires("approve")
def withdraw() -> Response:
    config, store = settings().config, settings().store
    scope, keys, day, anchor = _scope()
    reason = request.form.get("reason", "").strip()
    if not reason:
        flash("Say why approval is withdrawn (it goes in the audit log). Nothing changed.", "error")
        return redirect(url_for("week.week") + anchor)
    user = current_user()
    assert user is not None
    result = store.withdraw(config.campaign.slug, user.username, reason, keys=keys, day=day)
    _report(result, "Withdrew approval of", scope)
    return redirect(url_for("week.week") + anchor)


@bp.post("/week/abandon")
@requires("approve")
def abandon() -> Response:
    """An approver gives up the rest of a partly published thread; its public parts stay."""
    config, store = settings().config, settings().store
    key = request.form.get("key", "")
    reason = request.form.get("reason", "").strip()
    anchor = f"#post-{key}"
    if not reason:
        flash("Say why the rest of the thread is abandoned (it goes in the audit log).", "error")
        return redirect(url_for("week.week") + anchor)
    user = current_user()
    assert user is not None
    row = store.abandon(config.campaign.slug, key, user.username, reason)
    flash(f"Abandoned the rest of {key}: {progress(row)} stay public; nothing more is sent.")
    return redirect(url_for("week.week") + anchor)


@bp.post("/week/plan")
@requires("plan")
def update_plan() -> Response:
    """Store the plan as the templates render it now: edited posts go back to draft."""
    config, store = settings().config, settings().store
    user = current_user()
    assert user is not None
    try:
        _, changes = store_plan(config, store, user.username)
    except CheckFailed as exc:
        errors = [f for f in exc.findings if f.severity == "error"]
        flash(
            f"The plan was not stored: the checks found {len(errors)} error(s). "
            + " ".join(f"{f.key or 'plan'}: {f.message}." for f in errors[:3]),
            "error",
        )
        return redirect(url_for("week.week"))
    parts = [
        f"{len(keys)} {label}"
        for label, keys in (
            ("added", changes.added),
            ("edited (need approval again)", changes.edited),
            ("rescheduled", changes.rescheduled),
            ("cancelled", changes.cancelled),
            ("restored", changes.restored),
        )
        if keys
    ]
    flash("Plan updated: " + (", ".join(parts) if parts else "nothing had changed") + ".", "ok")
    return redirect(url_for("week.week"))


@bp.get("/media/<path:file>")
@requires("view")
def media(file: str) -> Response:
    """An image of the stored plan (only those: never any other file of the posts folder)."""
    config, store = settings().config, settings().store
    rows = store.posts(config.campaign.slug)
    known = {str(item.get("file")) for row in rows for item in row.media}
    path = safe_join(str(config.posts_dir), file)
    if file not in known or path is None or not os.path.isfile(path):
        abort(404)
    with open(path, "rb") as image:  # a few MB at most; read whole so nothing stays open
        data = image.read()
    response = Response(data, mimetype=mimetypes.guess_type(path)[0] or "application/octet-stream")
    response.cache_control.private = True
    response.cache_control.max_age = 300
    return response


@bp.get("/audit.csv")
@requires("view")
def audit_export() -> Response:
    config = settings().config
    entries = settings().store.audit_log(config.campaign.slug)
    return Response(
        audit_csv(entries),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={config.campaign.slug}-audit.csv"},
    )


def _scope() -> tuple[str, tuple[str, ...], date | None, str]:
    """Which posts a sign-off form is about: (scope, keys, day, page anchor to return to)."""
    scope = request.form.get("scope", "")
    if scope == "post":
        key = request.form.get("key", "")
        if not key:
            abort(400, description="No post was named.")
        return scope, (key,), None, f"#post-{key}"
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
