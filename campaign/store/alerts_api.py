"""What the alert commands and pages call: `store.alerts.recent(...)`, `failing_channels(...)`,
`raise_test(...)`, each one short transaction over the outbox tables.

`failing_channels` is read by the dashboard's banner on every page: two small queries on the
indexed `state` column, whatever the size of the log.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, select

from campaign.errors import ChannelNotFound
from campaign.store.alert_rows import AlertDeliveryRow, AlertRow
from campaign.store.audit import Actor, as_actor
from campaign.store.models import CampaignRow
from campaign.store.outbox import GIVEN_UP, PENDING, alert_settings

if TYPE_CHECKING:
    from campaign.config.alerts import AlertChannel
    from campaign.store import Store

FAILING_AFTER = 3  # failed attempts in a row before a channel is shown as failing
GIVEN_UP_SHOWN = timedelta(hours=24)  # a delivery given up is shown this long


@dataclass(frozen=True)
class DeliveryState:
    """One alert's delivery to one channel, as it stands."""

    channel: str
    kind: str
    state: str  # pending | sent | given-up
    attempts: int
    last_error: str | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    sent_at: datetime | None


@dataclass(frozen=True)
class AlertSummary:
    """An alert and where it went."""

    key: str
    topic: str
    severity: str
    title: str
    created_at: datetime
    campaign: str | None  # slug
    campaign_name: str | None
    timezone: str
    facts: dict[str, Any] = field(default_factory=dict)
    deliveries: list[DeliveryState] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FailingChannel:
    """A channel that keeps failing: alerts to it are kept and retried, but not arriving."""

    name: str
    kind: str
    since: datetime  # when the oldest alert it has not taken was raised
    attempts: int  # the most tries any one of its alerts has had
    last_error: str | None  # in plain words, from the transports
    waiting: int  # alerts still to be delivered to it
    given_up: int  # alerts given up in the last 24 hours

    def as_dict(self) -> dict[str, Any]:
        return {
            name: value.isoformat() if isinstance(value, datetime) else value
            for name, value in asdict(self).items()
        }


class AlertsStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    def recent(self, slug: str | None = None, limit: int = 50) -> list[AlertSummary]:
        """The latest alerts (of one campaign, or all), newest first, with their deliveries."""
        with self._store.reading() as session:
            query = select(AlertRow, CampaignRow).outerjoin(
                CampaignRow, CampaignRow.id == AlertRow.campaign_id
            )
            if slug is not None:
                query = query.where(AlertRow.campaign_id == self._store.campaign(slug, session).id)
            query = query.order_by(AlertRow.created_at.desc(), AlertRow.id.desc()).limit(limit)
            found = list(session.execute(query).all())
            ids = [alert.id for alert, _ in found]
            by_alert: dict[int, list[DeliveryState]] = defaultdict(list)
            if ids:
                deliveries = session.scalars(
                    select(AlertDeliveryRow)
                    .where(AlertDeliveryRow.alert_id.in_(ids))
                    .order_by(AlertDeliveryRow.channel_name)
                )
                for row in deliveries:
                    by_alert[row.alert_id].append(_state(row))
            return [
                AlertSummary(
                    key=alert.key,
                    topic=alert.topic,
                    severity=alert.severity,
                    title=alert.title,
                    created_at=alert.created_at,
                    campaign=campaign.slug if campaign else None,
                    campaign_name=campaign.name if campaign else None,
                    timezone=campaign.timezone if campaign else "UTC",
                    facts=dict(alert.facts or {}),
                    deliveries=by_alert[alert.id],
                )
                for alert, campaign in found
            ]

    def waiting(self) -> int:
        """How many deliveries are still to be sent (due now or later)."""
        with self._store.reading() as session:
            query = select(func.count()).where(AlertDeliveryRow.state == PENDING)
            return int(session.scalar(query) or 0)

    def failing_channels(self, now: datetime | None = None) -> list[FailingChannel]:
        """Channels whose alerts are not getting through: one of its deliveries has failed at
        least 3 times in a row and is still pending, or one was given up in the last 24 h."""
        now = now or self._store.clock.now()
        with self._store.reading() as session:
            failing = and_(
                AlertDeliveryRow.state == PENDING, AlertDeliveryRow.attempts >= FAILING_AFTER
            )
            recently_given_up = and_(
                AlertDeliveryRow.state == GIVEN_UP,
                AlertDeliveryRow.last_attempt_at >= now - GIVEN_UP_SHOWN,
                AlertRow.topic != "channel-test",  # its command said so already, once
            )
            rows = list(
                session.execute(
                    select(AlertDeliveryRow, AlertRow.created_at)
                    .join(AlertRow, AlertRow.id == AlertDeliveryRow.alert_id)
                    .where(or_(failing, recently_given_up))
                ).all()
            )
            if not rows:
                return []
            names = sorted({row.channel_name for row, _ in rows})
            waiting = dict(
                session.execute(
                    select(AlertDeliveryRow.channel_name, func.count())
                    .where(
                        AlertDeliveryRow.state == PENDING,
                        AlertDeliveryRow.channel_name.in_(names),
                    )
                    .group_by(AlertDeliveryRow.channel_name)
                ).all()
            )
        channels = []
        for name in names:
            mine = [(row, raised) for row, raised in rows if row.channel_name == name]
            latest = max((row for row, _ in mine), key=lambda r: (r.last_attempt_at or now, r.id))
            channels.append(
                FailingChannel(
                    name=name,
                    kind=str(latest.channel.get("kind", "")),
                    since=min(raised for _, raised in mine),
                    attempts=max(row.attempts for row, _ in mine),
                    last_error=latest.last_error,
                    waiting=int(waiting.get(name, 0)),
                    given_up=sum(1 for row, _ in mine if row.state == GIVEN_UP),
                )
            )
        return channels

    def channels(self, slug: str) -> list[str]:
        """The names of the campaign's alert channels, as its last plan stored them."""
        return sorted(alert_settings(self._store.campaign(slug)).channels)

    def raise_test(
        self,
        slug: str,
        channel: str,
        actor: str | Actor,
        *,
        channels: Mapping[str, AlertChannel] | None = None,
    ) -> int:
        """A "channel-test" alert to `channel` only (whatever topics it asks for); the id of
        its delivery, to send at once. `channels`: the channels as written in the config (to
        test one before it is planned), else those the last plan stored. An unknown channel is
        refused, listing the known ones."""
        from campaign.config.alerts import TOPICS

        who = as_actor(actor)
        with self._store.transaction() as session:
            campaign = self._store.campaign(slug, session)
            defined = alert_settings(campaign).channels if channels is None else channels
            if channel not in defined:
                raise ChannelNotFound(channel, slug, sorted(defined))
            now = self._store.clock.now()
            key = f"channel-test:{channel}:{now.isoformat()}"
            alert = AlertRow(
                key=key,
                topic="channel-test",
                severity=TOPICS["channel-test"],
                campaign_id=campaign.id,
                created_at=now,
                title=f"Test message to the alert channel {channel}",
                facts={
                    "what": f"{who.name} asked for a test message to {channel}, to check that "
                    "alerts reach it.",
                    "what_to_do": "Nothing: if you can read this, alerts reach this channel.",
                },
            )
            delivery = AlertDeliveryRow(
                alert=alert,
                key=f"{key}/{channel}",
                channel_name=channel,
                channel=defined[channel].model_dump(mode="json"),
                state=PENDING,
                attempts=0,
                next_attempt_at=now,
            )
            session.add_all([alert, delivery])
            session.flush()
            return delivery.id


def _state(row: AlertDeliveryRow) -> DeliveryState:
    return DeliveryState(
        channel=row.channel_name,
        kind=str(row.channel.get("kind", "")),
        state=row.state,
        attempts=row.attempts,
        last_error=row.last_error,
        last_attempt_at=row.last_attempt_at,
        next_attempt_at=row.next_attempt_at if row.state == PENDING else None,
        sent_at=row.sent_at,
    )
