"""What an officer needs to see at a glance: paused?, accounts held?, is any daemon alive?"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from campaign.store import Store
from campaign.store.alerts_api import FailingChannel
from campaign.store.models import PostState


@dataclass(frozen=True)
class AccountHealth:
    key: str
    platform: str
    paused: bool
    pause_reason: str | None
    needs_credentials: bool
    credentials_problem: str | None


@dataclass(frozen=True)
class DaemonHealth:
    id: str
    hostname: str
    pid: int
    heartbeat_at: datetime
    alive: bool


@dataclass(frozen=True)
class EverythingPaused:
    """`campaign pause --all`: no campaign in the database publishes."""

    reason: str | None
    by: str | None
    at: datetime | None


@dataclass(frozen=True)
class Health:
    paused: bool
    pause_reason: str | None
    paused_by: str | None
    accounts: list[AccountHealth]
    daemons: list[DaemonHealth]
    next_post_at: datetime | None
    paused_at: datetime | None = None  # when the whole campaign was paused
    everything: EverythingPaused | None = None  # the switch over every campaign, when on
    # Alert channels whose alerts are not getting through (they are kept and retried).
    alert_channels: list[FailingChannel] = field(default_factory=list)

    @property
    def any_daemon_alive(self) -> bool:
        return any(d.alive for d in self.daemons)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["any_daemon_alive"] = self.any_daemon_alive
        return data


def publishing_health(store: Store, slug: str, now: datetime, heartbeat_timeout: float) -> Health:
    """A daemon is alive if it beat within `heartbeat_timeout` seconds and has not stopped."""
    campaign = store.campaign(slug)
    stale = now - timedelta(seconds=heartbeat_timeout)
    upcoming = [
        p.scheduled_at
        for p in store.posts(slug)
        if p.state in (PostState.APPROVED, PostState.SCHEDULED) and p.scheduled_at >= now
    ]
    return Health(
        paused=campaign.paused,
        pause_reason=campaign.pause_reason,
        paused_by=campaign.paused_by,
        accounts=[
            AccountHealth(
                a.key,
                a.platform,
                a.paused,
                a.pause_reason,
                a.needs_credentials,
                a.credentials_problem,
            )
            for a in store.accounts(slug)
        ],
        daemons=[
            DaemonHealth(
                d.id,
                d.hostname,
                d.pid,
                d.heartbeat_at,
                d.stopped_at is None and d.heartbeat_at >= stale,
            )
            for d in store.daemons()
        ],
        next_post_at=min(upcoming, default=None),
        paused_at=campaign.paused_at if campaign.paused else None,
        everything=everything_paused(store),
        alert_channels=store.alerts.failing_channels(now),
    )


def everything_paused(store: Store) -> EverythingPaused | None:
    switch = store.everything_paused()
    if switch is None:
        return None
    return EverythingPaused(switch.pause_reason, switch.paused_by, switch.paused_at)
