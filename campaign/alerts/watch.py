"""Alerts nobody's action raises: the dead man's switch, the morning messages, the summary.

Run by whichever process is alive (the publishing daemon on a thread of its own, `campaign
serve`, a cron preflight), often by several at once: each alert has a key naming its event
("no-daemon:<campaign id>:<last heartbeat>", "morning-digest:<campaign id>:<local date>"), and
the unique key decides which process raises it. A check costs a few small queries; facts are
only gathered for an alert not raised yet.

- No daemon: a post of a campaign not paused is due within `[alerts] lead_minutes` (or overdue
  and still sendable) and no daemon beat within the heartbeat timeout. Once per outage: the
  key holds the last heartbeat, so it fires again after a daemon came back and died again.
- Each morning at `[alerts] morning` (the campaign's local time), from the day before the first
  day to the last: the posts of the next 24 hours not approved (when there are some), and on
  days with posts, what goes out today.
- The morning after the last day: the engagement summary, with a link to the results page
  (facts' links are dashboard paths: the messages add `[alerts] dashboard_url`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from campaign.alerts import daily
from campaign.alerts.watched import Watched, lines, path
from campaign.errors import StoreError
from campaign.present.times import clock_time, short_time
from campaign.store import Store
from campaign.store.alert_facts import account_name, post_facts
from campaign.store.alert_rows import AlertRow
from campaign.store.facts import CampaignFacts
from campaign.store.models import AccountRow, CampaignRow, DaemonRow, DeploymentRow, PostRow
from campaign.store.models import PostState as S
from campaign.store.outbox import AlertEvent, alert_settings, raise_alert

log = logging.getLogger(__name__)
# A summary is sent in the week after a campaign ends: a database of old campaigns opened by a
# new version does not mail the summary of every campaign it ever ran.
SUMMARY_WINDOW = timedelta(days=7)
DUE_STATES = (S.APPROVED, S.SCHEDULED)


@dataclass
class WatchReport:
    """The keys of the alerts this pass raised (another process may have raised others)."""

    raised: list[str] = field(default_factory=list)


def watch(store: Store, now: datetime) -> WatchReport:
    """Raise whatever of these alerts is due at `now` and not raised yet."""
    report = WatchReport()
    with store.reading() as session:
        campaigns = _campaigns(session)
        beats = list(session.execute(select(DaemonRow.heartbeat_at, DaemonRow.stopped_at)))
        switch = session.get(DeploymentRow, 1)
        everything_paused = switch is not None and switch.paused
        wanted: dict[str, tuple[Watched, str]] = {}
        for campaign in campaigns:
            for key, kind in _due_checks(session, campaign, now, beats, everything_paused):
                wanted[key] = (campaign, kind)
        if not wanted:
            return report
        done = set(session.scalars(select(AlertRow.key).where(AlertRow.key.in_(list(wanted)))))
    for key, (campaign, kind) in wanted.items():
        if key in done:
            continue
        try:
            if _raise(store, campaign, key, kind, now, beats):
                report.raised.append(key)
        except StoreError as exc:  # one campaign's trouble must not stop the others' checks
            log.error("could not raise the %s alert of %s: %s", kind, campaign.row.slug, exc)
    return report


def _campaigns(session: Session) -> list[Watched]:
    found = []
    for row in session.scalars(select(CampaignRow).order_by(CampaignRow.id)):
        try:
            found.append(Watched(row, CampaignFacts.from_row(row), alert_settings(row)))
        except StoreError as exc:
            log.warning("campaign %s is not watched: %s", row.slug, exc)
    return found


def _due_checks(
    session: Session,
    campaign: Watched,
    now: datetime,
    beats: list[Any],
    everything_paused: bool,
) -> list[tuple[str, str]]:
    """The keys of this campaign's alerts that are due now (raised already or not)."""
    row, checks = campaign.row, []
    timeout = timedelta(seconds=campaign.facts.publishing.heartbeat_timeout_seconds)
    alive = any(stopped is None and beat >= now - timeout for beat, stopped in beats)
    if not alive and not row.paused and not everything_paused:
        if _due_soon(session, campaign, now).limit(1).first() is not None:
            last = max((beat for beat, _ in beats), default=None)
            checks.append((f"no-daemon:{row.id}:{last.isoformat() if last else 'never'}", "dead"))
    today = now.astimezone(campaign.zone).date()
    if row.start - timedelta(days=1) <= today <= row.end and now >= campaign.morning(today):
        checks.append((f"approvals-due:{row.id}:{today.isoformat()}", "approvals"))
        if row.start <= today:
            checks.append((f"morning-digest:{row.id}:{today.isoformat()}", "digest"))
    after = campaign.morning(row.end + timedelta(days=1))
    if after <= now < after + SUMMARY_WINDOW:
        checks.append((f"campaign-summary:{row.id}", "summary"))
    return checks


