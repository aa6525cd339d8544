"""Delivering the outbox: lease one due delivery, send it outside any transaction, record the
outcome in a short one; repeat up to `limit`.

One delivery is leased at a time, so a lease only has to outlast one send (every network step
has `TIMEOUT`), never a whole batch: a process that hangs or dies lets another take over soon.
A failure is retried after 30 s, then 1, 2, 4, 8 and every 10 minutes, so a channel that comes
back gets its alerts within minutes; after 48 hours it is given up (audited
"alert-given-up"). Every alert sent is audited "alert-sent"; the first failure of a delivery
is audited "alert-failed" (later ones only update the delivery, not the log).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from campaign.alerts.messages import AlertContent
from campaign.alerts.transports import Transports
from campaign.clock import Clock
from campaign.config.alerts import AlertChannel
from campaign.errors import AlertNotSent
from campaign.store import audit
from campaign.store.alert_rows import AlertDeliveryRow
from campaign.store.models import CampaignRow
from campaign.store.outbox import alert_settings, lease_due, mark_failed, mark_sent

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from campaign.store import Store

log = logging.getLogger(__name__)

ACTOR = "alerts"
LEASE = timedelta(minutes=5)  # one send: a few network steps of at most 10 s each
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=10)
GIVE_UP_AFTER = timedelta(hours=48)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s doubling, at most 10 minutes."""
    wait: timedelta = FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 10)
    return min(wait, LONGEST_WAIT)


@dataclass(frozen=True)
class DeliveryOutcome:
    """What happened to one delivery in this run."""

    key: str  # the delivery's key: "<alert key>/<channel name>"
    alert_key: str
    topic: str
    channel: str
    sent: bool
    attempts: int
    error: str | None = None
    given_up: bool = False
    next_attempt_at: datetime | None = None


@dataclass
class DeliveryReport:
    """Every delivery this run tried, in order."""

    outcomes: list[DeliveryOutcome] = field(default_factory=list)

    @property
    def sent(self) -> list[DeliveryOutcome]:
        return [o for o in self.outcomes if o.sent]

    @property
    def failed(self) -> list[DeliveryOutcome]:
        return [o for o in self.outcomes if not o.sent]

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict[str, object]:
        return {
            "sent": len(self.sent),
            "failed": len(self.failed),
            "deliveries": [
                {
                    "key": o.key,
                    "alert": o.alert_key,
                    "topic": o.topic,
                    "channel": o.channel,
                    "sent": o.sent,
                    "attempts": o.attempts,
                    "error": o.error,
                    "given_up": o.given_up,
                    "next_attempt_at": o.next_attempt_at.isoformat() if o.next_attempt_at else None,
                }
                for o in self.outcomes
            ],
        }


@dataclass(frozen=True)
class _Leased:
    """A leased delivery, detached from its session: all that sending needs."""

    id: int
    key: str
    channel_name: str
    channel: dict[str, object]
    attempts: int
    content: AlertContent


def deliver_due(
    store: Store,
    clock: Clock,
    owner: str,
    environ: Mapping[str, str],
    *,
    limit: int = 50,
    transports: Transports | None = None,
    only: set[int] | None = None,
    retry: bool = True,
) -> DeliveryReport:
    """Send up to `limit` deliveries that are due, as `owner` (a process's own name).

    Never raises for a channel's failure: each is recorded on its delivery and in the report.
    `only` restricts the run to those delivery ids, and `retry=False` gives up a failed one at
    once (`campaign alerts test`: a test that failed is not sent hours later).
    """
    transports = transports or Transports()
    report = DeliveryReport()
    tried: set[int] = set()
    while len(report.outcomes) < limit:
        leased = _lease_one(store, clock, owner, tried, only)
        if leased is None:
            break
        tried.add(leased.id)
        outcome = _deliver(store, clock, owner, environ, transports, leased, retry)
        report.outcomes.append(outcome)
    return report


def _lease_one(
    store: Store, clock: Clock, owner: str, tried: set[int], only: set[int] | None
) -> _Leased | None:
    """The next due delivery, leased to `owner`, or None. One this run tried already is not
    due again (sent, or its next attempt is later), unless the clock stood still: then stop."""
    with store.transaction() as session:
        rows = lease_due(session, owner, clock.now(), LEASE, limit=1, only=only)
        if not rows:
            return None
        if rows[0].id in tried:
            _release(rows[0])
            return None
        return _detach(session, rows[0])


def _release(row: AlertDeliveryRow) -> None:
    row.lease_by, row.lease_until = None, None


