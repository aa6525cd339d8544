"""Everything the week page shows, built once for the page and for the cards live.js asks for
again: the cards (as stored), the filters, today, the names controls use, and each post's
version (what tells live.js a card changed)."""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from campaign.config import CampaignConfig
from campaign.errors import CampaignError
from campaign.planning import check_plan
from campaign.store.audit import MAX_REASON
from campaign.web.auth import current_user
from campaign.web.cards import week_view
from campaign.web.current import CampaignPage
from campaign.web.status import card_version
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
    try:
        checked, problem = check_plan(config), None
    except CampaignError as exc:  # a broken template must not hide the stored week
        checked, problem = None, str(exc)
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
    )
    user = current_user()
    assert user is not None
    latest = latest_revisions(store, page.row)
    return {
        "week": view,
        "rows": {row.key: row for row in rows},
        "days": apply_filter(view.days, chosen, user.username, latest),
        "latest": latest,
        "movable": movable,
        "names": post_names(view.days, page.zone),
        "versions": {row.key: card_version(row) for row in rows},
        "today": now.astimezone(page.zone).date(),
        "chosen": chosen,
        "channels": channels,
        "states": state_choices(),
        "config": config,
        "max_reason": MAX_REASON,
    }
