"""Publishing commands: pause, resume, daemon, sandbox, rehearse. Registered on `campaign`."""

from __future__ import annotations

import faulthandler
import logging
import os
import signal
from datetime import datetime
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from campaign.cli import _console, actor_option, config_option, handle_errors, main, open_store
from campaign.config import load_config
from campaign.errors import BadInput, DatabaseFailure, NotPaused
from campaign.outputs import prepare_folder
from campaign.present.times import short_time
from campaign.store import PAUSE_PATIENCE
from campaign.store.audit import Actor


@main.command()
@config_option
@actor_option
@click.option("--reason", required=True, help="Why (required; audited), e.g. 'critical incident'.")
@click.option("--account", help="Pause one account (e.g. x) instead of the whole campaign.")
@click.option(
    "--wait",
    "patience",
    type=click.FloatRange(0),
    default=PAUSE_PATIENCE,
    show_default=True,
    help="Seconds to keep trying while the database is busy.",
)
@handle_errors
def pause(config_path: Path, actor: str, reason: str, account: str | None, patience: float) -> None:
    """Stop all publishing now, on every daemon; the schedule is kept."""
    config = load_config(config_path)
    store = open_store(config, upgrade=True)
    store.pause_patience = patience
    try:
        store.pause(config.campaign.slug, Actor.cli(actor), reason, account)
    except DatabaseFailure as exc:
        raise NotPaused(patience, account) from exc
    what = f"account {account}" if account else config.campaign.name
    _console().print(
        Text.assemble(
            ("PAUSED", "bold red"),
            f" {what}: nothing more will be claimed for sending. Resume with `campaign resume`.",
        )
    )


@main.command()
@config_option
@actor_option
@click.option("--reason", default="resumed", show_default=True, help="Why, for the audit log.")
@click.option("--account", help="Resume one account; also clears a 'needs new credentials' hold.")
@handle_errors
def resume(config_path: Path, actor: str, reason: str, account: str | None) -> None:
    """Continue publishing; posts whose time passed beyond the grace window become missed.

    Partial threads (some parts public) are finished, even past the grace window.
    """
    config = load_config(config_path)
    open_store(config, upgrade=True).resume(config.campaign.slug, Actor.cli(actor), reason, account)
    _console().print(f"Resumed {('account ' + account) if account else config.campaign.name}.")


@main.command()
@config_option
@actor_option
@click.argument("key")
@click.option("--reason", required=True, help="Why the rest will not be sent (required; audited).")
@handle_errors
def abandon(config_path: Path, actor: str, key: str, reason: str) -> None:
    """Give up the rest of a partial thread (approvers only); its public parts stay."""
    from campaign.present.threads import abandoned
    from campaign.store.users import UserError, find_user

    config = load_config(config_path)
    store = open_store(config)
    user = find_user(store, actor)
    if user is None or not user.can("approve"):
        raise UserError(
            f"only an approver may abandon a thread, and {actor!r} is not one: name an approver "
            "with --by (or $CAMPAIGN_USER); `campaign users add NAME --role approver` makes one"
        )
    row = store.abandon(config.campaign.slug, key, actor, reason)
    _console().print(abandoned(row))