def _detach(session: Session, row: AlertDeliveryRow) -> _Leased:
    alert = row.alert
    campaign = session.get(CampaignRow, alert.campaign_id) if alert.campaign_id else None
    settings = alert_settings(campaign) if campaign is not None else None
    content = AlertContent(
        key=alert.key,
        topic=alert.topic,
        severity=alert.severity,
        title=alert.title,
        facts=dict(alert.facts or {}),
        created_at=alert.created_at,
        campaign_name=campaign.name if campaign else None,
        campaign_slug=campaign.slug if campaign else None,
        timezone=campaign.timezone if campaign else "UTC",
        dashboard_url=settings.dashboard_url if settings else None,
    )
    return _Leased(row.id, row.key, row.channel_name, dict(row.channel), row.attempts, content)


def _deliver(
    store: Store,
    clock: Clock,
    owner: str,
    environ: Mapping[str, str],
    transports: Transports,
    leased: _Leased,
    retry: bool,
) -> DeliveryOutcome:
    error: AlertNotSent | None = None
    try:
        channel = AlertChannel.model_validate(leased.channel)
    except ValidationError:
        error = AlertNotSent(
            f"the channel {leased.channel_name} as stored with the alert is no longer valid: "
            "fix it in [alerts] and run `campaign plan`"
        )
    else:
        try:
            transports.send(channel, leased.content, leased.key, environ)
        except AlertNotSent as exc:
            error = exc
        except Exception as exc:  # noqa: BLE001 - a bug in one send must not stop the others
            # The exception's text may hold an address or a login: log its kind only.
            log.error("sending alert %s failed unexpectedly: %s", leased.key, type(exc).__name__)
            error = AlertNotSent(f"the alert could not be sent ({type(exc).__name__})")
    return _record(store, clock, owner, leased, error, retry)


def _record(
    store: Store,
    clock: Clock,
    owner: str,
    leased: _Leased,
    error: AlertNotSent | None,
    retry: bool,
) -> DeliveryOutcome:
    content = leased.content
    with store.transaction() as session:
        now = clock.now()
        if error is None:
            row = mark_sent(session, leased.id, owner, now)
            given_up, retry_at = False, None
        else:
            retry_at = _retry_at(now, content.created_at, leased.attempts + 1, error)
            retry_at = retry_at if retry else None
            given_up = retry_at is None
            row = mark_failed(session, leased.id, owner, now, error=error.reason, retry_at=retry_at)
        if row is None:  # the lease ran out and another process took it: it reports
            log.warning("alert delivery %s: lease lost before the outcome was recorded", leased.key)
            attempts = leased.attempts + 1
        else:
            attempts = row.attempts
            _audit(session, row, leased, now, error, given_up)
    if error is None:
        log.info("alert %s sent to %s", content.key, leased.channel_name)
    else:
        log.warning(
            "alert %s to %s not sent (attempt %d): %s",
            content.key,
            leased.channel_name,
            attempts,
            error.reason,
        )
    return DeliveryOutcome(
        key=leased.key,
        alert_key=content.key,
        topic=content.topic,
        channel=leased.channel_name,
        sent=error is None,
        attempts=attempts,
        error=error.reason if error else None,
        given_up=given_up,
        next_attempt_at=retry_at,
    )


def _retry_at(
    now: datetime, raised: datetime, attempts: int, error: AlertNotSent
) -> datetime | None:
    """When to try again after the `attempts`-th failure; None once 48 hours have gone."""
    wait = backoff(attempts)
    if error.retry_after is not None:
        wait = max(wait, min(timedelta(seconds=error.retry_after), timedelta(hours=1)))
    if now + wait - raised > GIVE_UP_AFTER:
        return None
    return now + wait


def _audit(
    session: Session,
    row: AlertDeliveryRow,
    leased: _Leased,
    now: datetime,
    error: AlertNotSent | None,
    given_up: bool,
) -> None:
    """The audit row of a sent, first-failed or given-up delivery (the log needs a campaign:
    the alert's own)."""
    if error is None:
        action = "alert-sent"
    elif given_up:
        action = "alert-given-up"
    elif row.attempts == 1:
        action = "alert-failed"
    else:
        return
    campaign_id = row.alert.campaign_id
    campaign = session.get(CampaignRow, campaign_id) if campaign_id is not None else None
    if campaign is None:
        log.info("alert %s concerns no campaign: %s not in the audit log", leased.key, action)
        return
    details: dict[str, Any] = {
        "topic": leased.content.topic,
        "channel": leased.channel_name,
        "kind": str(leased.channel.get("kind", "")),
        "key": leased.key,
        "attempts": row.attempts,
    }
    if error is not None:
        details["error"] = error.reason
    audit.record(session, campaign, action, ACTOR, now, **details)
