"""`python -m scheduler` runs the publishing daemon, like `campaign daemon`, without the CLI."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from campaign.config import load_config
from campaign.errors import CampaignError
from campaign.store import Store
from scheduler.process import daemon_clock, daemon_options, run_daemon, setup_logging


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default="config.toml",
    envvar="CAMPAIGN_CONFIG",
    show_default=True,
    help="The campaign's config.toml.",
)
@daemon_options
def main(
    config_path: Path,
    verbose: bool,
    clock_start: datetime | None,
    clock_speed: float,
    clock_origin: float | None,
) -> None:
    """Run the publishing daemon until SIGTERM/SIGINT (credentials from the environment)."""
    setup_logging(verbose)
    try:
        config = load_config(config_path)
        clock = daemon_clock(clock_start, clock_speed, clock_origin)
        store = Store.open_existing(config.database_url(), clock, upgrade=True)
        run_daemon(config, store, clock, click.echo)
    except CampaignError as exc:  # the CLI's exit codes: 2 bad input, 3 database trouble
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main(prog_name="python -m scheduler")
