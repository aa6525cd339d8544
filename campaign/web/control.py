"""Pause and resume (each behind a confirmation page), and the live status.

Three scopes, each with a required reason and audited: this campaign; one account, for every
campaign that uses it (accounts belong to the organisation); or everything. Pauses are recorded
in the store, where every daemon's claim reads them in the same transaction: nothing is claimed
for sending once the pause is stored. While the database is busy the store keeps trying
(`Store.pause_patience`); if the pause still did not get through, the page says in plain words
that publishing is NOT paused and what to do.
"""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from campaign.errors import DatabaseBusy, StoreError
from campaign.present.threads import progress
from campaign.present.times import short_time
from campaign.store.audit import Actor
from campaign.store.models import PostRow, PostState
from campaign.web import scopes
from campaign.web.auth import current_user, requires
from campaign.web.current import CampaignPage, current, route
from campaign.web.status import banner, publishing, status_json

bp = Blueprint("control", __name__)
log = logging.getLogger("campaign.web")
REASONS = ("Critical incident", "Major incident declared", "Sensitive news story", "Tone review")


@route(bp, "/control/pause")
@requires("pause")
def confirm_pause() -> str:
    return _confirm("pause", REASONS)


@route(bp, "/control/pause", ["POST"])
@requires("pause")
def pause() -> Any:
    page = current()
    store = page.store
    scope = scopes.chosen(page, request.form)
    reason = request.form.get("reason", "").strip()
    if not reason:
        flash("Give a reason for the pause (it goes in the audit log). Nothing paused.", "error")
        return redirect(url_for("control.confirm_pause"))
    user = current_user()
    assert user is not None
    try:
        scopes.pause(page, scope, Actor.web(user.username), reason)
    except StoreError as error:
        log.error("pause by %s NOT recorded: %s", user.username, error)
        seconds = f"{store.pause_patience:g}"
        why = (
            f"The database was busy with other work for {seconds} seconds and did not take it."
            if isinstance(error, DatabaseBusy)
            else "The database refused it."
        )
        return render_template("pause_failed.html.j2", reason=reason, why=why, scope=scope), 503
    flash(scope.paused_sentence(reason), "error")
    return redirect(url_for("week.week"))


@route(bp, "/control/resume")
@requires("pause")
def confirm_resume() -> str:
    return _confirm("resume", ())


def _confirm(action: str, reasons: tuple[str, ...]) -> str:
    """The confirmation page: how many posts wait, and at resume which go late or are missed."""
    page = current()
    store = page.store
    rows = store.posts(page.slug)
    now = store.clock.now()
    top, _ = banner(store, page, rows, now)
    pending = [row for row in rows if row.state in (PostState.APPROVED, PostState.SCHEDULED)]
    late: list[str] = []
    soon: list[str] = []
    grace = publishing(page).grace
    if action == "resume":
        late = [_line(row, page.zone) for row in pending if row.scheduled_at < now - grace]
        soon = [_line(row, page.zone) for row in pending if now - grace <= row.scheduled_at <= now]
        # A thread with its first part public is finished at resume, however late (README).
        soon += [
            f"{_line(row, page.zone)} ({progress(row)})"
            for row in rows
            if row.state == PostState.PARTIAL
        ]
    return render_template(
        "confirm.html.j2",
        action=action,
        banner=top,
        reasons=reasons,
        waiting=len(pending),
        grace=f"{publishing(page).grace_minutes:g}",
        late=late,
        soon=soon,
        choices=scopes.choices(page),
    )


def _line(row: PostRow, zone: ZoneInfo) -> str:
    return f"{short_time(row.scheduled_at, zone)} – {row.key}"


@route(bp, "/control/resume", ["POST"])
@requires("pause")
def resume() -> Response:
    page = current()
    scope = scopes.chosen(page, request.form)
    reason = request.form.get("reason", "").strip() or "resumed from the dashboard"
    user = current_user()
    assert user is not None
    scopes.resume(page, scope, Actor.web(user.username), reason)
    flash(scope.resumed_sentence(), "ok")
    return redirect(url_for("week.week"))


@route(bp, "/api/status")
@requires("view")
def status() -> dict[str, object]:
    """The banner and every post's status, polled by the pages every few seconds."""
    page: CampaignPage = current()
    return status_json(page.store, page, page.store.clock.now())