@main.command()
@config_option
@click.option("--verbose", "-v", is_flag=True, help="Log each send.")
@click.option(
    "--clock-start",
    type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z"]),
    hidden=True,
    help="Rehearsal/testing: run on an accelerated clock starting here.",
)
@click.option("--clock-speed", type=float, default=1.0, hidden=True)
@click.option("--clock-origin", type=float, hidden=True, help="Unix time the clock starts at.")
@handle_errors
def daemon(
    config_path: Path,
    verbose: bool,
    clock_start: datetime | None,
    clock_speed: float,
    clock_origin: float | None,
) -> None:
    """Run the publishing daemon until SIGTERM/SIGINT (credentials from the environment)."""
    from campaign.clock import Clock, SpeedClock, SystemClock
    from scheduler.channels import channels_for
    from scheduler.daemon import Daemon
    from scheduler.runner import DaemonRunner

    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 PID` prints every thread's stack
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per sweep
    config = load_config(config_path)
    store = open_store(config, upgrade=True)
    store.campaign(config.campaign.slug)  # fails clearly if `campaign plan` never ran
    channels = channels_for(config, os.environ)
    clock: Clock = SystemClock()
    if clock_start is not None:
        clock = SpeedClock(clock_start, clock_speed, clock_origin)
        store.clock = clock
    runner = DaemonRunner(Daemon(store, config, channels, clock))
    _console().print(
        f"Daemon {runner.daemon.id} publishing {config.campaign.name}; Ctrl-C to stop."
    )
    runner.run_until_signalled()


@main.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8787, show_default=True, type=int)
@handle_errors
def sandbox(config_path: Path, host: str, port: int) -> None:
    """Serve the local X and Facebook sandbox to rehearse against (Ctrl-C to stop)."""
    from scheduler.sandbox import PlatformSandbox, SandboxSettings, run_sandbox

    config = load_config(config_path)
    console = _console()

    def ready(running: PlatformSandbox) -> None:
        console.print(f"X API v2 sandbox:   {running.x_base_url}")
        console.print(f"Graph API sandbox:  {running.graph_base_url}")
        console.print(
            "Point each account's base_url in a copy of config.toml at these, and "
            "export the sandbox's (fake) credentials:"
        )
        for name, value in running.credentials(config.accounts.values()).items():
            console.print(f"  export {name}={value}", markup=False)

    run_sandbox(host, port, SandboxSettings(), list(config.accounts.values()), ready=ready)


@main.command()
@config_option
@click.option(
    "--speed",
    type=float,
    default=10_000,
    show_default=True,
    help="How many times faster than real time (10,000: a week in about a minute).",
)
@click.option(
    "--database",
    "database_url",
    help="Rehearsal database URL [default: build/rehearsal.db beside the config]. "
    "A SQLite file is started afresh.",
)
@click.option(
    "--faults",
    type=float,
    default=0.0,
    show_default=True,
    help="Rate of injected platform faults (429s, 5xx, lost replies, late creates), 0 to 1.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable summary.")
@click.option("--verbose", "-v", is_flag=True, help="Log retries and reconciliations.")
@handle_errors
def rehearse(
    config_path: Path,
    speed: float,
    database_url: str | None,
    faults: float,
    as_json: bool,
    verbose: bool,
) -> None:
    """Publish the whole week to the local sandbox with time accelerated, and summarise."""
    import json

    from campaign.store import Store
    from scheduler.rehearsal import rehearse as run
    from scheduler.sandbox import SandboxSettings

    logging.basicConfig(
        level=logging.INFO if verbose else logging.ERROR,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    config = load_config(config_path)
    url = database_url or f"sqlite:///{config.base_dir / 'build' / 'rehearsal.db'}"
    _fresh_sqlite(url, create_folder=database_url is None)
    store = Store.open(url)
    share = faults / 4
    settings = SandboxSettings(
        rate_429=share,
        rate_5xx=share,
        rate_drop_after_create=share,
        rate_late_create=share,  # finished by the platform after the client gave up
        seed=7,
    )
    total = sum(len(day.posts) for day in config.days)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} published"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=_console(), disable=as_json, transient=False) as bar:
        task = bar.add_task("rehearsing", total=total)

        def progress(now, outcomes) -> None:  # noqa: ANN001
            when = short_time(now, config.zone)
            bar.update(task, completed=outcomes.get("published", 0), description=when)

        summary = run(config, store, speed=speed, settings=settings, progress=progress)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "states": dict(summary.states),
                    "retries": summary.retries,
                    "duplicates": summary.duplicates,
                    "real_seconds": round(summary.real_seconds, 1),
                    "missed": summary.missed_reasons,
                    "failed": summary.failed_reasons,
                    "database": url,
                },
                indent=2,
            )
        )
    else:
        table = Table(title=f"Rehearsal of {config.campaign.name}")
        table.add_column("")
        table.add_column("posts", justify="right")
        for state in ("published", "partial", "failed", "missed", "cancelled", "draft"):
            table.add_row(state, str(summary.states.get(state, 0)))
        table.add_row("retries", str(summary.retries))
        table.add_row("duplicates", str(summary.duplicates))
        console = _console()
        console.print(table)
        for key, why in {**summary.missed_reasons, **summary.failed_reasons}.items():
            console.print(Text.assemble("  ", (key, "red"), f": {why}"))
        console.print(
            f"Simulated {summary.simulated} in {summary.real_seconds:.1f} s; database {url}"
        )
    if summary.duplicates:
        raise SystemExit(1)


def _fresh_sqlite(url: str, *, create_folder: bool) -> None:
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise BadInput(
            "a rehearsal needs a SQLite file it can start afresh: give --database "
            "sqlite:///PATH or leave it out"
        )
    path = Path(url[len(prefix) :])
    prepare_folder(path, create=create_folder)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
