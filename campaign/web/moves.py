"""Move a post to another day or time, from the week page (a drop on a day, or the Move form).

Both ways post the same form here, and the move goes through the core's one way of changing a
post (`Store.edit_post`), so the same checks run as for any edit: a time the clocks skip is
refused, an ambiguous one is asked about, a check error (a cap, a closed helpline...) leaves the
post where it was. A moved post is a draft again: its approval was for another time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from campaign.content.source import PostSource
from campaign.errors import BadInput, CheckFailed, ConfigError, RevisionConflict
from campaign.present.platforms import display_name
from campaign.present.times import long_date, weekday
from campaign.store.audit import Actor
from campaign.store.models import PostRow
from campaign.wall_time import format_offset
from campaign.web.auth import current_user, requires
from campaign.web.current import current, route

bp = Blueprint("moves", __name__)


@dataclass(frozen=True)
class Choice:
    """One of the two moments an ambiguous wall time can be."""

    value: str  # "01:30+01:00": the time as the post's source writes it
    label: str  # "01:30 BST (the first time, before the clocks go back)"


@route(bp, "/week/move", ["POST"])
@requires("plan")
def move() -> Response | str:
    page = current()
    key = request.form.get("key", "")
    back = url_for("week.week") + _query() + f"#post-{key}"
    day, wall, chosen = _when()
    found = page.store.posts(page.slug, keys=[key]) if key else []
    if not found:
        abort(404, description="There is no such post in this campaign.")
    name = _name(found[0], page.zone)
    if not page.row.start <= day <= page.row.end:
        flash(
            f"Not moved: {name} stays where it was. {long_date(day)} is not a day of this "
            f"campaign ({long_date(page.row.start)} to {long_date(page.row.end)}): pick one of "
            "its days.",
            "error",
        )
        return redirect(back)
    if chosen is None:
        refusal, choices = _wall_time(day, wall, page.zone)
        if refusal:
            flash(f"Not moved: {name} stays where it was. {refusal}", "error")
            return redirect(back)
        if choices:
            return render_template(
                "move_which.html.j2",
                name=name,
                day=long_date(day),
                choices=choices,
                form=request.form,
            )
    content = page.store.content(page.slug)
    source = content.sources.get(key)
    if source is None:
        abort(404, description="This post cannot be moved: it was cancelled.")
    moved = _moved(source, content.sources.values(), day, chosen or f"{wall:%H:%M}")
    user = current_user()
    assert user is not None
    try:
        result = page.store.edit_post(
            page.slug, key, moved, Actor.web(user.username), base_revision=_revision()
        )
    except RevisionConflict:
        flash(
            f"Not moved: someone else changed {name} since this page was loaded. "
            "Look at it again below, then move it.",
            "error",
        )
        return redirect(back)
    except CheckFailed as exc:
        errors = [f for f in exc.findings if f.severity == "error"]
        said = " ".join(f"{f.message[:1].upper()}{f.message[1:]}." for f in errors[:3])
        flash(f"Not moved: at the new time the checks found a problem. {said}", "error")
        return redirect(back)
    except (BadInput, ConfigError) as exc:  # e.g. a day outside the campaign, a post sent
        flash(f"Not moved: {name} stays where it was. {exc.for_page()}", "error")
        return redirect(back)
    when = f"{long_date(day)} at {(chosen or f'{wall:%H:%M}')[:5]}"
    flash(
        f"Moved {name} to {when} ({page.zone.key}). It is a draft again: its approval was "
        "cleared, so it needs approval before it goes out.",
        "ok",
    )
    warnings = [f for f in result.report.findings if f.key == key and f.severity == "warning"]
    for finding in warnings[:3]:
        flash(f"At its new time: {finding.message}.", "warn")
    return redirect(url_for("week.week") + _query() + f"#post-{key}")


def _when() -> tuple[date, time, str | None]:
    """The new day and wall time the form asks for, and the chosen moment of an ambiguous one."""
    try:
        day = date.fromisoformat(request.form.get("date", ""))
    except ValueError:
        abort(400, description="Give the new date as a date, for example 2020-04-25.")
    try:
        wall = time.fromisoformat(request.form.get("time", ""))
    except ValueError:
        abort(400, description="Give the new time as a 24-hour time, for example 14:00.")
    chosen = request.form.get("which") or None
    if chosen is not None and not chosen.startswith(f"{wall:%H:%M}"):
        abort(400, description="The choice does not match the time given.")
    return day, wall.replace(second=0, microsecond=0), chosen


def _revision() -> int:
    try:
        return int(request.form.get("revision", ""))
    except ValueError:
        abort(400, description="The form did not say which version of the post it moves.")


def _query() -> str:
    """The week page's filters, kept across the move (they came on the form's address)."""
    text = request.query_string.decode("ascii", "replace")
    return f"?{text}" if text else ""


def _wall_time(day: date, wall: time, zone: ZoneInfo) -> tuple[str, list[Choice]]:
    """(why the time cannot be, the two moments it can be): a time the clocks skip is refused in
    plain words; a time they repeat is two moments, and the officer picks one."""
    first = datetime.combine(day, wall, tzinfo=zone)
    second = first.replace(fold=1)
    back = first.astimezone(ZoneInfo("UTC")).astimezone(zone)
    if back.replace(tzinfo=None) != first.replace(tzinfo=None):
        return (
            f"{wall:%H:%M} does not exist on {long_date(day)}: the clocks go forward then. "
            "Pick another time.",
            [],
        )
    offsets = (first.utcoffset(), second.utcoffset())
    if offsets[0] == offsets[1] or None in offsets:
        return "", []
    return "", [
        _choice(first, "the first time, before the clocks go back"),
        _choice(second, "the second time, after the clocks go back"),
    ]


def _choice(moment: datetime, which: str) -> Choice:
    offset = moment.utcoffset() or timedelta(0)
    return Choice(f"{moment:%H:%M}{format_offset(offset)}", f"{moment:%H:%M %Z} ({which})")


def _moved(source: PostSource, others: Iterable[PostSource], day: date, at: str) -> PostSource:
    """The post's source at its new day and time; on another campaign day it takes that day's
    name and theme, so it shows under the day it now goes out on."""
    changes: dict[str, object] = {"date": day, "time": at, "fold": None}
    if day != source.date:
        same_day = [other for other in others if other.date == day]
        if same_day:
            changes.update(day_slug=same_day[0].day_slug, theme=same_day[0].theme)
    return source.with_changes(**changes)


def _name(row: PostRow, zone: ZoneInfo) -> str:
    """'the Monday 10:00 X post', as the week page names it."""
    local = row.scheduled_at.astimezone(zone)
    return f"the {weekday(local.date())} {local:%H:%M} {display_name(row.account.platform)} post"
