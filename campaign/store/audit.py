"""Appending to the audit log: who did what to which post or account, when and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from campaign.store.models import AccountRow, AuditRow, CampaignRow, PostRow


def record(
    session: Session,
    campaign: CampaignRow,
    action: str,
    actor: str,
    now: datetime,
    *,
    post: PostRow | None = None,
    account: AccountRow | None = None,
    **details: Any,
) -> AuditRow:
    row = AuditRow(
        at=now,
        actor=actor,
        action=action,
        campaign_id=campaign.id,
        post_id=post.id if post is not None else None,
        account_id=account.id if account is not None else (post.account_id if post else None),
        details={"post": post.key, **details} if post is not None else details,
    )
    session.add(row)
    return row
