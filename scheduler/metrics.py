"""Collect engagement for published posts: at configured offsets (by the daemon) or on demand.

Reads are batched by the channels (X: 100 ids a call; Facebook: 50 operations a batch call), so
a sweep of N posts costs about N/100 X calls and N/50 Facebook calls. Each batch's snapshots are
saved in their own transaction as soon as it is read, so a rate limit part way loses nothing:
the account's remaining posts stay due and the first sweep after the platform's reset carries
on with them (those already read are no longer due). A refused account is skipped for this
sweep and the run goes on for the others.

Each campaign's posts are read at its own offsets, with its own Graph metric names; an account
shared by campaigns has one rate-limit wait.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from campaign.clock import Clock
from campaign.config import Metrics
from campaign.errors import PublishError, RateLimited
from campaign.store import Store
from campaign.store.daemon_api import DueCollection, Snapshot
from scheduler.channels.base import MetricReading
from scheduler.deployment import LiveDeployment

log = logging.getLogger(__name__)
ON_DEMAND = "on-demand"


@dataclass
class CollectionReport:
    snapshots: int = 0
    deleted: list[str] = field(default_factory=list)
    unavailable: dict[str, list[str]] = field(default_factory=dict)  # post key -> metrics
    skipped_accounts: dict[str, str] = field(default_factory=dict)  # account -> why
    retry_at: dict[str, datetime] = field(default_factory=dict)  # account -> rate-limit reset


class MetricsCollector:
    def __init__(
        self,
        store: Store,
        deployment: LiveDeployment,
        clock: Clock,
        *,
        stopping: threading.Event | None = None,
    ) -> None:
        self.store, self.deployment, self.clock = store, deployment, clock
        self.api = store.publishing
        self._not_before: dict[int, datetime] = {}  # account id -> rate-limit reset
        # Set when the daemon stops: the collection ends after the batch being read.
        self._stopping = stopping or threading.Event()

    @property
    def scope(self) -> int | tuple[int, ...]:
        return self.deployment.posts_scope

    def collect_due(self) -> CollectionReport:
        """Snapshot every published post whose next offset (its campaign's) has come."""
        by_campaign = self.deployment.offsets()
        due = self.api.metrics_due(self.clock.now(), _default(by_campaign), self.scope, by_campaign)
        return self._collect(due)

    def collect_now(self) -> CollectionReport:
        """Snapshot every published post now (`campaign metrics collect`)."""
        return self._collect(self.api.published(ON_DEMAND, self.scope), honour_resets=False)

    def next_due(self) -> datetime | None:
        by_campaign = self.deployment.offsets()
        upcoming = self.api.next_metrics_due(_default(by_campaign), self.scope, by_campaign)
        waits = [at for at in self._not_before.values() if upcoming and at > upcoming]
        return max([upcoming, *waits]) if upcoming and waits else upcoming

    def _collect(self, due: list[DueCollection], honour_resets: bool = True) -> CollectionReport:
        report = CollectionReport()
        # One group per account and campaign: the campaign says which Graph metrics to read.
        groups: dict[tuple[int, int], list[DueCollection]] = defaultdict(list)
        for item in due:
            groups[item.account_id, item.campaign_id].append(item)
        now = self.clock.now()
        for (account_id, campaign_id), items in groups.items():
            if self._stopping.is_set():
                break
            channel_key = self._label(items[0])
            wait = self._not_before.get(account_id)
            if honour_resets and wait and wait > now:
                report.skipped_accounts[channel_key] = f"rate limited until {wait.isoformat()}"
                continue
            by_id = {
                item.platform_post_id: item for item in items if item.platform_post_id is not None
            }
            try:
                channel = self.deployment.channel(account_id, campaign_id)
                for readings in channel.metric_batches(list(by_id)):
                    read = [by_id.pop(i) for i in list(readings) if i in by_id]
                    self._save(read, readings, report)
                    if self._stopping.is_set():
                        return report
            except RateLimited as exc:
                reset = exc.reset_at or now
                self._not_before[account_id] = reset
                report.skipped_accounts[channel_key] = (
                    f"rate limited: {len(by_id)} post(s) not read, readable again after "
                    f"{reset.isoformat()} ({exc})"
                )
                report.retry_at[channel_key] = reset
                continue
            except PublishError as exc:
                log.warning("metrics for %s not collected: %s", channel_key, exc)
                report.skipped_accounts[channel_key] = str(exc)
                continue
            self._not_before.pop(account_id, None)
            unanswered = [item for item in items if item.platform_post_id in by_id]
            unanswered += [item for item in items if not item.platform_post_id]
            self._save(unanswered, {}, report)
        return report

    def _label(self, item: DueCollection) -> str:
        """How a report names the account: its key, with the campaign when there are several."""
        if len(self.deployment.campaigns) <= 1:
            return item.account
        return f"{self.deployment.campaign(item.campaign_id).slug}: {item.account}"

    def _save(
        self,
        items: list[DueCollection],
        readings: dict[str, MetricReading],
        report: CollectionReport,
    ) -> None:
        if not items:
            return
        now = self.clock.now()
        snapshots = []
        for item in items:
            platform_id = item.platform_post_id or ""
            reading = readings.get(platform_id)
            if reading is None:
                reading = MetricReading(platform_id, {}, {"*": "no answer"})
            status = (
                "deleted"
                if reading.deleted
                else ("unreachable" if "*" in reading.unavailable else "ok")
            )
            snapshots.append(
                Snapshot(
                    post_id=item.post_id,
                    platform_post_id=platform_id,
                    collected_at=now,
                    offset=item.offset,
                    status=status,
                    api_version=reading.api_version or "",
                    metric_names=tuple(sorted(reading.values) + sorted(reading.unavailable)),
                    values=dict(reading.values),
                    unavailable=dict(reading.unavailable),
                )
            )
            if reading.deleted:
                report.deleted.append(item.key)
            if reading.unavailable:
                report.unavailable[item.key] = sorted(reading.unavailable)
        self.api.save_snapshots(snapshots)
        report.snapshots += len(snapshots)


def _default(by_campaign: dict[int, dict[str, timedelta]]) -> dict[str, timedelta]:
    """Offsets for a post of a campaign the deployment does not know yet (read again soon)."""
    return next(iter(by_campaign.values()), Metrics().offset_deltas)
