"""The alerts outbox: raise an alert inside the event's transaction; lease, mark and retry its
deliveries from whichever process is alive.

Raising writes the alert and one delivery per channel that wants it, routed by the alert
settings each campaign stored at its last plan (`campaigns.settings["alerts"]`). Nothing here
sends anything: delivering (campaign/alerts/) reads pending deliveries, leases them with one
conditional UPDATE each (the winner is the process whose UPDATE matched), sends, and marks the
outcome. A process that dies mid-send leaves a lease that runs out, and another process sends
again with the same idempotency key: at least once, never twice at the same time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import CursorResult, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from campaign.config.alerts import TOPICS, Alerts
from campaign.store.alert_rows import AlertDeliveryRow, AlertRow
from campaign.store.models import AccountRow, CampaignRow, PostRow

log = logging.getLogger(__name__)
PENDING, SENT, GIVEN_UP = "pending", "sent", "given-up"


@dataclass(frozen=True)
class AlertEvent:
    """An alert to raise: its idempotency key, topic, one-line title and the facts its
    messages show (plain values, never a secret)."""

    key: str
    topic: str
    title: str
    facts: dict[str, Any] = field(default_factory=dict)
    post: PostRow | None = None
    account: AccountRow | None = None

    @property
    def severity(self) -> str:
        return TOPICS[self.topic]


def alert_settings(campaign: CampaignRow) -> Alerts:
    """The campaign's alert settings as planned (none for a campaign planned before alerts
    existed, or whose stored settings no longer read: an alert is never lost to a bad row,
    it just has no channel until the campaign is planned again)."""
    stored = (campaign.settings or {}).get("alerts") or {}
    try:
        return Alerts.model_validate(stored)
    except ValidationError as exc:
        log.error(
            "campaign %s: its stored alert settings cannot be read (%d problem(s)), so its "
            "alerts go to no channel: run `campaign plan` with its config again",
            campaign.slug,
            exc.error_count(),
        )
        return Alerts()


def raise_alert(
    session: Session, campaigns: Iterable[CampaignRow], event: AlertEvent, now: datetime
) -> AlertRow | None:
    """Write `event` and its deliveries in the caller's transaction; None if it was raised
    before (same key). `campaigns` are those the event concerns (an account's event concerns
    every campaign that uses it; the first is the alert's own): each routes it by its own
    channels, and a channel named alike in several (an organisation's) gets it once."""
    found = session.scalar(select(AlertRow).where(AlertRow.key == event.key))
    if found is not None or any(
        isinstance(row, AlertRow) and row.key == event.key for row in session.new
    ):
        return None
    involved = list(campaigns)
    alert = _insert_once(
        session,
        key=event.key,
        topic=event.topic,
        severity=event.severity,
        campaign_id=involved[0].id if involved else None,
        post_id=event.post.id if event.post is not None else None,
        account_id=event.account.id if event.account is not None else None,
        created_at=now,
        title=event.title,
        facts=event.facts,
    )
    if alert is None:
        return None
    routed: dict[str, dict[str, Any]] = {}
    for campaign in involved:
        for name, channel in alert_settings(campaign).channels.items():
            if name not in routed and channel.wants(event.topic, campaign.slug):
                routed[name] = channel.model_dump(mode="json")
    for name, definition in sorted(routed.items()):
        session.add(
            AlertDeliveryRow(
                alert=alert,
                key=f"{event.key}/{name}",
                channel_name=name,
                channel=definition,
                state=PENDING,
                attempts=0,
                next_attempt_at=now,
            )
        )
    return alert


def _insert_once(session: Session, **values: Any) -> AlertRow | None:
    """Insert the alert unless its key is there, committed or being committed by another
    transaction (PostgreSQL waits for that one, then skips): two processes raising the same
    event never fail the event's own transaction on the unique key. None: raised already."""
    dialect = session.get_bind().dialect.name
    if dialect not in _INSERTS:  # any other database: the ORM insert (a race fails loudly)
        alert = AlertRow(**values)
        session.add(alert)
        return alert
    table = AlertRow.__table__
    inserted = session.execute(
        _INSERTS[dialect](table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[table.c.key])
        .returning(table.c.id)
    ).scalar()
    return None if inserted is None else session.get(AlertRow, inserted)


_INSERTS: dict[str, Callable[[Any], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


def lease_due(
    session: Session,
    owner: str,
    now: datetime,
    lease: timedelta,
    limit: int = 50,
    *,
    only: Collection[int] | None = None,
) -> list[AlertDeliveryRow]:
    """Take the deliveries due now that no live process holds, oldest first; each is ours
    until `now + lease` (one conditional UPDATE per delivery decides between processes).
    `only`: among these delivery ids alone."""
    free = or_(AlertDeliveryRow.lease_until.is_(None), AlertDeliveryRow.lease_until <= now)
    due = and_(AlertDeliveryRow.state == PENDING, AlertDeliveryRow.next_attempt_at <= now, free)
    if only is not None:
        due = and_(due, AlertDeliveryRow.id.in_(list(only)))
    # More candidates than wanted: another process may take some between our SELECT and our
    # UPDATE (PostgreSQL), and losing those races must not read as "nothing is due".
    candidates = list(
        session.scalars(
            select(AlertDeliveryRow.id)
            .where(due)
            .order_by(AlertDeliveryRow.next_attempt_at, AlertDeliveryRow.id)
            .limit(limit * 4 + 8)
        )
    )
    taken: list[int] = []
    for delivery_id in candidates:
        if len(taken) >= limit:
            break
        result = session.execute(
            update(AlertDeliveryRow)
            .where(AlertDeliveryRow.id == delivery_id, due)
            .values(lease_by=owner, lease_until=now + lease)
            .execution_options(synchronize_session=False)
        )
        if cast("CursorResult[Any]", result).rowcount == 1:
            taken.append(delivery_id)
    if not taken:
        return []
    return list(
        session.scalars(
            select(AlertDeliveryRow)
            .where(AlertDeliveryRow.id.in_(taken))
            .order_by(AlertDeliveryRow.next_attempt_at, AlertDeliveryRow.id)
            .execution_options(populate_existing=True)
        )
    )


def _leased(session: Session, delivery_id: int, owner: str) -> AlertDeliveryRow | None:
    return session.scalar(
        select(AlertDeliveryRow).where(
            AlertDeliveryRow.id == delivery_id,
            AlertDeliveryRow.lease_by == owner,
            AlertDeliveryRow.state == PENDING,
        )
    )


def mark_sent(
    session: Session, delivery_id: int, owner: str, now: datetime
) -> AlertDeliveryRow | None:
    """Record a delivery the channel accepted; None if this process no longer holds it."""
    row = _leased(session, delivery_id, owner)
    if row is None:
        return None
    row.state, row.sent_at, row.last_attempt_at = SENT, now, now
    row.attempts += 1
    row.lease_by, row.lease_until, row.last_error = None, None, None
    return row


def mark_failed(
    session: Session,
    delivery_id: int,
    owner: str,
    now: datetime,
    *,
    error: str,
    retry_at: datetime | None,
) -> AlertDeliveryRow | None:
    """Record a failed attempt: tried again at `retry_at`, or given up when that is None."""
    row = _leased(session, delivery_id, owner)
    if row is None:
        return None
    row.attempts += 1
    row.last_error, row.last_attempt_at = error, now
    row.lease_by, row.lease_until = None, None
    if retry_at is None:
        row.state = GIVEN_UP
    else:
        row.next_attempt_at = retry_at
    return row
