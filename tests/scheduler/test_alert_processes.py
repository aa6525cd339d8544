"""The dead man's switch against real daemon processes on a shared accelerated clock: while a
daemon beats, no alert; kill -9 every daemon with posts due and exactly one "no-daemon" alert is
raised within the heartbeat timeout, though two watchers (an AlertLoop and the ticks of another
Store) look at once.
"""

from __future__ import annotations

import signal
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign.alerts.service import AlertLoop, tick
from campaign.store import Store
from campaign.store.alert_rows import AlertRow
from campaign.store.models import DaemonRow
from scheduler.sandbox import SandboxSettings
from tests.scheduler.test_daemon_processes import Burst

# Daemons on an accelerated real-time clock: `make test` runs these alone, after the rest.
pytestmark = [pytest.mark.slow, pytest.mark.serial]
TIMEOUT = timedelta(seconds=240)  # the burst's heartbeat timeout (simulated: 2 s real)


def _beats(store: Store) -> list[DaemonRow]:
    with store.reading() as session:
        return list(session.scalars(select(DaemonRow)))


def _no_daemon(store: Store) -> list[AlertRow]:
    with store.reading() as session:
        return list(session.scalars(select(AlertRow).where(AlertRow.topic == "no-daemon")))


def _exited(daemons) -> str:
    """What a daemon that ended on its own said (it should run until killed)."""
    ended = [d for d in daemons if d.poll() is not None]
    return "; ".join(d.stderr.read().decode()[-2000:] for d in ended)


def _wait(condition, seconds: float) -> None:
    stop = time.time() + seconds
    while not condition():
        assert time.time() < stop, "waited in vain"
        time.sleep(0.05)


def test_killing_every_daemon_raises_one_dead_man_alert_within_the_window(tmp_path):
    burst = Burst(tmp_path, f"sqlite:///{tmp_path / 'burst.db'}", SandboxSettings(seed=8))
    watcher, other = Store.open(burst.database_url), Store.open(burst.database_url)
    stop = threading.Event()
    loop = AlertLoop(watcher, burst.clock, {}, interval=0.1, owner="serve")

    def second_watcher() -> None:  # a cron preflight's ticks, from a Store of its own
        while not stop.wait(0.1):
            tick(other, burst.clock, "preflight", {})

    ticking = threading.Thread(target=second_watcher)
    try:
        daemons = [burst.start_daemon(), burst.start_daemon()]
        _wait(lambda: len(_beats(watcher)) == 2 or _exited(daemons), 60)
        assert not _exited(daemons), _exited(daemons)
        loop.start()
        ticking.start()
        time.sleep(1.5)  # both daemons alive, posts due within the lead: nothing
        assert _no_daemon(watcher) == []
        for daemon in daemons:
            daemon.send_signal(signal.SIGKILL)
            daemon.wait()
        last_beat = max(row.heartbeat_at for row in _beats(watcher))
        unsent = [p for p in burst.states().values() if p.state in ("approved", "scheduled")]
        assert unsent, "the daemons were killed too late: nothing left due"
        _wait(lambda: bool(_no_daemon(watcher)), 15)
        time.sleep(1.5)  # the watchers go on looking: the outage is one alert
        [alert] = _no_daemon(watcher)
        assert alert.key == f"no-daemon:{alert.campaign_id}:{last_beat.isoformat()}"
        # Raised once the last beat was older than the timeout, and soon after (the watchers
        # tick every 0.1 s real, 12 s simulated).
        assert last_beat + TIMEOUT < alert.created_at < last_beat + TIMEOUT + timedelta(minutes=1)
        assert alert.facts["posts"] >= 1 and "will not go out" in alert.title
    finally:
        stop.set()
        loop.stop()
        if ticking.is_alive():
            ticking.join()
        watcher.engine.dispose()
        other.engine.dispose()
        burst.close()
