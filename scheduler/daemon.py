"""One daemon step: heartbeat, take over abandoned sends, schedule approvals, mark misfires,
and publish what is due, concurrently. `run_once` returns; whoever drives it only sleeps.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from campaign.clock import Clock
from campaign.config import CampaignConfig
from campaign.store import Store, control
from campaign.store.publishing import (
    claim_in_doubt,
    due_post_ids,
    mark_missed,
    next_due,
    schedule_approved,
)
from scheduler.channels.base import Channel
from scheduler.metrics import MetricsCollector
from scheduler.publisher import Finished, Publisher

log = logging.getLogger(__name__)
METRICS_CHECK = timedelta(minutes=1)


@dataclass
class StepReport:
    """What one step did, by outcome, for progress displays and tests."""

    outcomes: Counter[str] = field(default_factory=Counter)
    scheduled: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    snapshots: int = 0


class Daemon:
    def __init__(
        self,
        store: Store,
        config: CampaignConfig,
        channels: dict[str, Channel],
        clock: Clock,
        *,
        daemon_id: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.store, self.config, self.clock = store, config, clock
        self.id = daemon_id or f"daemon-{uuid.uuid4().hex[:12]}"
        self.settings = config.publishing
        self.publisher = Publisher(store, config, channels, clock, self.id, rng)
        self.pool = ThreadPoolExecutor(self.settings.workers, thread_name_prefix="publish")
        self.metrics = MetricsCollector(store, config, channels, clock)
        self._metrics_checked_at: datetime | None = None
        self._metrics_due_at: datetime | None = None
        self.totals = StepReport()

    @property
    def slug(self) -> str:
        return self.config.campaign.slug

    def housekeeping(self) -> StepReport:
        """Everything but sending new posts: heartbeat, recovery, scheduling, misfires."""
        report = StepReport()
        now = self.clock.now()
        stale = now - timedelta(seconds=self.settings.heartbeat_timeout_seconds)
        with self.store.transaction() as session:
            control.heartbeat(session, self.id, now)
            campaign = self.store.campaign(self.slug, session)
            report.scheduled = schedule_approved(session, campaign, now)
            report.missed = mark_missed(session, campaign, now, self.settings.grace)
            in_doubt = claim_in_doubt(session, campaign, self.id, now, stale)
        for row in in_doubt:
            report.outcomes[self.publisher.reconcile(row)] += 1
        return report

    def beat(self) -> None:
        """Tell the other daemons this one is alive."""
        try:
            with self.store.transaction() as session:
                control.heartbeat(session, self.id, self.clock.now())
        except Exception:  # a missed beat is retried at the next; never kill the scheduler
            log.exception("heartbeat failed")

    def due(self, limit: int = 1000) -> list[int]:
        now = self.clock.now()
        with self.store.transaction() as session:
            campaign = self.store.campaign(self.slug, session)
            return due_post_ids(session, campaign, now, limit)

    def publish_many(self, post_ids: list[int]) -> Counter[str]:
        """Send due posts concurrently, claiming one wave of `workers` posts at a time.

        Each wave is claimed in one transaction and sent at once, so a claimed post is always
        in flight: a pause recorded mid-burst stops every wave after it.
        """
        outcomes: Counter[str] = Counter()
        wave = self.settings.workers
        for start in range(0, len(post_ids), wave):
            chunk = post_ids[start : start + wave]
            claimed = self.publisher.claim(chunk)
            outcomes["not-claimed"] += len(chunk) - len(claimed)
            finished: Finished = []
            send = partial(self.publisher.send, finished=finished)
            outcomes.update(self.pool.map(send, claimed))
            self.publisher.record_published(finished)
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

    def next_due(self) -> datetime | None:
        """The next moment with work: a post (or retry) to send, or a snapshot to take."""
        with self.store.transaction() as session:
            posts = next_due(session, self.store.campaign(self.slug, session))
        metrics = self.metrics.next_due()
        return min((t for t in (posts, metrics) if t is not None), default=None)

    def stop(self) -> None:
        """Finish sends in flight, then record that this daemon stopped."""
        self.pool.shutdown(wait=True)
        with self.store.transaction() as session:
            control.heartbeat(session, self.id, self.clock.now(), stopping=True)

    def _add(self, report: StepReport) -> None:
        self.totals.outcomes += report.outcomes
        self.totals.scheduled += report.scheduled
        self.totals.missed += report.missed
        self.totals.snapshots += report.snapshots
