"""The composer: write or change a post in the browser, see it as it will be sent, save it.

The page works as a plain form (saving, adding and moving parts, uploading a picture all post
the form); `static/composer.js` adds the live preview, counters and findings from
`/api/post/check` as the officer types. Every save goes through the store (`edit_post`,
`create_post`), which checks the whole campaign with the change, refuses a save based on a
revision someone else has replaced since, and clears the post's approval.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from campaign.content.drafts import Draft, DraftImage, copy_to, from_source
from campaign.content.images import MAX_UPLOAD_BYTES, ImageRefused, check_upload
from campaign.content.live import check_fields
from campaign.errors import BadInput, CheckFailed, PostNotFound, RevisionConflict
from campaign.store.audit import MAX_REASON, Actor
from campaign.store.content import StoredCampaign
from campaign.web.auth import current_user, requires
from campaign.web.composer_form import (
    FormError,
    apply_part_action,
    draft_from_form,
    draft_from_json,
)
from campaign.web.composer_view import composer_page, live_json, media_lookup, post_name
from campaign.web.current import CampaignPage, current, route

bp = Blueprint("composer", __name__)
UPLOAD_ROOM = 256 * 1024  # the form's other fields beside the largest picture


@bp.url_value_preprocessor
def _room_for_pictures(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """The app refuses bodies over 64 KB; a composer form may carry one picture. Set here,
    before any `before_request` (the CSRF check reads the form first)."""
    if endpoint in ("composer.edit", "composer.new"):
        request.max_content_length = MAX_UPLOAD_BYTES + UPLOAD_ROOM


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    return render_template(
        "error.html.j2",
        title="The picture is too large",
        message=f"Nothing was saved: the form with its picture is over "
        f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB, more than any platform takes. Go back, choose "
        "a smaller picture (compress or resize it), and save again.",
        code=413,
    ), 413


def _actor() -> Actor:
    user = current_user()
    assert user is not None
    return Actor.web(user.username)


@route(bp, "/post/<key>/edit", ["GET", "POST"])
@requires("plan")
def edit(key: str) -> Any:
    page = current()
    content = page.store.content(page.slug)
    if key not in content.sources:
        abort(
            404,
            description="There is no post with this name in the campaign (it may have "
            "been cancelled). Go back to the week to find it.",
        )
    base = _current_revision(content, key)
    if request.method == "GET":
        return composer_page(content, from_source(content.sources[key]), base_revision=base)
    return _posted(content, key, _base_from_form(base))


@route(bp, "/post/new", ["GET", "POST"])
@requires("plan")
def new() -> Any:
    page = current()
    content = page.store.content(page.slug)
    if request.method == "POST":
        return _posted(content, None, None)
    channel = request.args.get("channel") or next(iter(content.config.accounts))
    if channel not in content.config.accounts:
        abort(
            404,
            description="This campaign has no account of that name to post from. Go back to "
            "the week and choose Write a post again.",
        )
    copied = request.args.get("copy")
    if copied:
        if copied not in content.sources:
            abort(404, description="The post to copy is not in the campaign any more.")
        draft = copy_to(content.sources[copied], content, channel)
    else:
        day = request.args.get("date") or content.config.campaign.start.isoformat()
        draft = Draft(key=None, channel=channel, date=day, time=request.args.get("time", ""))
    return composer_page(content, draft, base_revision=None, copied_from=copied)


def _posted(content: StoredCampaign, key: str | None, base: int | None) -> Any:
    """A form post: a part button, a picture, or saving."""
    page = current()
    draft = draft_from_form(request.form, key)
    action = request.form.get("action", "save")
    upload_error = ""
    upload = request.files.get("upload")
    if upload is not None and upload.filename:
        try:
            data = upload.read()
        finally:  # a large picture is spooled to a temporary file: close it now
            upload.close()
        draft, upload_error = _attach(page, draft, data, upload.filename, content)
    parts, focus = apply_part_action(draft.parts, action)
    if action != "save":
        draft = replace(draft, parts=parts)
        return composer_page(
            content,
            draft,
            base_revision=base,
            focus_part=focus,
            upload_error=upload_error,
            checked=False,
        )
    live = check_fields(content, draft, media_lookup(page.store))
    if upload_error or not live.ok or live.source is None:
        return composer_page(
            content,
            draft,
            base_revision=base,
            live=live,
            upload_error=upload_error,
            show_errors=True,
        ), 400
    source = live.source
    try:
        if key is None:
            result = page.store.create_post(page.slug, source, _actor())
        else:
            assert base is not None
            result = page.store.edit_post(page.slug, key, source, _actor(), base_revision=base)
    except CheckFailed as exc:
        return composer_page(
            content,
            draft,
            base_revision=base,
            live=live,
            whole_plan=list(exc.findings),
            show_errors=True,
        ), 400
    except RevisionConflict as exc:  # someone else saved first
        return composer_page(content, draft, base_revision=base, live=live, conflict=str(exc)), 409
    except PostNotFound:
        raise
    except BadInput as exc:  # the post went out (or was cancelled) meanwhile, a key taken
        return composer_page(content, draft, base_revision=base, live=live, refused=str(exc)), 409
    warnings = [f for f in result.report.warnings if f.key in (None, source.key)]
    flash(
        f"Saved {post_name(content, source)} (revision {result.revision}). "
        + (
            "It is a new draft: it needs approval before it goes out."
            if key is None
            else "Any approval it had is cleared: it needs approval again before it goes out."
        )
        + (f" {len(warnings)} warning{'s' * (len(warnings) != 1)} to look at." if warnings else ""),
        "ok",
    )
    return redirect(url_for("composer.edit", key=source.key))


def _attach(
    page: CampaignPage, draft: Draft, data: bytes, name: str, content: StoredCampaign
) -> tuple[Draft, str]:
    """Store an uploaded picture (checked by its bytes) and attach it, with its alt text."""
    account = content.config.accounts.get(draft.channel)
    platform = account.platform if account is not None else "x"
    try:
        checked = check_upload(data, name, platform)
    except ImageRefused as exc:
        return draft, f"The picture was not added: {exc}"
    ref = page.store.add_media(data, checked.name)
    image = DraftImage(ref.file, request.form.get("upload_alt", ""), ref.sha256 or "")
    return replace(draft, images=(*draft.images, image)), ""


def _current_revision(content: StoredCampaign, key: str) -> int:
    revision = content.revisions.get(key)
    return revision.number if revision is not None else 0


def _base_from_form(current_number: int) -> int:
    """The revision the officer's page was made from (the form says); a form without it is
    taken as made from the current revision."""
    value = request.form.get("base_revision", "")
    return int(value) if value.isdigit() else current_number


@route(bp, "/api/post/check", ["POST"])
@requires("plan")
def check() -> Any:
    """The live check: the draft in the JSON body, rendered and checked; CSRF in a header."""
    page = current()
    try:
        draft = draft_from_json(request.get_json(silent=True))
    except FormError as exc:
        return {"error": str(exc)}, 400
    content = page.store.content(page.slug)
    if draft.key is not None and draft.key not in content.sources:
        draft = replace(draft, key=None)
    return live_json(content, check_fields(content, draft, media_lookup(page.store)))


@route(bp, "/post/<key>/cancel", ["GET", "POST"])
@requires("plan")
def cancel(key: str) -> Any:
    page = current()
    content = page.store.content(page.slug)
    if key not in content.sources:
        abort(404, description="There is no such post to cancel (it may be cancelled already).")
    name = post_name(content, content.sources[key])
    if request.method == "GET":
        return render_template(
            "composer_cancel.html.j2", key=key, name=name, error="", max_reason=MAX_REASON
        )
    reason = request.form.get("reason", "").strip()
    if not reason:
        return render_template(
            "composer_cancel.html.j2",
            key=key,
            name=name,
            max_reason=MAX_REASON,
            error="Say why the post is cancelled (it goes in the audit log). Nothing changed.",
        ), 400
    page.store.cancel_post(page.slug, key, _actor(), reason)
    flash(f"Cancelled {name}: it will not be sent. The reason is in the audit log.", "ok")
    return redirect(url_for("week.week"))


@route(bp, "/post/media/<sha256>")
@requires("view")
def media(sha256: str) -> BaseResponse:
    """A stored picture (uploaded or planned from files), by its content hash."""
    row = current().store.media(sha256)
    if row is None:
        abort(404)
    response = Response(row.data, mimetype=row.mime)
    response.cache_control.private = True
    response.cache_control.max_age = 3600  # the address is the content's hash: it never changes
    return response


def stored_picture(page: CampaignPage, file: str) -> Response:
    """A picture of a post by its name, from the database (where uploads live): the bytes of
    the SHA-256 the post's current revision names."""
    sources = page.store.content(page.slug).sources.values()
    sha256 = next((i.sha256 for s in sources for i in s.images if i.file == file), None)
    row = page.store.media(sha256) if sha256 else None
    if row is None:
        abort(404)
    response = Response(row.data, mimetype=row.mime)
    response.cache_control.private = True
    response.cache_control.max_age = 300
    return response
