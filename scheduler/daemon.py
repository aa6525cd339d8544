"""One daemon step: heartbeat, take over abandoned sends, schedule approvals, mark misfires,
and publish what is due, concurrently. `run_once` returns; whoever drives it only sleeps.

`run_once` waits for its sends (rehearsals and tests step through time with it). The
long-running daemon calls `sweep`, which hands due posts and sends in doubt to the worker pool
and returns at once, so one slow request never delays another post or retry.

A daemon serves a `LiveDeployment`: every campaign in the database (scope None) or one, each
post sent by its own campaign's settings through its account's channel. Each step first asks
whether a campaign was planned since (a tiny query), so new campaigns need no restart.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from campaign.clock import Clock
from campaign.config import CampaignConfig, Publishing
from campaign.preflight.credentials import CredentialsReport, check_credentials
from campaign.preflight.run import accounts_in_scope
from campaign.store import Store
from campaign.store.daemon_api import ClaimedPost
from scheduler.batching import GroupCommit
from scheduler.channels.base import Channel, Sent
from scheduler.deployment import DaemonSettings, LiveDeployment, given_channels
from scheduler.metrics import MetricsCollector
from scheduler.publisher import Claimed, Finished, Publisher

log = logging.getLogger(__name__)
METRICS_CHECK = timedelta(minutes=1)
# The daily credentials probe: first a minute after start (the first sweep's sends come first;
# a post due at start never waits behind it), then every day.
PROBE_FIRST = timedelta(minutes=1)
PROBE_EVERY = timedelta(hours=24)
PROBE_RETRY = timedelta(hours=1)  # sooner when a platform could not be reached


@dataclass
class StepReport:
    """What one step did, by outcome, for progress displays and tests."""

    outcomes: Counter[str] = field(default_factory=Counter)
    scheduled: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # a pair's posts whose partner failed
    snapshots: int = 0


class Daemon:
    def __init__(
        self,
        store: Store,
        deployment: LiveDeployment,
        clock: Clock,
        *,
        daemon_id: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.store, self.deployment, self.clock = store, deployment, clock
        self.api = store.publishing
        self.id = daemon_id or f"daemon-{uuid.uuid4().hex[:12]}"
        # Workers, poll and heartbeat timeout are the process's: chosen across its campaigns
        # when it starts (DaemonSettings says how).
        self.settings: DaemonSettings = deployment.settings
        self.publisher = Publisher(store, deployment, clock, self.id, rng)
        self.pool = ThreadPoolExecutor(self.settings.workers, thread_name_prefix="publish")
        self.stopping = threading.Event()
        self.metrics = MetricsCollector(store, deployment, clock, stopping=self.stopping)
        self.in_flight = InFlight()
        self._totals_lock = threading.Lock()
        self._metrics_checked_at: datetime | None = None
        self._metrics_due_at: datetime | None = None
        self.totals = StepReport()
        # Successes are recorded in batches by whichever worker gets there first, and the
        # posts stay in flight until recorded; freed workers claim what is still due.
        self.recorder: GroupCommit[tuple[Claimed, Sent, datetime]] = GroupCommit(self._record)
        self.refill: GroupCommit[None] = GroupCommit(self._refill)
        self._more_due = False
        self._probe_due_at = clock.now() + PROBE_FIRST

    @classmethod
    def for_config(
        cls,
        store: Store,
        config: CampaignConfig,
        channels: dict[str, Channel],
        clock: Clock,
        **options: Any,
    ) -> Daemon:
        """A daemon for one campaign as its config says, with channels already built for its
        account keys (tests, benchmarks)."""
        deployment = LiveDeployment.from_config(
            store, config, factory=given_channels(config, channels)
        )
        return cls(store, deployment, clock, **options)

    @property
    def scope(self) -> int | tuple[int, ...]:
        """The campaign this daemon serves, or (serving the whole database) every campaign it
        knows: what its questions about posts name."""
        return self.deployment.posts_scope

    def housekeeping(self) -> StepReport:
        """Everything but sending new posts: heartbeat, recovery, scheduling, misfires."""
        report, in_doubt = self._housekeeping()
        for row in in_doubt:
            report.outcomes[self.publisher.reconcile(row)] += 1
        return report

    def _housekeeping(self) -> tuple[StepReport, list[ClaimedPost]]:
        self._refresh()
        now = self.clock.now()
        stale = now - self.settings.heartbeat_timeout
        graces = self.deployment.graces()
        done = self.api.housekeeping(
            self.id,
            now,
            grace=min(graces.values(), default=Publishing().grace),
            stale_before=stale,
            busy=self.in_flight.ids(),
            scope=self.scope,
            graces=graces,
        )
        report = StepReport(
            scheduled=[post.key for post in done.scheduled],
            missed=[post.key for post in done.missed],
            held=[post.key for post in done.held],
        )
        return report, done.in_doubt

    def sweep(self) -> StepReport:
        """One step of the long-running daemon that never waits for a send.

        Sends in doubt are looked for, and due posts (first attempts and retries alike) sent, on
        the worker pool; the next sweep finds whatever is still due. A post this process is
        already sending or looking for is never taken a second time.
        """
        if self.stopping.is_set():
            return StepReport()
        report, in_doubt = self._housekeeping()
        for row in in_doubt:
            self._start(row.id, partial(self.publisher.reconcile, row))
        self.dispatch_due()
        self._add(report)
        return report

    def dispatch_due(self) -> None:
        """Start sending what is due now; returns at once. One thread at a time claims: a call
        made while another claims makes that one claim again, so nothing due is overlooked."""
        self.refill.add(None)

    def _refill(self, _: list[None]) -> None:
        self._claim_and_start()

    def _claim_and_start(self) -> int:
        """Claim what is due now, up to the idle workers, in one transaction; start sending it.

        Only as many posts are claimed as can be sent right away, so a
        claimed post is always in flight and a pause stops everything claimed after it. When
        the claim filled every idle worker, each worker that comes free claims again, so a
        burst flows through the pool instead of going out in waves.
        """
        if self.stopping.is_set():
            return 0
        idle = self.settings.workers - len(self.in_flight)
        if idle <= 0:
            self._more_due = True
            return 0
        claimed = self.publisher.claim_due(idle, self.scope, exclude=self.in_flight.ids())
        self._more_due = len(claimed) >= idle
        for post in claimed:
            self._start_send(post)
        return len(claimed)

    def _start_send(self, post: Claimed) -> None:
        """Send a claimed post on the pool; a success stays in flight until recorded."""
        self.in_flight.take([post.id])

        def run() -> None:
            finished: Finished = []
            try:
                outcome = self.publisher.send(post, finished=finished)
            except Exception:  # a failed send is recorded by the next daemon that looks
                log.exception("sending post %s failed", post.id)
                outcome = "error"
            if finished:
                self.recorder.add(*finished)
            else:
                self.in_flight.release([post.id])
            with self._totals_lock:
                self.totals.outcomes[outcome] += 1
            if self._more_due:
                self.dispatch_due()

        self.pool.submit(run)

    def _record(self, finished: Finished) -> None:
        recorded = False
        try:
            self.publisher.record_published(finished)
            recorded = True
        except Exception:  # left in doubt: the next sweep looks for them on the account
            log.exception("could not record %d published posts", len(finished))
        finally:
            self.in_flight.release([claimed.id for claimed, _, _ in finished])
        if recorded and any(claimed.unit is not None for claimed, _, _ in finished):
            # A pair's next language is due the moment this one is recorded: same sweep.
            self.dispatch_due()

    def _start(self, post_id: int, work: Callable[[], str]) -> None:
        """Run `work` for a post on the pool; the post stays in flight until it returns."""
        self.in_flight.take([post_id])

        def run() -> None:
            try:
                outcome = work()
            except Exception:  # a failed send is recorded by the next daemon that looks
                log.exception("sending post %s failed", post_id)
                outcome = "error"
            finally:
                self.in_flight.release([post_id])
            with self._totals_lock:
                self.totals.outcomes[outcome] += 1

        self.pool.submit(run)

    def _refresh(self) -> None:
        """Pick up campaigns planned, and settings changed, since the last look."""
        try:
            self.deployment.refresh()
        except Exception:  # the next sweep asks again; publishing goes on meanwhile
            log.exception("could not read the deployment again")

    def beat(self) -> None:
        """Tell the other daemons this one is alive."""
        try:
            self.api.heartbeat(self.id, self.clock.now())
        except Exception:  # a missed beat is retried at the next; never kill the scheduler
            log.exception("heartbeat failed")

    def due(self, limit: int = 1000) -> list[int]:
        return self.api.due(self.clock.now(), limit, self.scope)

    def publish_many(self, post_ids: list[int]) -> Counter[str]:
        """Send due posts concurrently, claiming one wave of `workers` posts at a time.

        Each wave is claimed in one transaction and sent at once, so a claimed post is always
        in flight: a pause recorded mid-burst stops every wave after it. A pair's later
        language is not due until its earlier one is published: once a wave publishes some,
        the languages that follow them are sent too, in order, before this returns.
        """
        outcomes: Counter[str] = Counter()
        wave = self.settings.workers
        queue, tried = list(post_ids), set(post_ids)
        while queue:
            chunk, queue = queue[:wave], queue[wave:]
            claimed = self.publisher.claim(chunk)
            outcomes["not-claimed"] += len(chunk) - len(claimed)
            finished: Finished = []
            send = partial(self.publisher.send, finished=finished)
            outcomes.update(self.pool.map(send, claimed))
            self.publisher.record_published(finished)
            units = {(c.campaign_id, c.unit) for c, _, _ in finished if c.unit is not None}
            if units:
                more = self.api.due(self.clock.now(), 1000, self.scope, tried, units)
                queue += more
                tried.update(more)
        if not outcomes["not-claimed"]:
            del outcomes["not-claimed"]
        return outcomes

    def run_once(self) -> StepReport:
        report = self.housekeeping()
        report.outcomes += self.publish_many(self.due())
        report.snapshots = self.collect_metrics()
        self._add(report)
        return report

    def collect_metrics(self) -> int:
        """Take the metric snapshots that are due; cheap when none is (checked once a minute)."""
        now = self.clock.now()
        recently = self._metrics_checked_at and now - self._metrics_checked_at < METRICS_CHECK
        if recently and not (self._metrics_due_at and self._metrics_due_at <= now):
            return 0
        collected = self.metrics.collect_due()
        self._metrics_checked_at = now
        self._metrics_due_at = self.metrics.next_due()
        return collected.snapshots

    def credentials_due(self) -> bool:
        """Whether the daily credentials probe is due (on the daemon's clock)."""
        return self.clock.now() >= self._probe_due_at

    def probe_credentials(self) -> CredentialsReport:
        """The daily probe: one cheap authenticated read per account this daemon sends for,
        through the channel its posts use. A refused token holds the account now, before its
        next post is due (the post waits instead of failing); a token ending within the
        campaigns' `token_warning_days` raises "token-expiring". A network failure holds
        nothing: it is logged and the probe runs again within the hour. A stop ends it after
        the account being probed."""
        now = self.clock.now()
        campaigns = [row for row in self.store.campaigns() if row.id in self.deployment.campaigns]
        report = check_credentials(
            self.store,
            accounts_in_scope(self.store, campaigns),
            self.deployment.probe,
            now,
            actor=self.id,
            stopping=self.stopping.is_set,
        )
        for finding in report.findings:
            log.warning("credentials check: %s: %s", finding.where, finding.what)
        unreachable = any(check.status == "unreachable" for check in report.accounts)
        self._probe_due_at = now + (PROBE_RETRY if unreachable else PROBE_EVERY)
        return report

    def next_due(self) -> datetime | None:
        """The next moment with work: a post (or retry) to send, or a snapshot to take."""
        posts = self.api.next_due(self.scope)
        metrics = self.metrics.next_due()
        return min((t for t in (posts, metrics) if t is not None), default=None)

    def stop(self) -> None:
        """Start nothing new, finish sends in flight, then record that this daemon stopped."""
        self.stopping.set()
        self.pool.shutdown(wait=True)
        self.publisher.media.close()
        self.api.heartbeat(self.id, self.clock.now(), stopping=True)

    def _add(self, report: StepReport) -> None:
        with self._totals_lock:
            self.totals.outcomes += report.outcomes
            self.totals.scheduled += report.scheduled
            self.totals.missed += report.missed
            self.totals.held += report.held
            self.totals.snapshots += report.snapshots


class InFlight:
    """Ids of the posts this process is sending or looking for right now, so that no post is
    ever sent twice at once by one process (the claim guards against other processes)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: set[int] = set()

    def take(self, post_ids: Iterable[int], capacity: int | None = None) -> list[int]:
        """Mark those of `post_ids` not already in flight, while fewer than `capacity` posts
        are in flight in all; returns the ones marked."""
        with self._lock:
            taken: list[int] = []
            for post_id in post_ids:
                if capacity is not None and len(self._ids) >= capacity:
                    break
                if post_id not in self._ids:
                    self._ids.add(post_id)
                    taken.append(post_id)
            return taken

    def release(self, post_ids: Iterable[int]) -> None:
        with self._lock:
            self._ids.difference_update(post_ids)

    def ids(self) -> frozenset[int]:
        with self._lock:
            return frozenset(self._ids)

    def __len__(self) -> int:
        with self._lock:
            return len(self._ids)
