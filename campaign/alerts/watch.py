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
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from campaign.config.alerts import Alerts
from campaign.errors import StoreError
from campaign.present.times import clock_time, date_range, long_date, short_time
from campaign.store import Store
from campaign.store.alert_facts import account_name, post_facts, post_line
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
UNSENT_STATES = (S.DRAFT, S.APPROVED, S.SCHEDULED)
TODAY_STATES = (S.DRAFT, S.APPROVED, S.SCHEDULED, S.PUBLISHING, S.PUBLISHED, S.PARTIAL)


@dataclass
class WatchReport:
    """The keys of the alerts this pass raised (another process may have raised others)."""

    raised: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Campaign:
    row: CampaignRow
    facts: CampaignFacts
    alerts: Alerts

    @property
    def zone(self) -> ZoneInfo:
        return self.facts.zone

    def morning(self, day: date) -> datetime:
        """`[alerts] morning` on `day` in the campaign's zone (its UTC moment follows DST)."""
        return datetime.combine(day, self.alerts.morning, tzinfo=self.zone)


def watch(store: Store, now: datetime) -> WatchReport:
    """Raise whatever of these alerts is due at `now` and not raised yet."""
    report = WatchReport()
    with store.reading() as session:
        campaigns = _campaigns(session)
        beats = list(session.execute(select(DaemonRow.heartbeat_at, DaemonRow.stopped_at)))
        switch = session.get(DeploymentRow, 1)
        everything_paused = switch is not None and switch.paused
        wanted: dict[str, tuple[_Campaign, str]] = {}
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


def _campaigns(session: Session) -> list[_Campaign]:
    found = []
    for row in session.scalars(select(CampaignRow).order_by(CampaignRow.id)):
        try:
            found.append(_Campaign(row, CampaignFacts.from_row(row), alert_settings(row)))
        except StoreError as exc:
            log.warning("campaign %s is not watched: %s", row.slug, exc)
    return found


def _due_checks(
    session: Session,
    campaign: _Campaign,
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


def _due_soon(session: Session, campaign: _Campaign, now: datetime) -> Any:
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
    store: Store, campaign: _Campaign, key: str, kind: str, now: datetime, beats: list[Any]
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


def _lines(posts: list[PostRow], campaign: _Campaign, *, approval: bool = False) -> list[str]:
    """One line per post, in the campaign's time; `approval`: say which are not approved."""
    lines = []
    for post in posts:
        line = post_line(post, campaign.row, post.account)
        if approval and post.state in UNSENT_STATES and not post.approval_current:
            line += " (not approved yet)"
        lines.append(line)
    return lines


def _no_daemon(
    session: Session, campaign: _Campaign, key: str, now: datetime, beats: list[Any]
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
        "lines": _lines(posts, campaign),
        "what_to_do": (
            "Start the publishing service now (ask whoever runs the server to start "
            "`campaign daemon`), or publish these posts by hand."
        ),
        "link": _path(campaign, "week"),
    }
    title = f"No publishing service is running: {what}"
    return AlertEvent(key, "no-daemon", title, facts)


def _approvals(
    session: Session, campaign: _Campaign, key: str, now: datetime, beats: list[Any]
) -> AlertEvent | None:
    # The 24 hours from this morning's time, whenever the pass runs: a pass later in the day
    # does not find tomorrow's posts and call them this morning's.
    morning = campaign.morning(now.astimezone(campaign.zone).date())
    posts = [
        post
        for post in _posts_between(session, campaign, now, morning + timedelta(hours=24))
        if post.state in UNSENT_STATES and not post.approval_current
    ]
    if not posts:
        return None
    many = f"{len(posts)} posts" if len(posts) > 1 else "1 post"
    facts = {
        "posts": len(posts),
        "lines": _lines(posts, campaign),
        "what_to_do": "Read and approve them on the dashboard: unapproved posts are not sent.",
        "link": _path(campaign, "review"),
    }
    title = f"{campaign.row.name}: {many} of the next 24 hours not approved yet"
    return AlertEvent(key, "approvals-due", title, facts)


def _digest(
    session: Session, campaign: _Campaign, key: str, now: datetime, beats: list[Any]
) -> AlertEvent | None:
    today = now.astimezone(campaign.zone).date()
    start = datetime.combine(today, datetime.min.time(), tzinfo=campaign.zone)
    end = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=campaign.zone)
    posts = [
        post for post in _posts_between(session, campaign, start, end) if post.state in TODAY_STATES
    ]
    if not posts:
        return None
    waiting = sum(1 for post in posts if post.state in UNSENT_STATES and not post.approval_current)
    many = f"{len(posts)} posts go out" if len(posts) > 1 else "1 post goes out"
    title = f"{campaign.row.name} today, {long_date(today)}: {many}"
    if waiting:
        title += f"; {waiting} not approved yet"
    facts = {
        "day": long_date(today),
        "posts": len(posts),
        "not_approved": waiting,
        "lines": _lines(posts, campaign, approval=True),
        "link": _path(campaign, "week"),
    }
    return AlertEvent(key, "morning-digest", title, facts)


