"""`campaign rehearse`: the whole week against the local sandbox, with time accelerated.

The real daemon step, the real tweepy and facebook-sdk clients and real HTTP, on a rehearsal
database of its own: a rehearsal never touches the production plan or the real platforms.
Simulated time jumps from one due moment to the next (waiting the gap divided by `speed` in
real time) and stands still while requests are in flight, so a slow loopback request cannot
make a post late and two runs of the same week give the same timeline.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from campaign.alerts.service import tick
from campaign.clock import ManualClock
from campaign.config import Account, CampaignConfig
from campaign.planning import store_plan
from campaign.platforms import facts
from campaign.store import Store
from campaign.store.alerts_api import AlertSummary
from campaign.store.models import PostState
from scheduler.channels import Channel, make_channel
from scheduler.daemon import Daemon
from scheduler.deployment import ChannelFactory, LiveDeployment
from scheduler.rehearsal_alerts import AlertStandIns
from scheduler.sandbox import PlatformSandbox, SandboxSettings

ACTOR = "rehearsal"
Progress = Callable[[datetime, Counter[str]], None]


@dataclass(frozen=True)
class PlatformTally:
    """One platform's side of a rehearsal, as its double counted it: the texts the plan sends
    there (each thread part one), how many of them arrived exactly once, and how many copies
    arrived beyond one."""

    expected: int
    once: int
    duplicates: int

    @property
    def exactly_once(self) -> bool:
        return self.once == self.expected and not self.duplicates


@dataclass
class RehearsalSummary:
    states: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    duplicates: int = 0
    sent_to_sandbox: int = 0
    real_seconds: float = 0.0
    simulated: timedelta = timedelta(0)
    missed_reasons: dict[str, str] = field(default_factory=dict)
    failed_reasons: dict[str, str] = field(default_factory=dict)
    # The alerts the week raised, oldest first, and what each kind of stand-in received.
    alerts: list[AlertSummary] = field(default_factory=list)
    alerts_received: dict[str, int] = field(default_factory=dict)
    platforms: dict[str, PlatformTally] = field(default_factory=dict)


def sandbox_config(config: CampaignConfig, sandbox: PlatformSandbox) -> CampaignConfig:
    """The same campaign with every account pointed at the sandbox."""
    accounts = {key: sandbox_account(account, sandbox) for key, account in config.accounts.items()}
    return config.model_copy(update={"accounts": accounts})


def sandbox_channels(sandbox: PlatformSandbox, timeout: float | None = None) -> ChannelFactory:
    """Channels to the sandbox for whatever accounts a deployment holds (the stored or
    configured base URL and credential variables are replaced, never edited in the database);
    `timeout` overrides the campaigns' request timeout."""

    fixed = timeout

    def build(account: Account, *, timeout: float, facebook_metrics: tuple[str, ...]) -> Channel:
        pointed = sandbox_account(account, sandbox)
        return make_channel(
            pointed,
            sandbox.credentials([pointed]),
            timeout=timeout if fixed is None else fixed,
            facebook_metrics=facebook_metrics,
        )

    return build


def sandbox_account(account: Account, sandbox: PlatformSandbox) -> Account:
    """The account pointed at its platform's double, and at the sandbox's public image
    address for platforms that fetch images from one."""
    update = {"base_url": sandbox.base_url(account.platform)}
    if facts(account.platform).fetches_media:
        update["media_base_url"] = sandbox.media_base_url
    return account.model_copy(update=update)


