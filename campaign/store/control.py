"""Pause and resume (campaign or account), renewed credentials, and daemon heartbeats."""

from __future__ import annotations

import os
import socket
from datetime import datetime

from sqlalchemy.orm import Session

from campaign.errors import CampaignError
from campaign.store.audit import Actor, name_of, record
from campaign.store.models import AccountRow, CampaignRow, DaemonRow


def pause(
    session: Session,
    campaign: CampaignRow,
    actor: str | Actor,
    reason: str,
    now: datetime,
    account: AccountRow | None = None,
) -> None:
    """Stop publishing at once; the schedule is kept. A reason is required and audited."""
    if not reason.strip():
        raise CampaignError("a pause needs a reason (it goes in the audit log)")
    target: CampaignRow | AccountRow = account or campaign
    target.paused, target.pause_reason = True, reason
    if account is None:
        campaign.paused_by, campaign.paused_at = name_of(actor), now
    record(
        session,
        campaign,
        "paused",
        actor,
        now,
        account=account,
        reason=reason,
        scope=account.key if account else "campaign",
    )


def resume(
    session: Session,
    campaign: CampaignRow,
    actor: str | Actor,
    reason: str,
    now: datetime,
    account: AccountRow | None = None,
) -> None:
    """Publishing continues; posts whose time passed during the pause follow the misfire rule.

    Resuming one account also clears a "needs new credentials" hold: the officer says the
    token has been renewed.
    """
    if account is None:
        campaign.paused, campaign.pause_reason = False, None
        campaign.paused_by, campaign.paused_at = None, None
    else:
        if account.needs_credentials:
            record(session, campaign, "credentials-renewed", actor, now, account=account)
        account.paused, account.pause_reason = False, None
        account.needs_credentials, account.credentials_problem = False, None
    record(
        session,
        campaign,
        "resumed",
        actor,
        now,
        account=account,
        reason=reason,
        scope=account.key if account else "campaign",
    )


def heartbeat(session: Session, daemon_id: str, now: datetime, *, stopping: bool = False) -> None:
    row = session.get(DaemonRow, daemon_id)
    if row is None:
        row = DaemonRow(
            id=daemon_id,
            hostname=socket.gethostname(),
            pid=os.getpid(),
            started_at=now,
            heartbeat_at=now,
        )
        session.add(row)
    row.heartbeat_at = now
    row.stopped_at = now if stopping else None
