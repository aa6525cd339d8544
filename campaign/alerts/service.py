"""One alerts pass (`tick`: watch, then deliver), and `AlertLoop`, the thread that repeats it.

Whatever process is alive runs it: the publishing daemon on a thread of its own (never in the
publishing path), `campaign serve` for its database (so the dead man's switch still runs when
every daemon is dead), a rehearsal on its manual clock. Several may run at once: the alerts'
keys and the deliveries' leases decide between them.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from campaign.alerts.delivery import DeliveryReport, deliver_due
from campaign.alerts.watch import watch
from campaign.clock import Clock
from campaign.errors import CampaignError
from campaign.store import Store

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 30.0
DELIVERIES_PER_TICK = 50


@dataclass
class TickReport:
    """What one pass did: the alerts it raised, and what it delivered."""

    at: datetime
    raised: list[str] = field(default_factory=list)
    delivered: DeliveryReport = field(default_factory=DeliveryReport)


def owner_name(role: str) -> str:
    """Who holds a delivery's lease: unique per process and loop, readable in the table."""
    return f"{role}-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"[:64]


def tick(
    store: Store,
    clock: Clock,
    owner: str,
    environ: Mapping[str, str],
    *,
    stop: threading.Event | None = None,
    limit: int = DELIVERIES_PER_TICK,
) -> TickReport:
    """Raise what is due now (dead man's switch, morning messages, summaries), then deliver
    what is pending. Secrets are read from `environ` by the channels' variable names.

    Deliveries go one at a time, and none starts once `stop` is set: a process asked to stop
    waits for one send at most, never for a queue of them to a mail server that hangs."""
    report = TickReport(clock.now())
    report.raised = watch(store, report.at).raised
    while len(report.delivered.outcomes) < limit and not (stop is not None and stop.is_set()):
        one = deliver_due(store, clock, owner, environ, limit=1)
        if not one.outcomes:
            break
        report.delivered.outcomes += one.outcomes
    return report


class AlertLoop:
    """Ticks every `interval` seconds on a daemon thread until `stop`; never dies of an error.

    The wait is on the stop event, so `stop` ends it at once; `clock` says what time a tick
    believes it is (a rehearsal's manual clock, or the system's).
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        environ: Mapping[str, str],
        *,
        interval: float = INTERVAL_SECONDS,
        owner: str | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.store, self.clock, self.environ = store, clock, environ
        self.interval = interval
        self.owner = owner or owner_name("alerts")
        self.stopping = stop or threading.Event()
        self.ticks = self.failures = 0
        self._thread = threading.Thread(target=self._run, name="alerts", daemon=True)

    def start(self) -> AlertLoop:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Ask the loop to end and wait for the tick in progress (if any) to finish."""
        self.stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def __enter__(self) -> AlertLoop:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        while not self.stopping.is_set():
            self.run_once()
            self.stopping.wait(self.interval)

    def run_once(self) -> TickReport | None:
        """One tick; an error is logged and the loop goes on."""
        report = safe_tick(self.store, self.clock, self.owner, self.environ, stop=self.stopping)
        self.ticks += 1
        self.failures += report is None
        return report


def safe_tick(
    store: Store,
    clock: Clock,
    owner: str,
    environ: Mapping[str, str],
    *,
    stop: threading.Event | None = None,
) -> TickReport | None:
    """`tick`, never raising: a failed pass is logged in our own words (a driver's or an HTTP
    library's text may hold an address or a login, so only its kind is logged) and None."""
    try:
        report = tick(store, clock, owner, environ, stop=stop)
    except CampaignError as exc:
        log.error("alerts: this pass failed, the next one tries again: %s", exc)
        return None
    except Exception as exc:  # never let a loop die; the next pass tries again
        log.error("alerts: this pass failed (%s), the next one tries again", type(exc).__name__)
        return None
    if report.raised:
        log.info("alerts raised: %s", ", ".join(report.raised))
    return report
