"""The approval queue: which posts wait for an approver, in three groups.

- sent back: changes were requested on the post's current revision;
- changed since approved: it was approved once, and its content is no longer what was approved;
- needs approval: every other draft.

What "the approved version" is: the content hash recorded by the post's last "approved" entry
in the audit log (every approval writes one, with the hash it was given for), and the newest of
the post's revisions with that hash gives its parts for the diff. The audit log is kept whole
and never changes, whereas the post's own `approved_hash` is cleared by an edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.store.content_rows import CommentRow, RevisionRow
from campaign.store.models import AuditRow, CampaignRow, PostRow, PostState
from campaign.store.review import comments, current_revision, sent_back, written_by

NEEDS_APPROVAL, CHANGED, SENT_BACK = "needs-approval", "changed", "sent-back"
GROUPS = (NEEDS_APPROVAL, CHANGED, SENT_BACK)


@dataclass
class QueueItem:
    row: PostRow
    group: str
    revision: RevisionRow | None  # the current one
    thread: list[CommentRow] = field(default_factory=list)
    request: CommentRow | None = None  # the request for changes it waits on
    approved_parts: list[str] | None = None  # the approved version's parts, if kept
    approved_by: str | None = None  # who approved the version it changed from
    author: str | None = None  # who wrote the current version in the dashboard (None: files)
    planned_by: str | None = None  # who planned it from the files


def queue(session: Session, campaign: CampaignRow) -> list[QueueItem]:
    """Every draft of the campaign, in time order, each in its group."""
    drafts = list(
        session.scalars(
            select(PostRow)
            .where(PostRow.campaign_id == campaign.id, PostRow.state == PostState.DRAFT)
            .order_by(PostRow.scheduled_at, PostRow.key)
        )
    )
    approvals = _last_approvals(session, campaign)
    items = []
    for row in drafts:
        _ = row.account  # loaded while the session is open
        revision = current_revision(session, row)
        thread = comments(session, row)
        request = sent_back(row, thread)
        item = QueueItem(row, NEEDS_APPROVAL, revision, thread, request)
        item.author = written_by(revision)
        if revision is not None and item.author is None:
            item.planned_by = revision.author
        approved = approvals.get(row.id)
        if request is not None:
            item.group = SENT_BACK
        elif approved is not None and approved.details.get("content_hash") != row.content_hash:
            item.group = CHANGED
            item.approved_by = approved.actor
            item.approved_parts = _parts_of(session, row, str(approved.details["content_hash"]))
        items.append(item)
    return items


def _last_approvals(session: Session, campaign: CampaignRow) -> dict[int, AuditRow]:
    """By post id: the audit entry of its latest approval."""
    query = (
        select(AuditRow)
        .where(AuditRow.campaign_id == campaign.id, AuditRow.action == PostState.APPROVED.value)
        .order_by(AuditRow.id)
    )
    return {row.post_id: row for row in session.scalars(query) if row.post_id is not None}


def _parts_of(session: Session, row: PostRow, content_hash: str) -> list[str] | None:
    """The parts of the newest revision of `row` with this content hash (None: not kept)."""
    revision = session.scalar(
        select(RevisionRow)
        .where(RevisionRow.post_id == row.id, RevisionRow.content_hash == content_hash)
        .order_by(RevisionRow.number.desc())
        .limit(1)
    )
    return [str(part) for part in revision.parts] if revision is not None else None
