"""`python -m scheduler` runs the publishing daemon, like `campaign daemon`, without the CLI."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from campaign.errors import CampaignError
from scheduler.process import (
    daemon_clock,
    daemon_options,
    open_deployment,
    run_daemon,
    setup_logging,
    source_options,
)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
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
    """Run the publishing daemon until SIGTERM/SIGINT (credentials from the environment).

    Given a database alone (--database URL, or CAMPAIGN_DATABASE_URL with no config.toml
    here), it publishes every campaign in it and collects their metrics, each with the
    settings and accounts stored when it was planned; a campaign planned while it runs is
    picked up. Given --config (or a config.toml here), it publishes that campaign only.
    """
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
