"""`python -m scheduler` runs the publishing daemon, like `campaign daemon`, without the CLI."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from campaign.errors import CampaignError
from scheduler.process import (
    DAEMON_HELP,
    daemon_clock,
    daemon_options,
    open_deployment,
    run_daemon,
    setup_logging,
    source_options,
)


@click.command(help=DAEMON_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@source_options
@daemon_options
def main(
    config_path: Path | None,
    database_url: str | None,
    verbose: bool,
    clock_start: datetime | None,
    clock_speed: float,
    clock_origin: float | None,
) -> None:
    """The daemon without the CLI (its help is DAEMON_HELP, shared with `campaign daemon`)."""
    setup_logging(verbose)
    try:
        clock = daemon_clock(clock_start, clock_speed, clock_origin)
        store, deployment = open_deployment(config_path, database_url, clock)
        run_daemon(store, deployment, clock, click.echo)
    except CampaignError as exc:  # the CLI's exit codes: 2 bad input, 3 database trouble
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main(prog_name="python -m scheduler")
