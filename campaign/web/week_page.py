"""Everything the week page shows, built once for the page and for the cards live.js asks for
again: the cards (as stored), the filters, today, the names controls use, and each post's
version (what tells live.js a card changed)."""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from campaign.config import CampaignConfig
from campaign.errors import CampaignError, NoPlanStored
from campaign.planning import CheckedPlan, check_plan, check_sources
from campaign.store.audit import MAX_REASON
from campaign.web.auth import current_user
from campaign.web.cards import week_view
from campaign.web.current import CampaignPage
from campaign.web.status import card_version, unit_versions
from campaign.web.week_files import FilesState, files_state
from campaign.web.week_filters import (
    apply_filter,
    channel_choices,
    latest_revisions,
    movable,
    parse_filter,
    post_names,
    state_choices,
)


def week_context(page: CampaignPage, config: CampaignConfig) -> dict[str, Any]:
    """The week page's template context, for the signed-in user and this address's filters."""
    store = page.store
    rows = store.posts(page.slug)
    checked, problem, files = checked_week(page, config)
    now = store.clock.now()
    channels = channel_choices(config, rows)
    chosen = parse_filter(request.args, [choice.value for choice in channels])
    view = week_view(
        config,
        rows,
        checked,
        store.audit_log(page.slug),
        lambda file: url_for("week.media", file=file),
        template_error=problem,
        now=now,
        files=files,
    )
    user = current_user()
    assert user is not None
    latest = latest_revisions(store, page.row)
    self_approval = store.review.self_approval(page.slug)
    return {
        "week": view,
        "rows": {row.key: row for row in rows},
        "days": apply_filter(view.days, chosen, user.username, latest, self_approval),
        # The posts this user may not approve: they wrote the latest version (two-person rule).
        "own_work": set()
        if self_approval
        else {key for key, revision in latest.items() if revision.written_by(user.username)},
        "latest": latest,
        "movable": movable,
        "names": post_names(view.days, page.zone),
        "versions": {row.key: card_version(row) for row in rows} | unit_versions(rows),
        "today": now.astimezone(page.zone).date(),
        "chosen": chosen,
        "channels": channels,
        "states": state_choices(),
        "config": config,
        "max_reason": MAX_REASON,
    }


def checked_week(
    page: CampaignPage, config: CampaignConfig
) -> tuple[CheckedPlan | None, str | None, FilesState | None]:
    """The stored campaign checked (what will be sent, dashboard edits included), and what
    the files would change; a campaign planned before revisions: the files checked."""
    try:
        content = page.store.content(page.slug)
    except NoPlanStored:
        content = None
    try:
        if content is None:
            return check_plan(config), None, None
        checked = check_sources(content.config, content.sources.values(), content.library)
    except CampaignError as exc:  # a broken template must not hide the stored week
        return None, str(exc), None
    try:
        return checked, None, files_state(config, content)
    except CampaignError as exc:  # the files are broken: the stored week is still shown
        return checked, str(exc), None