def _summary(
    session: Session, campaign: _Campaign, key: str, now: datetime, beats: list[Any]
) -> AlertEvent | None:
    from campaign.report.dataset import Source, build_dataset
    from campaign.report.summary import summarise
    from campaign.store.models import MetricSnapshotRow

    row = campaign.row
    posts = list(
        session.scalars(
            select(PostRow)
            .where(PostRow.campaign_id == row.id)
            .options(selectinload(PostRow.account))
            .order_by(PostRow.scheduled_at, PostRow.id)
        )
    )
    snapshots = list(
        session.scalars(
            select(MetricSnapshotRow)
            .join(PostRow, PostRow.id == MetricSnapshotRow.post_id)
            .where(PostRow.campaign_id == row.id)
            .order_by(MetricSnapshotRow.collected_at, MetricSnapshotRow.id)
        )
    )
    totals = summarise(build_dataset(Source.of_row(row), posts, snapshots)).campaign
    published = sum(1 for post in posts if post.state == S.PUBLISHED)
    rate = totals.engagement_rate
    facts = {
        "dates": date_range(row.start, row.end),
        "published": published,
        "planned": sum(1 for post in posts if post.state != S.CANCELLED),
        "measured": totals.measured,
        "impressions": totals.impressions,
        "engagements": totals.engagements,
        "link_clicks": totals.link_clicks,
        "shares": totals.shares,
        "engagement_rate": f"{rate:g} %" if rate is not None else None,
        "link": _path(campaign, "results"),
    }
    title = f"{row.name} has ended: {published} posts published"
    if totals.impressions is not None:
        title += f", {totals.impressions:,} impressions"
    if totals.engagements is not None:
        title += f", {totals.engagements:,} engagements"
    return AlertEvent(key, "campaign-summary", title, facts)


def _posts_between(
    session: Session, campaign: _Campaign, start: datetime, end: datetime
) -> list[PostRow]:
    return list(
        session.scalars(
            select(PostRow)
            .where(
                PostRow.campaign_id == campaign.row.id,
                PostRow.scheduled_at >= start,
                PostRow.scheduled_at < end,
            )
            .options(selectinload(PostRow.account))
            .order_by(PostRow.scheduled_at, PostRow.id)
        )
    )


def _path(campaign: _Campaign, page: str) -> str:
    """The campaign's page on the dashboard, as a path: the messages put the dashboard's
    address (`[alerts] dashboard_url`) in front, and leave the link out without one."""
    return f"/c/{campaign.row.slug}/{page}"


BUILDERS = {
    "dead": _no_daemon,
    "approvals": _approvals,
    "digest": _digest,
    "summary": _summary,
}
