"""Review: the two-person rule, comments and "request changes" on a post.

Two people see every post: whoever made a post's latest revision cannot approve it, unless the
campaign's stored `[review] self_approval` says this is a one-person office. Names are compared
as recorded (the revision's author, the approver's user name). The author that counts is the
one who wrote the words: a revision saved in the dashboard. A revision from the files records
who ran `campaign plan`, who imported the text but did not necessarily write it (the files'
history says who did), so it names no author here, and the command-line flow of planning then
approving the week stays as it was. A post without a revision has no author either.

A comment belongs to the revision it was written on. "Request changes" is a comment of the kind
"changes-requested" that also withdraws the post's approval; the post stays "sent back" until a
new revision is made (the comment is then on an older revision).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.config import Review
from campaign.content.source import ORIGIN_FILES
from campaign.errors import BadInput, StoreError
from campaign.fingerprints import FINGERPRINT
from campaign.store.audit import MAX_REASON, Actor, record
from campaign.store.content_rows import CommentRow, RevisionRow
from campaign.store.models import CampaignRow, PostRow, PostState
from campaign.store.transitions import transition

OWN_WORK = "you wrote the latest version; another person must approve it"
COMMENT, CHANGES_REQUESTED = "comment", "changes-requested"
MAX_COMMENT = 4_000
REVIEWABLE = (PostState.DRAFT, PostState.APPROVED, PostState.SCHEDULED)  # not yet on its way


class OwnWork(BadInput):
    """The approver made the latest version of the posts named: another person must approve."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        super().__init__(
            f"nothing was approved: you wrote the latest version of {', '.join(keys)}, so "
            f"another person must approve {'it' if len(keys) == 1 else 'them'}: two people see "
            "every post"
        )


def review_settings(campaign: CampaignRow) -> Review:
    """The campaign's review settings as planned (the defaults for a campaign planned before
    they were stored)."""
    stored = (campaign.settings or {}).get("review") or {}
    try:
        return Review.model_validate(stored)
    except ValidationError:
        raise StoreError(
            f"the stored review settings of campaign {campaign.slug!r} cannot be read: run "
            "`campaign plan` with its config again"
        ) from None


def current_revision(session: Session, row: PostRow) -> RevisionRow | None:
    return session.get(RevisionRow, row.revision_id) if row.revision_id is not None else None


def latest_author(session: Session, row: PostRow) -> str | None:
    """Who wrote the post's current version in the dashboard (None: it came from the files,
    or the post has no revision)."""
    return written_by(current_revision(session, row))


def written_by(revision: RevisionRow | None) -> str | None:
    """The author the two-person rule counts: of a revision saved in the dashboard."""
    if revision is None or revision.origin == ORIGIN_FILES:
        return None
    return revision.author


def own_work(session: Session, rows: list[PostRow], name: str) -> list[PostRow]:
    """The posts among `rows` whose latest revision `name` made."""
    return [row for row in rows if latest_author(session, row) == name]


def add_comment(
    session: Session,
    campaign: CampaignRow,
    row: PostRow,
    actor: Actor,
    now: datetime,
    body: str,
    *,
    kind: str = COMMENT,
) -> CommentRow:
    """A comment on the post's current revision, audited ("commented")."""
    text = comment_text(body)
    comment = CommentRow(
        campaign_id=campaign.id,
        post_id=row.id,
        revision_id=row.revision_id,
        author=actor.name,
        at=now,
        kind=kind,
        body=text,
    )
    session.add(comment)
    session.flush()
    if kind == COMMENT:
        record(session, campaign, "commented", actor, now, post=row, **_said(comment))
    return comment


def request_changes(
    session: Session,
    campaign: CampaignRow,
    row: PostRow,
    actor: Actor,
    now: datetime,
    body: str,
    *,
    shown_hash: str | None = None,
) -> CommentRow:
    """Send the post back with a comment (required): its approval, if any, is withdrawn.

    With `shown_hash` (the content hash of the version the reviewer read), a post saved again
    in between is refused: the request would otherwise land on a version nobody read.
    """
    if shown_hash is not None and not (
        FINGERPRINT.fullmatch(shown_hash) and row.content_hash.startswith(shown_hash)
    ):
        raise BadInput(
            f"nothing was sent back: post {row.key} was changed since you read it. Read the "
            "new version, then ask for changes again if they are still needed"
        )
    if row.state not in REVIEWABLE:
        raise BadInput(
            f"post {row.key} is {row.state}: only a post not yet sent can be sent back for changes"
        )
    comment = add_comment(session, campaign, row, actor, now, body, kind=CHANGES_REQUESTED)
    said = _said(comment)
    if row.state == PostState.DRAFT:
        record(session, campaign, CHANGES_REQUESTED, actor, now, post=row, **said)
        return comment
    row.clear_approval()
    transition(
        session, campaign, row, PostState.DRAFT, actor, now, action=CHANGES_REQUESTED, **said
    )
    return comment


def comments(session: Session, row: PostRow) -> list[CommentRow]:
    """The post's comments, oldest first."""
    query = select(CommentRow).where(CommentRow.post_id == row.id)
    return list(session.scalars(query.order_by(CommentRow.at, CommentRow.id)))


def sent_back(row: PostRow, thread: list[CommentRow]) -> CommentRow | None:
    """The request for changes the post is waiting on: the latest one, if it is on the current
    revision (a new revision answers it)."""
    requests = [comment for comment in thread if comment.kind == CHANGES_REQUESTED]
    if not requests or requests[-1].revision_id != row.revision_id:
        return None
    return requests[-1]


def comment_text(body: str) -> str:
    """The comment, stripped; refused if empty, too long, or holding control characters other
    than line breaks and tabs."""
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise BadInput("the comment is empty: say what should change")
    if len(text) > MAX_COMMENT:
        raise BadInput(
            f"the comment is {len(text):,} characters long; at most {MAX_COMMENT:,} are allowed"
        )
    if any(unicodedata.category(char) == "Cc" and char not in "\n\t" for char in text):
        raise BadInput("the comment contains control characters: write it as plain text")
    return text


def _said(comment: CommentRow) -> dict[str, Any]:
    """What the audit log keeps of a comment: its id and its text on one line, cut short."""
    flat = " ".join(comment.body.split())
    cut = flat if len(flat) <= MAX_REASON else flat[: MAX_REASON - 1] + "…"
    return {"comment_id": comment.id, "comment": cut, "revision_id": comment.revision_id}
