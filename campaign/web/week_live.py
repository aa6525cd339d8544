"""The week page's cards again, for live.js: when a post's version changes (`/api/status`),
the page asks for its card, its chip and the counts, rendered as on the page, and replaces
them whole (text, approver line, controls), then says in the live region what changed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, render_template, request

from campaign.present.status import post_status
from campaign.states import PostState
from campaign.store.models import PostRow
from campaign.web.auth import requires
from campaign.web.current import current, route
from campaign.web.week_page import week_context

bp = Blueprint("week_live", __name__)
MOST = 100  # cards asked for at once (a week has a few dozen)


@route(bp, "/api/week/cards")
@requires("view")
def cards() -> dict[str, object]:
    """`?key=...` (repeated), with the page's own filters: each card as the page shows it."""
    page = current()
    if page.config is None:
        abort(409, description="This campaign's posts are shown as stored, without cards.")
    keys = request.args.getlist("key")[:MOST]
    context = week_context(page, page.config)
    where = {card.post.key: (card, day) for day in context["week"].days for card in day.cards}
    compact = context["chosen"].compact
    pairs = {
        unit.key: (unit, day)
        for day in context["days"]
        for unit in day.units
        if unit.paired and not compact
    }
    found: dict[str, dict[str, str]] = {}
    said: list[str] = []
    for key in keys:
        if key in pairs:  # a pair's posts, shown (and signed off) together
            unit, day = pairs[key]
            found[key] = {
                "card": render_template(
                    "_week_pair.html.j2", unit=unit, day=day, day_label=day.label, **context
                ),
                "version": context["versions"][key],
            }
            said.extend(
                announcement(
                    context["names"][card.post.key], context["rows"][card.post.key], page.zone
                )
                for card in unit.cards
            )
            continue
        if key not in where:
            continue
        card, day = where[key]
        found[key] = {
            "card": render_template(
                "_week_line.html.j2" if compact else "_week_card.html.j2",
                card=card,
                day=day,
                day_label=day.label,
                **context,
            ),
            "chip": render_template("_week_chip.html.j2", card=card, **context),
            "version": context["versions"][key],
        }
        said.append(announcement(context["names"][key], context["rows"][key], page.zone))
    return {
        "posts": found,
        "summary": render_template("_week_summary.html.j2", **context),
        "announce": " ".join(said),
    }


def announcement(name: str, row: PostRow, zone: ZoneInfo) -> str:
    """'Monday 10:00 X post approved by ana.': what the live region says about a change."""
    if row.state in (PostState.APPROVED, PostState.SCHEDULED) and row.approved_by:
        return f"{name} approved by {row.approved_by}."
    label = post_status(row, zone).label
    return f"{name}: {label}."
