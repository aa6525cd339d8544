"""Publishing commands: pause, resume, abandon, daemon, sandbox, rehearse.

The daemon itself is `scheduler.process`, shared with `python -m scheduler`.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.text import Text

from campaign.cli.context import CliContext, actor_option, make_console, pass_campaign, pass_cli
from campaign.defaults import PAUSE_PATIENCE
from campaign.errors import BadInput, DatabaseFailure, NotPaused
from campaign.present.times import short_time
from campaign.states import PostState

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from campaign.config import CampaignConfig
    from scheduler.rehearsal import RehearsalSummary
from scheduler.process import (
    DAEMON_HELP,
    daemon_clock,
    daemon_options,
    open_deployment,
    run_daemon,
    setup_logging,
    source_options,
)


@click.command()
@pass_campaign
@actor_option
@click.option("--reason", required=True, help="Why (required; audited), e.g. 'critical incident'.")
@click.option(
    "--account",
    help="Pause one account (e.g. x) instead of the whole campaign: in every campaign that "
    "uses it.",
)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Pause everything: every campaign in the database.",
)
@click.option(
    "--wait",
    "patience",
    type=click.FloatRange(0),
    default=PAUSE_PATIENCE,
    show_default=True,
    help="Seconds to keep trying while the database is busy.",
)
def pause(
    cli: CliContext,
    actor: str,
    reason: str,
    account: str | None,
    everything: bool,
    patience: float,
) -> None:
    """Stop all publishing now, on every daemon; the schedule is kept.

    \b
    The campaign (as named by --config or --campaign), one account in every campaign that
    uses it (--account KEY), or everything in the database (--all).
    """
    from campaign.cli.pausing import pause_line
    from campaign.store.audit import Actor

    _one_scope(cli, account, everything)
    store = cli.open_store(upgrade=True)
    store.pause_patience = patience
    who = Actor.cli(actor)
    try:
        if everything:
            store.pause_everything(who, reason)
        else:
            store.pause(cli.slug, who, reason, account=account)
    except DatabaseFailure as exc:
        raise NotPaused(patience, account, everything=everything) from exc
    make_console().print(pause_line(cli, store, account, everything))


@click.command()
@pass_campaign
@actor_option
@click.option("--reason", default="resumed", show_default=True, help="Why, for the audit log.")
@click.option(
    "--account",
    help="Resume one account, in every campaign that uses it; also clears a 'needs new "
    "credentials' hold.",
)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Lift a pause of everything (campaigns and accounts paused on their own stay paused).",
)
def resume(cli: CliContext, actor: str, reason: str, account: str | None, everything: bool) -> None:
    """Continue publishing; posts whose time passed beyond the grace window become missed.

    Partial threads (some parts public) are finished, even past the grace window.
    """
    from campaign.cli.pausing import resume_line
    from campaign.store.audit import Actor

    _one_scope(cli, account, everything)
    store = cli.open_store(upgrade=True)
    if everything:
        store.resume_everything(Actor.cli(actor), reason)
    else:
        store.resume(cli.slug, Actor.cli(actor), reason, account=account)
    make_console().print(resume_line(cli, store, account, everything))


def _one_scope(cli: CliContext, account: str | None, everything: bool) -> None:
    """--all is everything: not with --account or --campaign; it needs no config."""
    if everything and account:
        raise click.UsageError("--all is every campaign and account: give it without --account")
    if everything and cli.campaign_slug:
        raise click.UsageError("--all is every campaign: give it without --campaign")
    cli.whole_database = everything


@click.command()
@pass_campaign
@actor_option
@click.argument("key")
@click.option("--reason", required=True, help="Why the rest will not be sent (required; audited).")
def abandon(cli: CliContext, actor: str, key: str, reason: str) -> None:
    """Give up the rest of a partial thread (approvers only); its public parts stay."""
    from campaign.present.threads import abandoned
    from campaign.store.users import UserError, find_user

    slug = cli.slug
    store = cli.store
    user = find_user(store, actor)
    if user is None or not user.can("approve"):
        raise UserError(
            f"only an approver may abandon a thread, and {actor!r} is not one: name an approver "
            "with --by (or $CAMPAIGN_USER); `campaign users add NAME --role approver` makes one"
        )
    row = store.abandon(slug, key, actor, reason)

    make_console().print(abandoned(row))


@click.command(help=DAEMON_HELP)
@source_options
@daemon_options
def daemon(
    config_path: Path | None,
    database_url: str | None,
    verbose: bool,
    clock_start: datetime | None,
    clock_speed: float,
    clock_origin: float | None,
) -> None:
    """The daemon (its help is DAEMON_HELP, shared with `python -m scheduler`)."""
    setup_logging(verbose)
    clock = daemon_clock(clock_start, clock_speed, clock_origin)
    store, deployment = open_deployment(config_path, database_url, clock)
    run_daemon(store, deployment, clock, make_console().print)


@click.command()
@pass_cli
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8787, show_default=True, type=int)
def sandbox(cli: CliContext, host: str, port: int) -> None:
    """Serve the local platform sandbox to rehearse against (Ctrl-C to stop)."""
    from campaign.present.platforms import display_name
    from scheduler.sandbox import PlatformSandbox, SandboxSettings, run_sandbox
    from scheduler.sandbox.facade import DOUBLES

    config = cli.config
    console = make_console()

    def ready(running: PlatformSandbox) -> None:
        for platform in ("x", "facebook", *DOUBLES):
            label = f"{display_name(platform)} sandbox:"
            console.print(f"{label:<22}{running.base_url(platform)}")
        console.print(f"{'Public image address:':<22}{running.media_base_url}")
        console.print(
            "Point each account's base_url (and media_base_url) in a copy of config.toml at "
            "these, and export the sandbox's (fake) credentials:"
        )
        for name, value in running.credentials(config.accounts.values()).items():
            console.print(f"  export {name}={value}", markup=False)

    run_sandbox(host, port, SandboxSettings(), list(config.accounts.values()), ready=ready)


@click.command()
@pass_cli
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
def rehearse(
    cli: CliContext,
    speed: float,
    database_url: str | None,
    faults: float,
    as_json: bool,
    verbose: bool,
) -> None:
    """Publish the whole week to the local sandbox with time accelerated, and summarise."""
    import json

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from campaign.store import Store
    from scheduler.rehearsal import rehearse as run
    from scheduler.sandbox import SandboxSettings

    logging.basicConfig(
        level=logging.INFO if verbose else logging.ERROR,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    config = cli.config
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
    with Progress(*columns, console=make_console(), disable=as_json, transient=False) as bar:
        task = bar.add_task("rehearsing", total=total)

        def progress(now: datetime, outcomes: Counter[str]) -> None:
            when = short_time(now, config.zone)
            bar.update(task, completed=outcomes.get("published", 0), description=when)

        summary = run(config, store, speed=speed, settings=settings, progress=progress)
    if as_json:
        from campaign.cli.alerts import alert_json

        click.echo(
            json.dumps(
                {
                    "states": dict(summary.states),
                    "retries": summary.retries,
                    "duplicates": summary.duplicates,
                    "real_seconds": round(summary.real_seconds, 1),
                    "missed": summary.missed_reasons,
                    "failed": summary.failed_reasons,
                    "alerts": [alert_json(alert) for alert in summary.alerts],
                    "alerts_received": summary.alerts_received,
                    "platforms": {
                        name: {
                            "expected": tally.expected,
                            "once": tally.once,
                            "duplicates": tally.duplicates,
                        }
                        for name, tally in summary.platforms.items()
                        if tally.expected or tally.duplicates
                    },
                    "database": url,
                },
                indent=2,
            )
        )
    else:
        table = Table(title=f"Rehearsal of {config.campaign.name}")
        table.add_column("")
        table.add_column("posts", justify="right")
        for state in (
            PostState.PUBLISHED,
            PostState.PARTIAL,
            PostState.FAILED,
            PostState.MISSED,
            PostState.CANCELLED,
            PostState.DRAFT,
        ):
            table.add_row(state, str(summary.states.get(state, 0)))
        table.add_row("retries", str(summary.retries))
        table.add_row("duplicates", str(summary.duplicates))
        console = make_console()
        console.print(table)
        console.print(_platforms_table(summary))
        for key, why in {**summary.missed_reasons, **summary.failed_reasons}.items():
            console.print(Text.assemble("  ", (key, "red"), f": {why}"))
        _print_alerts(console, summary, config)
        console.print(
            f"Simulated {summary.simulated} in {summary.real_seconds:.1f} s; database {url}"
        )
    if summary.duplicates:
        raise SystemExit(1)


def _platforms_table(summary: RehearsalSummary) -> Table:
    """What each platform's sandbox received: every text the plan sends there, once."""
    from rich.table import Table

    from campaign.present.platforms import display_name

    table = Table(title="What each platform received (counted by its sandbox)")
    table.add_column("platform")
    table.add_column("texts planned", justify="right")
    table.add_column("arrived once", justify="right")
    table.add_column("extra copies", justify="right")
    for name, tally in summary.platforms.items():
        if tally.expected or tally.duplicates:
            style = "" if tally.exactly_once else "red"
            table.add_row(
                display_name(name),
                str(tally.expected),
                str(tally.once),
                str(tally.duplicates),
                style=style,
            )
    return table


def _print_alerts(console: Console, summary: RehearsalSummary, config: CampaignConfig) -> None:
    """What the week would have told people, as sent to the rehearsal's local stand-ins."""
    from campaign.cli.alerts import alerts_table
    from scheduler.rehearsal_alerts import AlertStandIns

    if not summary.alerts:
        console.print("No alert was raised: nothing went wrong and no morning message was due.")
        return
    whose = (
        "example channels (an email list told everything, a Teams channel told what is "
        "critical): add your own under [alerts.channels] in the config"
        if AlertStandIns.examples_used(config.alerts)
        else "your channels"
    )
    title = f"Alerts the week raised, sent to stand-ins for {whose}"
    console.print(alerts_table(summary.alerts, title))
    received = ", ".join(f"{count} by {kind}" for kind, count in summary.alerts_received.items())
    console.print(f"The local stand-ins received {received}; nothing left this machine.")


def _fresh_sqlite(url: str, *, create_folder: bool) -> None:
    from campaign.outputs import prepare_folder

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
