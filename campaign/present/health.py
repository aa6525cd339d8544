"""Is publishing on, is anything sending it, what is next: one wording for every face.

`campaign status`, the dashboard's banner and `/api/status` all say these same sentences, so an
officer who reads one has read the others. Built from `campaign.health.Health` and the stored
posts; the faces only choose colours.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from campaign.present.platforms import display_name
from campaign.present.times import ago, short_time
from campaign.states import PostState

if TYPE_CHECKING:
    from campaign.health import AccountHealth, Health
    from campaign.store.alerts_api import FailingChannel
    from campaign.store.models import PostRow

PAUSED_TITLE = "PAUSED – nothing is being published"
ON_TITLE = "Publishing is ON"
# Switched on, but no publishing service is alive: never "ON" in green then.
STOPPED_TITLE = "Approved posts will NOT go out: the publishing service is not running"
STOPPED_DETAIL = (
    "Publishing is switched on, but nothing is sending posts. Approving still works, yet no "
    "post will be published until the publishing service is started. The person who runs "
    "the server for your team must start it."
)
SENDABLE_STATES = (PostState.DRAFT, PostState.APPROVED, PostState.SCHEDULED)


@dataclass(frozen=True)
class HealthView:
    """The lines an officer must not miss: pause, daemons, what is due next, held accounts."""

    paused: bool
    title: str
    detail: str
    daemons_ok: bool
    daemons: str
    next: str
    held: list[str]
    alerts: list[str]  # alert channels that keep failing

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def health_view(health: Health, rows: list[PostRow], now: datetime, zone: ZoneInfo) -> HealthView:
    """The campaign's publishing health in words, as of `now` (the store's clock)."""
    everything = health.everything
    paused = health.paused or everything is not None
    if everything is not None:  # outranks the campaign's own state
        title = PAUSED_TITLE
        detail = f"Everything is paused, in every campaign, by {everything.by} "
        detail += f"{short_time(everything.at, zone)}: {everything.reason}"
    elif health.paused:
        title = PAUSED_TITLE
        detail = f"Paused by {health.paused_by} {short_time(health.paused_at, zone)}: "
        detail += f"{health.pause_reason}"
    elif health.any_daemon_alive:
        title, detail = ON_TITLE, "Approved posts go out at their times."
    else:
        title, detail = STOPPED_TITLE, STOPPED_DETAIL
    return HealthView(
        paused=paused,
        title=title,
        detail=detail,
        daemons_ok=health.any_daemon_alive,
        daemons=daemons_line(health, now),
        next=next_line(rows, now, zone, paused),
        held=[held_line(account) for account in health.accounts if _held(account)],
        alerts=[failing_channel_line(channel, zone) for channel in health.alert_channels],
    )


def daemons_line(health: Health, now: datetime) -> str:
    alive = [d for d in health.daemons if d.alive]
    if not alive:
        return (
            "No publishing daemon is running: approved posts will not be sent until one is "
            "started (ask whoever runs the system to start `campaign daemon`)."
        )
    newest = max(d.heartbeat_at for d in alive)
    many = f"{len(alive)} publishing daemons" if len(alive) > 1 else "Publishing daemon"
    return f"{many} running (last heartbeat {ago(newest, now)})"


def held_line(account: AccountHealth) -> str:
    """Why an account's posts are not going out, and what to do about it."""
    if account.needs_credentials:
        return (
            f"{account.key}: needs new credentials – its posts are held "
            f"({account.credentials_problem}). Renew the token, then run "
            f"`campaign resume --account {account.key}`."
        )
    return f"{account.key}: paused ({account.pause_reason})"


def failing_channel_line(channel: FailingChannel, zone: ZoneInfo) -> str:
    """'Alerts to duty-email are not getting through (since Mon 20 Apr 07:02 BST, 3 tries):
    the webhook answered 503. They are kept and retried.'"""
    tries = "1 try" if channel.attempts == 1 else f"{channel.attempts} tries"
    why = (channel.last_error or "no reason was given").rstrip(".")
    text = (
        f"Alerts to {channel.name} are not getting through (since "
        f"{short_time(channel.since, zone)}, {tries}): {why}."
    )
    if channel.waiting:
        text += " They are kept and retried."
    if channel.given_up:
        were = "1 alert was" if channel.given_up == 1 else f"{channel.given_up} alerts were"
        text += f" {were} given up after 48 hours of trying."
    return text


def _held(account: AccountHealth) -> bool:
    return account.needs_credentials or account.paused


def next_line(rows: list[PostRow], now: datetime, zone: ZoneInfo, paused: bool) -> str:
    """What is due next, and what still waits for approval: never "nothing more is
    scheduled" above a pile of drafts."""
    drafts = [row for row in rows if row.state == PostState.DRAFT]
    later = sum(1 for row in drafts if row.scheduled_at >= now)
    upcoming = [
        row
        for row in rows
        if row.state in (PostState.APPROVED, PostState.SCHEDULED) and row.scheduled_at >= now
    ]
    if upcoming:
        text = _next_due(min(upcoming, key=lambda row: (row.scheduled_at, row.key)), zone, paused)
        if later:
            text += f" {later} later {'post needs' if later == 1 else 'posts need'} approval."
    elif drafts:
        sent = any(
            row.state not in SENDABLE_STATES and row.state != PostState.CANCELLED for row in rows
        )
        nothing = "nothing more is scheduled" if sent else "nothing is scheduled yet"
        waiting = "1 post is" if len(drafts) == 1 else f"{len(drafts)} posts are"
        text = f"{waiting} waiting for approval; {nothing}."
    else:
        text = "Nothing more is scheduled."
    return text + _passed(len(drafts), len(drafts) - later)


def _next_due(first: PostRow, zone: ZoneInfo, paused: bool) -> str:
    """'Next: Mon 20 Apr 10:00 BST on X – Recognising stalking'."""
    held = " (held while paused)" if paused else ""
    when = short_time(first.scheduled_at, zone)
    return f"Next: {when} on {display_name(first.account.platform)} – {first.theme}{held}"


def _passed(drafts: int, passed: int) -> str:
    """The drafts whose time has gone: approving them now sends late, or marks them missed."""
    if not passed:
        return ""
    if drafts == 1:
        whose = "Its time has passed"
    elif passed == drafts:
        whose = f"The times of all {passed} have passed"
    elif passed == 1:
        whose = "1 draft's time has passed"
    else:
        whose = f"{passed} drafts' times have passed"
    return f" {whose}: approving now sends late, or marks missed past the grace window."
