"""The approval queue: approve a post, or send it back with a comment; comment threads; and
"Approve all", which first lists exactly what it will approve and what it leaves.

An approval from this page is bound to the content hash the page showed, as on the week page,
so a post changed in between is refused. The two-person rule is the store's: a post whose latest
version the approver wrote is refused alone and skipped in "Approve all".
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from campaign.config import CampaignConfig
from campaign.errors import BadInput, CampaignError, ContentChanged, TimePassed
from campaign.planning import CheckedPlan, check_sources
from campaign.present.late import late_heading
from campaign.store.approvals import PairIncomplete, late_posts
from campaign.store.audit import Actor
from campaign.store.review import MAX_COMMENT, OwnWork
from campaign.store.review_queue import CHANGED, NEEDS_APPROVAL, SENT_BACK
from campaign.web.auth import current_user, requires
from campaign.web.cards import pair_refused
from campaign.web.current import CampaignPage, current, route
from campaign.web.queue_view import EMPTY, HEADINGS, QueueView, late_notes, queue_view
from campaign.web.status import publishing
from campaign.web.week import shown_posts

bp = Blueprint("review", __name__)
GROUPS = (NEEDS_APPROVAL, CHANGED, SENT_BACK)


def _view(page: CampaignPage) -> QueueView:
    user = current_user()
    assert user is not None
    store = page.store
    config, checked = _checked(page)
    return queue_view(
        store.review.queue(page.slug),
        page.zone,
        user.username,
        store.review.self_approval(page.slug),
        config,
        lambda file: url_for("week.media", file=file),
        store.clock.now(),
        checked,
    )


def _checked(page: CampaignPage) -> tuple[CampaignConfig | None, CheckedPlan | None]:
    """The stored campaign's config and checks, so each card shows what an approver must
    know (a helpline closed at the post's time...); else the files' config without checks
    (a campaign planned before sources were stored); (None, None): the text is shown plainly."""
    try:
        content = page.store.content(page.slug)
        checked = check_sources(content.config, content.sources.values(), content.library)
        return content.config, checked
    except CampaignError:
        return page.config, None


def _config(page: CampaignPage) -> CampaignConfig | None:
    return _checked(page)[0]


@route(bp, "/review")
@requires("view")
def queue() -> str:
    page = current()
    view = _view(page)
    late = late_posts(
        {post.key: post.due for post in view.posts}, page.store.clock.now(), publishing(page).grace
    )
    return render_template(
        "review.html.j2",
        queue=view,
        groups=GROUPS,
        headings=HEADINGS,
        empty=EMPTY,
        late=late_notes(late, page.zone),
        max_comment=MAX_COMMENT,
        min_reading_ease=_reading_ease(page),
    )


@route(bp, "/review/approve-all")
@requires("approve")
def approve_all() -> str:
    """What "Approve all" will approve (each post, its time, who wrote it) and what it leaves."""
    page = current()
    view = _view(page)
    late = late_posts(
        {post.key: post.due for post in view.approvable},
        page.store.clock.now(),
        publishing(page).grace,
    )
    return render_template(
        "review_confirm.html.j2",
        queue=view,
        late=late_notes(late, page.zone),
        late_heading=late_heading(len(late), len(view.approvable)) if late else "",
        grace=f"{publishing(page).grace_minutes:g}",
    )


@route(bp, "/review/approve", ["POST"])
@requires("approve")
def approve() -> Any:
    """Approve exactly the posts the form names, each bound to the hash the page showed."""
    page = current()
    shown = shown_posts()
    user = current_user()
    assert user is not None
    try:
        result = page.store.approve(
            page.slug,
            Actor.web(user.username),
            keys=tuple(shown),
            expected=shown,
            allow_past=request.form.get("late") == "accept",
        )
    except ContentChanged:
        flash(
            "Nothing was approved: the posts changed since this page was loaded. Read them "
            "again below, then approve.",
            "error",
        )
        return redirect(url_for("review.queue"))
    except OwnWork:
        flash(
            "Nothing was approved: you wrote the latest version of this post, so another "
            "person must approve it.",
            "error",
        )
        return redirect(url_for("review.queue"))
    except TimePassed as exc:
        return _confirm_late(page, shown, exc)
    except PairIncomplete as exc:  # one post of a pair named without the other
        flash(pair_refused(exc), "error")
        return redirect(url_for("review.queue"))
    except BadInput as exc:
        flash(f"{exc.for_page()[:1].upper()}{exc.for_page()[1:]}.", "error")
        return redirect(url_for("review.queue"))
    if result.changed:
        count = len(result.changed)
        flash(
            f"Approved {count} post{'s' if count != 1 else ''}: {', '.join(result.changed)}.", "ok"
        )
    for key, why in result.skipped.items():
        flash(f"Not approved ({why}): {key}.", "warn")
    return redirect(url_for("review.queue"))


@route(bp, "/review/comment", ["POST"])
@requires("view")
def comment() -> BaseResponse:
    page = current()
    key, body = _key(), request.form.get("body", "")
    user = current_user()
    assert user is not None
    try:
        page.store.review.comment(page.slug, key, Actor.web(user.username), body)
    except BadInput as exc:
        flash(f"The comment was not added: {exc.for_page()}.", "error")
        return redirect(url_for("review.queue") + f"#review-{key}")
    flash(f"Your comment on {key} was added.", "ok")
    return redirect(url_for("review.queue") + f"#review-{key}")


@route(bp, "/review/request-changes", ["POST"])
@requires("approve")
def request_changes() -> BaseResponse:
    page = current()
    key, body = _key(), request.form.get("body", "")
    user = current_user()
    assert user is not None
    try:
        page.store.review.request_changes(
            page.slug,
            key,
            Actor.web(user.username),
            body,
            shown_hash=request.form.get("shown", ""),
        )
    except BadInput as exc:
        flash(f"Nothing changed: {exc.for_page()}.", "error")
        return redirect(url_for("review.queue") + f"#review-{key}")
    flash(f"{key} was sent back for changes, with your comment.", "ok")
    return redirect(url_for("review.queue") + f"#review-{key}")


def _confirm_late(page: CampaignPage, shown: dict[str, str], refused: TimePassed) -> str:
    """The week page's question before approving late posts, answered back to this page."""
    settings = publishing(page)
    late = late_posts(refused.times, page.store.clock.now(), settings.grace)
    return render_template(
        "approve_late.html.j2",
        heading=late_heading(len(late), len(shown)),
        late=[(post, post.describe(page.zone)) for post in late],
        grace=f"{settings.grace_minutes:g}",
        every=shown,
        on_time={key: value for key, value in shown.items() if key not in refused.times},
        scope="",
        key="",
        day="",
        action=url_for("review.approve"),
        back=url_for("review.queue"),
    )


def _reading_ease(page: CampaignPage) -> float:
    config = _config(page)
    return config.checks.min_reading_ease if config is not None else 0.0


def _key() -> str:
    key = request.form.get("key", "")
    if not key:
        abort(400, description="No post was named.")
    return key
