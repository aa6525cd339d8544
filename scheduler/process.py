"""The publishing daemon as a process: its options, logging, stack dumps on SIGUSR1, channels
from the environment, and a runner until SIGTERM/SIGINT.

Both entry points use it: `campaign daemon` (the CLI, which loads the config and store through
its context) and `python -m scheduler` (`scheduler/__main__.py`, which needs no CLI).
"""

from __future__ import annotations

import faulthandler
import logging
import os
import signal
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

from campaign.clock import Clock, SpeedClock, SystemClock

if TYPE_CHECKING:
    from campaign.config import CampaignConfig
    from campaign.store import Store

F = TypeVar("F", bound=Callable[..., Any])


def daemon_options(func: F) -> F:
    """`--verbose` and the hidden accelerated-clock options of both entry points."""
    for option in reversed(
        (
            click.option("--verbose", "-v", is_flag=True, help="Log each send."),
            click.option(
                "--clock-start",
                type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z"]),
                hidden=True,
                help="Rehearsal/testing: run on an accelerated clock starting here.",
            ),
            click.option("--clock-speed", type=float, default=1.0, hidden=True),
            click.option(
                "--clock-origin", type=float, hidden=True, help="Unix time the clock starts at."
            ),
        )
    ):
        func = option(func)
    return func


def daemon_clock(start: datetime | None, speed: float, origin: float | None) -> Clock:
    """The wall clock, or (rehearsals, tests) an accelerated one several processes can share."""
    return SystemClock() if start is None else SpeedClock(start, speed, origin)


def setup_logging(verbose: bool) -> None:
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 PID` prints every thread's stack
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per sweep


def run_daemon(
    config: CampaignConfig, store: Store, clock: Clock, announce: Callable[[str], None]
) -> None:
    """Publish the stored plan until signalled (credentials from the environment)."""
    from scheduler.channels import channels_for
    from scheduler.daemon import Daemon
    from scheduler.runner import DaemonRunner

    store.campaign(config.campaign.slug)  # fails clearly if `campaign plan` never ran
    channels = channels_for(config, os.environ)
    store.clock = clock
    runner = DaemonRunner(Daemon(store, config, channels, clock))
    announce(f"Daemon {runner.daemon.id} publishing {config.campaign.name}; Ctrl-C to stop.")
    runner.run_until_signalled()
