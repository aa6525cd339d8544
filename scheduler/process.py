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
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from campaign.clock import Clock, SpeedClock, SystemClock
from campaign.errors import BadInput, StoreError

if TYPE_CHECKING:
    from campaign.config import CampaignConfig
    from campaign.store import Store
    from scheduler.deployment import LiveDeployment

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("scheduler")
DEFAULT_CONFIG = "config.toml"
DAEMON_HELP = """Run the publishing daemon until SIGTERM/SIGINT (credentials from the environment).

Given a database (--database URL, or CAMPAIGN_DATABASE_URL with no config.toml here), it
publishes every campaign in it and collects their metrics, each with the settings and
accounts stored when it was planned; a campaign planned while it runs is picked up. Given
--config (or, without --database, a config.toml here), it publishes that campaign only.
"""


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


def source_options(func: F) -> F:
    """`--config` and `--database`: which campaigns to publish (`open_deployment` decides).
    Light: `campaign --help` builds these without importing the config model."""
    for option in reversed(
        (
            click.option(
                "--config",
                "config_path",
                type=click.Path(path_type=Path, dir_okay=False),
                envvar="CAMPAIGN_CONFIG",
                help="Publish this campaign only (its config.toml) [default: ./config.toml "
                "when there is one].",
            ),
            click.option(
                "--database",
                "database_url",
                metavar="URL",
                help="Publish every campaign in this database (SQLAlchemy URL), with the "
                "settings and accounts stored when each was planned [default: "
                "$CAMPAIGN_DATABASE_URL when there is no config.toml here].",
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


def open_deployment(
    config_path: Path | None, database_url: str | None, clock: Clock
) -> tuple[Store, LiveDeployment]:
    """What to publish, as `--help` says: the campaign of `--config`; else every campaign in
    `--database`; else the campaign of ./config.toml (as before there were many campaigns);
    else every campaign in $CAMPAIGN_DATABASE_URL. The database must exist (`campaign plan`
    makes it); one an older version made is upgraded."""
    from campaign.config import DATABASE_URL_ENV, load_config
    from campaign.store import Store

    if config_path is None and database_url is None:
        if Path(DEFAULT_CONFIG).is_file():
            config_path = Path(DEFAULT_CONFIG)
        else:
            database_url = os.environ.get(DATABASE_URL_ENV) or None
        if config_path is None and database_url is None:
            raise BadInput(
                f"no {DEFAULT_CONFIG} here and no database named: give --database URL (or set "
                f"{DATABASE_URL_ENV}) to publish every campaign in it, or --config PATH for "
                "one campaign"
            )
    if config_path is not None:
        config = load_config(config_path)
        store = Store.open_existing(database_url or config.database_url(), clock, upgrade=True)
        return store, config_deployment(config, store)
    assert database_url is not None
    store = Store.open_existing(database_url, clock, upgrade=True)
    return store, database_deployment(store, _without_password(database_url))


def config_deployment(config: CampaignConfig, store: Store) -> LiveDeployment:
    """One campaign as its config says (`--config`): fails clearly if it was never planned."""
    from scheduler.deployment import LiveDeployment, environment_channels

    factory = environment_channels(os.environ)
    return LiveDeployment.from_config(store, config, factory=factory)


def database_deployment(store: Store, where: str) -> LiveDeployment:
    """Every campaign in the database (`--database` alone), as planned; credentials from the
    environment variables the stored accounts name."""
    from scheduler.deployment import LiveDeployment, environment_channels

    if not store.publishing.campaign_ids():
        raise StoreError(
            f"the database {where} holds no campaign, so there is nothing to publish: plan "
            "one into it (`CAMPAIGN_DATABASE_URL=URL campaign plan --config CONFIG`), then "
            "start the daemon again"
        )
    return LiveDeployment.from_database(store, None, factory=environment_channels(os.environ))


def run_daemon(
    store: Store, deployment: LiveDeployment, clock: Clock, announce: Callable[[str], None]
) -> None:
    """Publish the stored plan of every campaign in the deployment until signalled."""
    from scheduler.daemon import Daemon
    from scheduler.runner import DaemonRunner

    store.clock = clock
    runner = DaemonRunner(Daemon(store, deployment, clock))
    campaigns = sorted(deployment.campaigns.values(), key=lambda c: c.id)
    names = "; ".join(c.name for c in campaigns)
    what = names if len(campaigns) == 1 else f"{len(campaigns)} campaigns ({names})"
    announce(f"Daemon {runner.daemon.id} publishing {what}; Ctrl-C to stop.")
    for problem in deployment.problems().values():
        log.warning("%s (its posts are held until this is fixed)", problem)
    runner.run_until_signalled()


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
