"""The long-running daemon: APScheduler fires the work, the database decides what is sent.

One interval job (every `poll_seconds`) does the housekeeping and plans one `DateTrigger` job
per post due within the look-ahead, at its exact time, so posts go out on the second. Jobs
carry only the post id; the in-memory job store holds nothing that matters (the posts table is
the truth), so nothing is lost when the process dies and another daemon can take over.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from campaign.clock import SystemClock
from campaign.store.models import PostRow, PostState
from scheduler.daemon import Daemon

log = logging.getLogger(__name__)
LOOK_AHEAD = timedelta(seconds=60)


class DaemonRunner:
    def __init__(self, daemon: Daemon) -> None:
        self.daemon = daemon
        settings = daemon.settings
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(settings.workers)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                # Lateness is judged by our grace window against the database, not here.
                "misfire_grace_time": None,
            },
            timezone=UTC,
        )
        self.stopping = threading.Event()

    def start(self) -> None:
        poll = self.daemon.settings.poll_seconds
        # Jitter keeps several daemons on one database from sweeping in lock-step, so the
        # same one does not win every claim.
        self.scheduler.add_job(
            self.sweep,
            "interval",
            seconds=poll,
            jitter=poll / 2,
            id="sweep",
            next_run_time=datetime.now(UTC),
        )
        # The heartbeat has its own job: a sweep busy with slow sends must not look dead to
        # the other daemons, or one of them would take over a send still in flight.
        self.scheduler.add_job(
            self.daemon.beat,
            "interval",
            seconds=poll,
            id="heartbeat",
            next_run_time=datetime.now(UTC),
        )
        self.scheduler.start()

    def sweep(self) -> None:
        """Housekeeping, publish whatever is already due, and plan jobs for the next minute."""
        if self.stopping.is_set():
            return
        try:
            self.daemon.housekeeping()
            due = self.daemon.due()
            if due:
                self.daemon.publish_many(due)
            self._plan_jobs()
        except Exception:  # the daemon must survive a bad sweep; the next one retries
            log.exception("sweep failed")

    def _plan_jobs(self) -> None:
        if not isinstance(self.daemon.clock, SystemClock):
            return  # APScheduler runs on the wall clock; on another clock the sweep publishes
        now = self.daemon.clock.now()
        store, slug = self.daemon.store, self.daemon.slug
        with store.transaction() as session:
            campaign = store.campaign(slug, session)
            upcoming = session.execute(
                select(PostRow.id, PostRow.scheduled_at).where(
                    PostRow.campaign_id == campaign.id,
                    PostRow.state == PostState.SCHEDULED,
                    PostRow.next_attempt_at.is_(None),
                    PostRow.scheduled_at > now,
                    PostRow.scheduled_at <= now + LOOK_AHEAD,
                )
            ).all()
        wanted = {f"post-{post_id}-{at.timestamp():.0f}": (post_id, at) for post_id, at in upcoming}
        for job in self.scheduler.get_jobs():
            if job.id.startswith("post-") and job.id not in wanted:
                try:
                    job.remove()  # the post moved, was cancelled or withdrawn
                except JobLookupError:
                    pass
        for job_id, (post_id, at) in wanted.items():
            if self.scheduler.get_job(job_id) is None:
                self.scheduler.add_job(
                    self.daemon.publisher.publish, "date", run_date=at, args=[post_id], id=job_id
                )

    def run_until_signalled(self) -> None:
        """Block until SIGTERM or SIGINT, then finish the send in flight and stop cleanly."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stopping.set())
        self.start()
        try:
            while not self.stopping.wait(0.5):
                pass
        finally:
            self.stop()

    def stop(self) -> None:
        self.stopping.set()
        self.scheduler.shutdown(wait=True)
        self.daemon.stop()