def _due_soon(session: Session, campaign: Watched, now: datetime) -> Any:
    """Posts that a daemon should send soon: approved or scheduled within the lead time, or
    overdue but still sendable (within the grace window, or still scheduled), on accounts not
    paused."""
    lead = now + campaign.alerts.lead
    grace = now - campaign.facts.publishing.grace
    return (
        session.query(PostRow)
        .join(AccountRow, AccountRow.id == PostRow.account_id)
        .where(
            PostRow.campaign_id == campaign.row.id,
            AccountRow.paused.is_(False),
            or_(
                (PostRow.state.in_(DUE_STATES)) & (PostRow.scheduled_at.between(grace, lead)),
                (PostRow.state == S.SCHEDULED) & (PostRow.scheduled_at <= lead),
            ),
        )
        .options(selectinload(PostRow.account))
        .order_by(PostRow.scheduled_at, PostRow.id)
    )


def _raise(
    store: Store, campaign: Watched, key: str, kind: str, now: datetime, beats: list[Any]
) -> bool:
    """Build the alert's facts and raise it in a transaction of its own; False if there was
    nothing to say (no post today, none unapproved) or another process raised it first."""
    try:
        with store.transaction() as session:
            row = session.get(CampaignRow, campaign.row.id)
            assert row is not None
            event = BUILDERS[kind](session, campaign, key, now, beats)
            if event is None:
                return False
            return raise_alert(session, [row], event, now) is not None
    except StoreError as exc:
        # A database without the insert that skips a taken key: the unique key refused the
        # loser of a race, which means the alert is raised.
        if isinstance(exc.__cause__, IntegrityError):
            return False
        raise


def _no_daemon(
    session: Session, campaign: Watched, key: str, now: datetime, beats: list[Any]
) -> AlertEvent | None:
    posts = list(_due_soon(session, campaign, now))
    if not posts:
        return None
    last = max((beat for beat, _ in beats), default=None)
    first = posts[0]
    if len(posts) == 1:
        what = (
            f"the {short_time(first.scheduled_at, campaign.zone)} "
            f"{post_facts(first, campaign.row, first.account)['platform']} post "
            f"({account_name(first.account)}) will not go out"
        )
    else:
        until = clock_time(posts[-1].scheduled_at, campaign.zone)
        what = f"{len(posts)} posts due by {until} will not go out"
    facts = {
        "posts": len(posts),
        "last_heartbeat": short_time(last, campaign.zone) if last else "never",
        "lines": lines(posts, campaign),
        "what_to_do": (
            "Start the publishing service now (ask whoever runs the server to start "
            "`campaign daemon`), or publish these posts by hand."
        ),
        "link": path(campaign, "week"),
    }
    title = f"No publishing service is running: {what}"
    return AlertEvent(key, "no-daemon", title, facts)


BUILDERS = {
    "dead": _no_daemon,
    "approvals": daily.approvals_due,
    "digest": daily.morning_digest,
    "summary": daily.campaign_summary,
}
