"""The long-running daemon: APScheduler fires the work, the database decides what is sent.

One interval job (every `poll_seconds`) does the housekeeping, hands due posts to the daemon's
workers, and plans one `DateTrigger` job per moment posts are due at within the look-ahead, so
posts go out on the second, all those due at one moment claimed in one batch. Jobs carry
nothing; the in-memory job store holds nothing that matters (the posts table is the truth), so
nothing is lost when the process dies and another daemon can take over. Other jobs: the
heartbeat, metrics collection, alerts (raised and delivered on a thread of their own, so a slow
mail server never delays a send), and the daily credentials probe (on a thread of its own).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Mapping
from concurrent import futures
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from campaign.alerts.service import INTERVAL_SECONDS, TickReport, safe_tick
from campaign.clock import SystemClock
from scheduler.daemon import Daemon

log = logging.getLogger(__name__)
LOOK_AHEAD = timedelta(seconds=60)


class DaemonRunner:
    """Runs a `Daemon` on APScheduler until stopped; `stop` always returns.

    Every job is short: the sweep and the date jobs only hand posts to the daemon's worker pool,
    and metrics are read on a thread of their own. So jobs never pile up behind a slow request,
    and `stop` never waits on a job that needs the scheduler: APScheduler's `shutdown` holds the
    job-store lock while it waits for running jobs, and a job that then asks the scheduler for
    its jobs would wait forever. Jobs touch the scheduler only under `_planning`, and only
    while not stopping; `stop` sets `stopping` and waits for `_planning` to be free before it
    shuts down (without holding it: the sweep waiting for it must be able to finish).
    """

    def __init__(
        self,
        daemon: Daemon,
        *,
        environ: Mapping[str, str] | None = None,
        alert_seconds: float = INTERVAL_SECONDS,
    ) -> None:
        self.daemon = daemon
        # Alert channels' secrets, by the variable names the channels give.
        self.environ = os.environ if environ is None else environ
        self.alert_seconds = alert_seconds
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
        self._planning = threading.Lock()
        # Work beside publishing, each on a thread of its own: a slow platform, mail server or
        # webhook holds its own thread only, never a send or a sweep.
        self.metrics = SideThread("metrics", daemon.collect_metrics, self.stopping)
        self.alerts = SideThread("alerts", self._alerts_pass, self.stopping)
        self.credentials = SideThread(
            "credentials", daemon.probe_credentials, self.stopping, due=daemon.credentials_due
        )
        quiet_overlaps()

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
        self.scheduler.add_job(self.metrics.start, "interval", seconds=poll, id="metrics")
        self.scheduler.add_job(
            self.alerts.start,
            "interval",
            seconds=self.alert_seconds,
            id="alerts",
            next_run_time=datetime.now(UTC),
        )
        # The daily credentials probe: checked every poll against the daemon's clock, so the
        # first runs a minute after start and the next a day later (sooner after a network
        # failure).
        self.scheduler.add_job(self.credentials.start, "interval", seconds=poll, id="credentials")
        self.scheduler.start()

    def sweep(self) -> None:
        """Housekeeping, start sending whatever is due, and plan jobs for the next minute."""
        if self.stopping.is_set():
            return
        try:
            self.daemon.sweep()
            with self._planning:
                if not self.stopping.is_set():
                    self._plan_jobs()
        except Exception:  # the daemon must survive a bad sweep; the next one retries
            log.exception("sweep failed")

    def publish(self) -> None:
        """A date job: a moment some posts are due at has come; claim everything due then in
        one batch (as many as there are idle workers; freed workers claim the rest)."""
        try:
            self.daemon.dispatch_due()
        except Exception:
            log.exception("could not start the posts due now; the next sweep retries")

    def _alerts_pass(self) -> TickReport | None:
        """Watch, then deliver (`safe_tick`). Beat first: the watch must see this daemon alive
        even before the heartbeat job's first beat lands, or a daemon starting up would report
        that no daemon runs."""
        daemon = self.daemon
        daemon.beat()
        return safe_tick(daemon.store, daemon.clock, daemon.id, self.environ, stop=self.stopping)

    def _plan_jobs(self) -> None:
        if not isinstance(self.daemon.clock, SystemClock):
            return  # APScheduler runs on the wall clock; on another clock the sweep publishes
        now = self.daemon.clock.now()
        daemon = self.daemon
        upcoming = daemon.api.upcoming(now, now + LOOK_AHEAD, daemon.scope)
        # One job per moment, not per post: 500 posts due at 10:00 are one claim, not 500.
        wanted = {f"due-{at.timestamp():.6f}": at for _, at in upcoming}
        for job in self.scheduler.get_jobs():
            if job.id.startswith("due-") and job.id not in wanted:
                try:
                    job.remove()  # its posts moved, were cancelled or withdrawn
                except JobLookupError:
                    pass
        for job_id, at in wanted.items():
            if self.scheduler.get_job(job_id) is None:
                self.scheduler.add_job(self.publish, "date", run_date=at, id=job_id)

    def run_until_signalled(self) -> None:
        """Block until SIGTERM or SIGINT, then finish the sends in flight and stop cleanly."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stopping.set())
        self.start()
        try:
            while not self.stopping.wait(0.5):
                pass
        finally:
            self.stop()
            # Stopped: a repeated signal (a service manager's second SIGTERM) must not kill the
            # process as it exits. Python puts back the default action of the handlers it set
            # when it shuts down, which would end it with -SIGTERM; an ignored signal it leaves.
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, signal.SIG_IGN)

    def stop(self) -> None:
        """Start nothing new, let the sends in flight finish, record the stop. Never hangs on
        the scheduler: once `stopping` is set and `_planning` was free, no job enters it."""
        self.stopping.set()
        self.daemon.stopping.set()
        with self._planning:
            pass  # a sweep planning jobs finishes; any later one sees `stopping` and skips
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        for side in (self.metrics, self.alerts, self.credentials):
            side.shutdown()
        self.daemon.stop()


class SideThread:
    """Work that runs on a thread of its own, one run at a time, started by a scheduler job.

    `start` returns at once: it starts a run unless one is still going, the daemon is stopping,
    or `due` says it is not time. A run that raises is logged and the next one tries again:
    side work never stops publishing.
    """

    def __init__(
        self,
        name: str,
        work: Callable[[], object],
        stopping: threading.Event,
        *,
        due: Callable[[], bool] | None = None,
    ) -> None:
        self.name, self._work, self._stopping, self._due = name, work, stopping, due
        self._pool = futures.ThreadPoolExecutor(1, thread_name_prefix=name)
        self._run: futures.Future[object] | None = None

    def start(self) -> None:
        if self._stopping.is_set() or (self._run is not None and not self._run.done()):
            return
        if self._due is None or self._due():
            self._run = self._pool.submit(self._safely)

    def finished(self) -> bool:
        """Whether a run was started and has ended."""
        return self._run is not None and self._run.done()

    def _safely(self) -> object:
        try:
            return self._work()
        except Exception:
            log.exception("%s failed; the next run tries again", self.name)
            return None

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)


class _NoOverlapNotices(logging.Filter):
    """APScheduler warns each time a job is due while its previous run is still going. For our
    jobs that is harmless (the next run does the work), and under load it was every second."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


def quiet_overlaps() -> None:
    scheduler_log = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, _NoOverlapNotices) for f in scheduler_log.filters):
        scheduler_log.addFilter(_NoOverlapNotices())