def rehearse(
    config: CampaignConfig,
    store: Store,
    *,
    speed: float,
    settings: SandboxSettings | None = None,
    approve_all: bool = True,
    progress: Progress | None = None,
    request_timeout: float = 2.0,
) -> RehearsalSummary:
    posts_start = min(config.scheduled_at(day, post) for day in config.days for post in day.posts)
    clock = ManualClock(posts_start - timedelta(minutes=5))
    start = clock.now()
    store.clock = clock
    started = time.monotonic()
    with AlertStandIns() as stand_ins:
        # Planned with its alert channels pointed at the stand-ins: deliveries keep the
        # channel as planned, so the rehearsal database never names a real address.
        config = config.model_copy(update={"alerts": stand_ins.pointed(config.alerts)})
        store_plan(config, store, ACTOR)
        if approve_all:
            # A rehearsal plans and approves as one actor, with nobody to ask for a second
            # look: the two-person rule is for real sign-off, so it is lifted here.
            store.approve(config.campaign.slug, ACTOR, allow_self_approval=True)
        with PlatformSandbox(settings=settings or SandboxSettings(), clock=clock) as sandbox:
            sandbox.media.add_folder(config.posts_dir)
            factory = sandbox_channels(sandbox, request_timeout)
            deployment = LiveDeployment.from_config(store, config, factory=factory)
            daemon = Daemon(store, deployment, clock, daemon_id=ACTOR)
            try:
                while True:
                    daemon.run_once()
                    tick(store, clock, ACTOR, stand_ins.environ)
                    if progress:
                        progress(clock.now(), daemon.totals.outcomes + Counter())
                    upcoming = daemon.next_due()
                    if upcoming is None and not _in_flight(store, config):
                        break
                    now = clock.now()
                    # Wake at each morning too: the morning messages go out at their time.
                    upcoming = min(
                        (t for t in (upcoming, _next_morning(config, now)) if t is not None),
                        default=None,
                    )
                    target = max(upcoming or now, now + timedelta(seconds=1))
                    time.sleep((target - now).total_seconds() / speed)
                    clock.set(target)
            finally:
                daemon.stop()
            summary = _summarise(store, config, sandbox)
        summary.alerts = list(reversed(store.alerts.recent(config.campaign.slug, limit=500)))
        summary.alerts_received = dict(stand_ins.received())
    summary.real_seconds = time.monotonic() - started
    summary.simulated = clock.now() - start
    return summary


def _next_morning(config: CampaignConfig, now: datetime) -> datetime | None:
    """The next `[alerts] morning` from the day before the campaign to the day after it."""
    info, zone = config.campaign, config.zone
    day = info.start - timedelta(days=1)
    while day <= info.end + timedelta(days=1):
        morning = datetime.combine(day, config.alerts.morning, tzinfo=zone)
        if morning > now:
            return morning
        day += timedelta(days=1)
    return None


def _in_flight(store: Store, config: CampaignConfig) -> bool:
    scope = store.publishing.campaign_id(config.campaign.slug)
    return store.publishing.unfinished(scope) > 0


def _summarise(store: Store, config: CampaignConfig, sandbox: PlatformSandbox) -> RehearsalSummary:
    summary = RehearsalSummary()
    rows = store.posts(config.campaign.slug)
    for row in rows:
        summary.states[row.state] += 1
        if row.state == PostState.MISSED:
            summary.missed_reasons[row.key] = row.last_error or ""
        if row.state == PostState.FAILED:
            summary.failed_reasons[row.key] = row.last_error or ""
    scope = store.publishing.campaign_id(config.campaign.slug)
    summary.retries = store.publishing.count_actions("retry-scheduled", scope)
    published = sandbox.published_texts()
    expected: dict[str, list[str]] = {}
    for row in rows:
        if row.state != PostState.CANCELLED:
            expected.setdefault(row.account.platform, []).extend(row.parts)
    for platform, texts in published.items():
        counted = Counter(texts)
        wanted = expected.get(platform, [])
        summary.platforms[platform] = PlatformTally(
            expected=len(wanted),
            once=sum(1 for text in wanted if counted[text] == 1),
            duplicates=sum(n - 1 for n in counted.values() if n > 1),
        )
        summary.sent_to_sandbox += len(texts)
        summary.duplicates += summary.platforms[platform].duplicates
    return summary
