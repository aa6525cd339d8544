"""Collect engagement for published posts: at configured offsets (by the daemon) or on demand.

Reads are batched by the channels (X: 100 ids a call; Facebook: 50 operations a batch call), so
a sweep of N posts costs about N/100 X calls and N/50 Facebook calls. Each batch's snapshots are
saved in their own transaction as soon as it is read, so a rate limit part way loses nothing:
the account's remaining posts stay due and the first sweep after the platform's reset carries
on with them (those already read are no longer due). A refused account is skipped for this
sweep and the run goes on for the others.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from campaign.clock import Clock
from campaign.config import CampaignConfig
from campaign.errors import PublishError, RateLimited
from campaign.store import Store
from campaign.store.daemon_api import DueCollection, Snapshot
from scheduler.channels.base import Channel, MetricReading

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
        config: CampaignConfig,
        channels: dict[str, Channel],
        clock: Clock,
        *,
        stopping: threading.Event | None = None,
    ) -> None:
        self.store, self.config, self.channels, self.clock = store, config, channels, clock
        self.api = store.publishing
        self._scope: int | None = None
        self._not_before: dict[str, datetime] = {}  # account -> rate-limit reset
        # Set when the daemon stops: the collection ends after the batch being read.
        self._stopping = stopping or threading.Event()

    @property
    def slug(self) -> str:
        return self.config.campaign.slug

    @property
    def scope(self) -> int:
        """This collector's campaign (its channels are that campaign's accounts)."""
        if self._scope is None:
            self._scope = self.api.campaign_id(self.slug)
        return self._scope

    def collect_due(self) -> CollectionReport:
        """Snapshot every published post whose next offset has come."""
        offsets = self.config.metrics.offset_deltas
        return self._collect(self.api.metrics_due(self.clock.now(), offsets, self.scope))

    def collect_now(self) -> CollectionReport:
        """Snapshot every published post now (`campaign metrics collect`)."""
        return self._collect(self.api.published(ON_DEMAND, self.scope), honour_resets=False)

    def next_due(self) -> datetime | None:
        upcoming = self.api.next_metrics_due(self.config.metrics.offset_deltas, self.scope)
        waits = [at for at in self._not_before.values() if upcoming and at > upcoming]
        return max([upcoming, *waits]) if upcoming and waits else upcoming

    def _collect(self, due: list[DueCollection], honour_resets: bool = True) -> CollectionReport:
        report = CollectionReport()
        by_channel: dict[str, list[DueCollection]] = defaultdict(list)
        for item in due:
            by_channel[item.account].append(item)
        now = self.clock.now()
        for channel_key, items in by_channel.items():
            if self._stopping.is_set():
                break
            wait = self._not_before.get(channel_key)
            if honour_resets and wait and wait > now:
                report.skipped_accounts[channel_key] = f"rate limited until {wait.isoformat()}"
                continue
            by_id = {
                item.platform_post_id: item for item in items if item.platform_post_id is not None
            }
            try:
                for readings in self.channels[channel_key].metric_batches(list(by_id)):
                    read = [by_id.pop(i) for i in list(readings) if i in by_id]
                    self._save(read, readings, report)
                    if self._stopping.is_set():
                        return report
            except RateLimited as exc:
                reset = exc.reset_at or now
                self._not_before[channel_key] = reset
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
            self._not_before.pop(channel_key, None)
            unanswered = [item for item in items if item.platform_post_id in by_id]
            unanswered += [item for item in items if not item.platform_post_id]
            self._save(unanswered, {}, report)
        return report

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
