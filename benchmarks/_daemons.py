"""The national week's daemon processes: `python -m scheduler --database URL` on a shared
accelerated clock, started together, waited for, stopped with SIGTERM, their CPU time read."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from campaign.clock import SpeedClock
from campaign.store import Store


@contextmanager
def daemons(
    count: int,
    url: str,
    clock: SpeedClock,
    environ: dict[str, str],
    folder: Path,
    cpu: list[float],
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`count` daemon processes given only the database, on the shared accelerated clock;
    stopped with SIGTERM at the end of the block (each one's CPU seconds go into `cpu`)."""
    processes = []
    for n in range(count):
        with open(folder / f"daemon-{n}.log", "wb") as log:
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "scheduler",
                        "--database",
                        url,
                        "--clock-start",
                        clock.start.strftime("%Y-%m-%dT%H:%M:%S%z"),
                        "--clock-speed",
                        repr(clock.speed),
                        "--clock-origin",
                        repr(clock.origin),
                    ],
                    env={**os.environ, **environ},
                    cwd=folder,  # no config.toml there: the database alone says what to publish
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        yield processes
    finally:
        for process in processes:
            if not exited(process):
                process.send_signal(signal.SIGTERM)
        for n, process in enumerate(processes):
            cpu.append(_reap(process, timeout=30))
            log_text = (folder / f"daemon-{n}.log").read_text(errors="replace")
            if process.returncode != 0 or "Traceback" in log_text:
                print(f"daemon {n} log (last lines):\n{log_text[-3000:]}", flush=True)


def exited(process: subprocess.Popen[bytes]) -> bool:
    """Whether the child has ended, leaving it to be reaped (for its CPU time) by `_reap`."""
    return os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def _reap(process: subprocess.Popen[bytes], timeout: float) -> float:
    """Wait for a child (killing it after `timeout`); its user + system CPU seconds."""
    deadline = time.time() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return usage.ru_utime + usage.ru_stime
        if time.time() > deadline:
            process.kill()
            deadline = time.time() + 10
        time.sleep(0.1)


def ready_before(store: Store, processes: list[subprocess.Popen[bytes]], origin: float) -> None:
    """Wait for every daemon's first heartbeat; say if one came after the week began."""
    pids = {process.pid for process in processes}
    while not pids <= {row.pid for row in store.daemons()}:
        if any(exited(p) for p in processes) or time.time() > origin + 60:
            return  # the wait loop reports it
        time.sleep(0.2)
    margin = origin - time.time()
    if margin < 0:
        print(f"the daemons were ready {-margin:.1f} s after the week began: raise --lead")
