"""Sign-off: an approval records who approved exactly which content (its hash), and when."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from campaign.store.audit import record
from campaign.store.models import CampaignRow, PostRow, PostState


@dataclass
class ApprovalResult:
    changed: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # key -> why not


def approve(
    session: Session, campaign: CampaignRow, rows: list[PostRow], actor: str, now: datetime
) -> ApprovalResult:
    result = ApprovalResult()
    for row in rows:
        if row.state == PostState.APPROVED and row.approval_current:
            result.skipped[row.key] = "already approved"
        elif row.state != PostState.DRAFT:
            result.skipped[row.key] = f"is {row.state}; only drafts can be approved"
        else:
            row.state = PostState.APPROVED
            row.approved_hash, row.approved_by, row.approved_at = row.content_hash, actor, now
            row.updated_at = now
            record(
                session, campaign, "approved", actor, now, post=row, content_hash=row.content_hash
            )
            result.changed.append(row.key)
    return result


def withdraw(
    session: Session,
    campaign: CampaignRow,
    rows: list[PostRow],
    actor: str,
    now: datetime,
    reason: str,
) -> ApprovalResult:
    result = ApprovalResult()
    for row in rows:
        if row.state not in (PostState.APPROVED, PostState.SCHEDULED):
            result.skipped[row.key] = f"is {row.state}; nothing to withdraw"
            continue
        previous = row.state
        row.state = PostState.DRAFT
        row.approved_hash = row.approved_by = None
        row.approved_at = None
        row.updated_at = now
        record(
            session,
            campaign,
            "approval-withdrawn",
            actor,
            now,
            post=row,
            previous_state=previous,
            reason=reason,
        )
        result.changed.append(row.key)
    return result
