"""Pause and resume (campaign or account), renewed credentials, and daemon heartbeats."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from campaign.errors import BadInput
from campaign.store import partial
from campaign.store.accounts import users_of
from campaign.store.audit import Actor, name_of, record
from campaign.store.models import AccountRow, CampaignRow, DaemonRow, DeploymentRow


def pause(
    session: Session,
    campaign: CampaignRow,
    actor: str | Actor,
    reason: str,
    now: datetime,
    account: AccountRow | None = None,
) -> None:
    """Stop publishing at once; the schedule is kept. A reason is required and audited.

    An account is shared: pausing it stops it in every campaign that uses it, and each of
    those campaigns' logs records the pause.
    """
    if not reason.strip():
        raise BadInput("a pause needs a reason (it goes in the audit log)")
    if account is None:
        campaign.paused, campaign.pause_reason = True, reason
        campaign.paused_by, campaign.paused_at = name_of(actor), now
        record(session, campaign, "paused", actor, now, reason=reason, scope="campaign")
        return
    account.paused, account.pause_reason = True, reason
    for user in users_of(session, account) or [campaign]:
        record(
            session, user, "paused", actor, now, account=account, reason=reason, scope=account.key
        )


def resume(
    session: Session,
    campaign: CampaignRow,
    actor: str | Actor,
    reason: str,
    now: datetime,
    account: AccountRow | None = None,
) -> None:
    """Publishing continues; posts whose time passed during the pause follow the misfire rule,
    but a `partial` thread (some parts public) is finished, even past the grace window.

    Resuming one account (in every campaign that uses it) also clears a "needs new
    credentials" hold: the officer says the token has been renewed.
    """
    if account is None:
        campaign.paused, campaign.pause_reason = False, None
        campaign.paused_by, campaign.paused_at = None, None
        record(session, campaign, "resumed", actor, now, reason=reason, scope="campaign")
        partial.requeue(session, campaign, actor, now)
        return
    users = users_of(session, account) or [campaign]
    for user in users:
        if account.needs_credentials:
            record(session, user, "credentials-renewed", actor, now, account=account)
        record(
            session, user, "resumed", actor, now, account=account, reason=reason, scope=account.key
        )
        partial.requeue(session, user, actor, now, account)
    account.paused, account.pause_reason = False, None
    account.needs_credentials, account.credentials_problem = False, None


def pause_everything(session: Session, actor: str | Actor, reason: str, now: datetime) -> None:
    """The incident switch: every campaign on every account stops at once, audited in each."""
    if not reason.strip():
        raise BadInput("a pause needs a reason (it goes in the audit log)")
    switch = session.get(DeploymentRow, 1, with_for_update=True)
    if switch is None:
        switch = DeploymentRow(id=1)
        session.add(switch)
    switch.paused, switch.pause_reason = True, reason
    switch.paused_by, switch.paused_at = name_of(actor), now
    for campaign in session.scalars(select(CampaignRow).order_by(CampaignRow.id)):
        record(session, campaign, "paused", actor, now, reason=reason, scope="everything")


def resume_everything(session: Session, actor: str | Actor, reason: str, now: datetime) -> None:
    """Lift the incident switch; campaign and account pauses of their own stay as they are."""
    switch = session.get(DeploymentRow, 1, with_for_update=True)
    if switch is None or not switch.paused:
        raise BadInput(
            "publishing is not paused for everything, so there is nothing to resume: "
            "`campaign status` shows what is paused"
        )
    switch.paused, switch.pause_reason = False, None
    switch.paused_by, switch.paused_at = None, None
    for campaign in session.scalars(select(CampaignRow).order_by(CampaignRow.id)):
        record(session, campaign, "resumed", actor, now, reason=reason, scope="everything")
        partial.requeue(session, campaign, actor, now)


def everything_paused(session: Session) -> DeploymentRow | None:
    """The incident switch when it is on, else None."""
    switch = session.get(DeploymentRow, 1)
    return switch if switch is not None and switch.paused else None


def heartbeat(session: Session, daemon_id: str, now: datetime, *, stopping: bool = False) -> None:
    """Record that this daemon is alive (or stopping), creating its row on the first beat.

    One upsert statement: the heartbeat job and the first sweep beat at the same moment, and a
    read-then-insert would let both insert (a unique violation on PostgreSQL).
    """
    values: dict[str, Any] = {
        "id": daemon_id,
        "hostname": socket.gethostname(),
        "pid": os.getpid(),
        "started_at": now,
        "heartbeat_at": now,
        "stopped_at": now if stopping else None,
    }
    dialect = session.get_bind().dialect.name
    if dialect not in _UPSERTS:  # any other database: read, then insert or update
        row = session.get(DaemonRow, daemon_id)
        if row is None:
            session.add(DaemonRow(**values))
        else:
            row.heartbeat_at, row.stopped_at = now, values["stopped_at"]
        return
    statement = _UPSERTS[dialect](DaemonRow).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[DaemonRow.id],
            set_={"heartbeat_at": now, "stopped_at": values["stopped_at"]},
        )
    )
    held = session.identity_map.get(identity_key(DaemonRow, daemon_id))
    if held is not None:  # the upsert bypassed the session: reload the row when next read
        session.expire(held)


_UPSERTS: dict[str, Callable[[type[DaemonRow]], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}
