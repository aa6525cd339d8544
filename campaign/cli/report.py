"""Measuring commands: `metrics collect`, `report`, `audit`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.text import Text

from campaign.cli.context import CliContext, make_console, pass_campaign
from campaign.errors import BadInput
from campaign.outputs import write_output
from campaign.present.times import precise_time

if TYPE_CHECKING:
    from rich.console import Group


@click.group()
def metrics() -> None:
    """Engagement metrics from the platforms."""


@metrics.command("collect")
@pass_campaign
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def collect(cli: CliContext, as_json: bool) -> None:
    """Take a snapshot of every published post now (the daemon also does this at offsets)."""
    from campaign.clock import SystemClock
    from scheduler.deployment import LiveDeployment, environment_channels
    from scheduler.metrics import MetricsCollector

    store = cli.open_store(upgrade=True)
    config = cli.config
    factory = environment_channels(os.environ)
    deployment = LiveDeployment.from_config(store, config, factory=factory)
    report = MetricsCollector(store, deployment, SystemClock()).collect_now()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "snapshots": report.snapshots,
                    "deleted": report.deleted,
                    "unavailable": report.unavailable,
                    "skipped_accounts": report.skipped_accounts,
                },
                indent=2,
            )
        )
        return
    console = make_console()
    console.print(f"Took {report.snapshots} snapshot(s).")
    for key in report.deleted:
        console.print(Text.assemble("  ", (key, "yellow"), ": deleted on the platform"))
    for key, names in report.unavailable.items():
        console.print(f"  {key}: unavailable: {', '.join(names)}")
    for account, why in report.skipped_accounts.items():
        console.print(Text.assemble("  ", (f"{account} skipped", "red"), f": {why}"))


@click.command()
@pass_campaign
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["terminal", "html", "csv", "json"]),
    default="terminal",
    show_default=True,
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write (html/csv/json) [default: build/report.<format> beside the "
    "config]; '-' for standard output (csv/json).",
)
@click.option(
    "--compare",
    "other",
    metavar="SLUG",
    help="Set this campaign beside another in the same database (last year's week), by "
    "campaign day and platform [default file: build/report-vs-SLUG.<format>].",
)
@click.option(
    "--by-account",
    is_flag=True,
    help="Engagement per account over every campaign in the database, with each campaign's "
    "part [default file: build/accounts.<format>].",
)
def report(
    cli: CliContext, fmt: str, output: Path | None, other: str | None, by_account: bool
) -> None:
    """Engagement by day, theme, channel, language and post, with definitions and gaps.

    A pair of posts (one per language, on separate accounts) is one line with both posts'
    figures summed, and each language's post beneath it.
    """
    from campaign.report.dataset import load_dataset
    from campaign.report.export import rows_csv, rows_json
    from campaign.report.summary import summarise

    if other is not None and by_account:
        raise BadInput("--compare and --by-account are two different reports: give one of them")
    cli.whole_database = by_account  # every campaign in the database: no config needed
    if other is not None:
        text, rows, name = _comparison(fmt, cli, other)
    elif by_account:
        text, rows, name = _by_account(fmt, cli)
    else:
        config, store = cli.config, cli.store
        dataset = load_dataset(store, config)
        summary = summarise(dataset)
        if fmt == "terminal":
            from campaign.report.terminal import render_terminal

            text = render_terminal(summary, dataset.latest, config.zone)
        elif fmt == "html":
            from campaign.report.html import render_report_html

            text = render_report_html(dataset, summary, store.clock.now())
        else:
            text = rows_csv(dataset) if fmt == "csv" else rows_json(dataset)
        rows, name = f"{len(dataset.rows)} rows", "report"
    if not isinstance(text, str):
        make_console().print(text)
        return
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    target = output or _folder(cli) / "build" / f"{name}.{fmt}"
    write_output(target, text, create_folder=output is None)
    make_console().print(f"Wrote the {fmt} report ({rows}) to {target}.")


def _folder(cli: CliContext) -> Path:
    """Where default report files go: beside the campaign's config, or (a report on the whole
    database given without one) the current folder."""
    if cli.whole_database and not cli.config_given and not cli.config_path.is_file():
        return Path.cwd()
    return cli.config.base_dir


def _comparison(fmt: str, cli: CliContext, other: str) -> tuple[str | Group, str, str]:
    """The configured campaign beside `other`: the text or renderable, its size, its file name."""
    from campaign.report.compare import compare
    from campaign.report.dataset import load_campaign, load_dataset
    from campaign.report.export import comparison_csv, comparison_json

    this = load_dataset(cli.store, cli.config)
    comparison = compare(this, load_campaign(cli.store, other))
    text: str | Group
    if fmt == "terminal":
        from campaign.report.terminal import render_comparison

        text = render_comparison(comparison)
    elif fmt == "html":
        from campaign.report.comparison_html import render_comparison_html

        text = render_comparison_html(comparison, cli.store.clock.now())
    else:
        text = comparison_csv(comparison) if fmt == "csv" else comparison_json(comparison)
    return text, f"{len(comparison.by_day)} campaign days", f"report-vs-{other}"


def _by_account(fmt: str, cli: CliContext) -> tuple[str | Group, str, str]:
    from campaign.report.accounts import engagement_by_account
    from campaign.report.export import accounts_csv, accounts_json

    accounts = engagement_by_account(cli.store)
    text: str | Group
    if fmt == "terminal":
        from campaign.report.terminal import render_accounts

        text = render_accounts(accounts)
    elif fmt == "html":
        from campaign.report.accounts_html import render_accounts_html

        text = render_accounts_html(accounts, cli.store.clock.now())
    else:
        text = accounts_csv(accounts) if fmt == "csv" else accounts_json(accounts)
    return text, f"{len(accounts)} accounts", "accounts"


@click.command()
@pass_campaign
@click.option(
    "--export",
    "export_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the whole audit trail to this file (for records and FOI requests); '-' for "
    "standard output.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
def audit(cli: CliContext, export_path: Path | None, fmt: str) -> None:
    """Who planned, approved, paused, sent and failed what, when, with platform ids."""
    from rich.table import Table

    from campaign.report.export import audit_csv, audit_json

    facts = cli.facts
    entries = cli.store.audit_log(facts.slug)
    if export_path:
        text = audit_csv(entries) if fmt == "csv" else audit_json(entries)
        if str(export_path) == "-":  # as `report -o -`: a pipe, not a file called "-"
            click.echo(text, nl=False)
            return
        write_output(export_path, text)
        make_console().print(f"Wrote {len(entries)} audit entries to {export_path}.")
        return
    table = Table(title=f"Audit trail – {facts.name}")
    for column in ("When", "Who", "Action", "Post", "Detail"):
        table.add_column(column, overflow="fold")
    for entry in entries[-200:]:
        details = dict(entry.details or {})
        post = str(details.pop("post", "") or "")
        detail = details.get("reason") or details.get("platform_id") or details.get("error") or ""
        table.add_row(
            precise_time(entry.at, facts.zone),
            entry.actor,
            entry.action,
            post,
            str(detail),
        )
    make_console().print(table)
    if len(entries) > 200:
        make_console().print(f"(last 200 of {len(entries)}; --export writes them all)")
