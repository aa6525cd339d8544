"""Measuring commands: `metrics collect`, `report`, `audit`. Registered on `campaign`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from rich.text import Text

from campaign.cli import _console, config_option, handle_errors, main, open_store
from campaign.config import load_config
from campaign.outputs import write_output
from campaign.present.times import precise_time


@main.group()
def metrics() -> None:
    """Engagement metrics from the platforms."""


@metrics.command("collect")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def collect(config_path: Path, as_json: bool) -> None:
    """Take a snapshot of every published post now (the daemon also does this at offsets)."""
    from campaign.clock import SystemClock
    from scheduler.channels import channels_for
    from scheduler.metrics import MetricsCollector

    config = load_config(config_path)
    store = open_store(config, upgrade=True)
    channels = channels_for(config, os.environ)
    report = MetricsCollector(store, config, channels, SystemClock()).collect_now()
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
    console = _console()
    console.print(f"Took {report.snapshots} snapshot(s).")
    for key in report.deleted:
        console.print(Text.assemble("  ", (key, "yellow"), ": deleted on the platform"))
    for key, names in report.unavailable.items():
        console.print(f"  {key}: unavailable: {', '.join(names)}")
    for account, why in report.skipped_accounts.items():
        console.print(Text.assemble("  ", (f"{account} skipped", "red"), f": {why}"))


@main.command()
@config_option
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
@handle_errors
def report(config_path: Path, fmt: str, output: Path | None) -> None:
    """Engagement by campaign, day, theme, channel and post, with definitions and gaps."""
    from campaign.report.dataset import load_dataset
    from campaign.report.export import rows_csv, rows_json
    from campaign.report.summary import summarise

    config = load_config(config_path)
    store = open_store(config)
    dataset = load_dataset(store, config)
    summary = summarise(dataset)
    if fmt == "terminal":
        from campaign.report.terminal import render_terminal

        _console().print(render_terminal(summary, dataset.latest, config.zone))
        return
    if fmt == "html":
        from campaign.report.html import render_report_html

        text = render_report_html(dataset, summary, store.clock.now())
    else:
        text = rows_csv(dataset) if fmt == "csv" else rows_json(dataset)
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    target = output or config.base_dir / "build" / f"report.{fmt}"
    write_output(target, text, create_folder=output is None)
    _console().print(f"Wrote the {fmt} report ({len(dataset.rows)} rows) to {target}.")


@main.command()
@config_option
@click.option(
    "--export",
    "export_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the whole audit trail to this file (for records and FOI requests).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@handle_errors
def audit(config_path: Path, export_path: Path | None, fmt: str) -> None:
    """Who planned, approved, paused, sent and failed what, when, with platform ids."""
    from rich.table import Table

    from campaign.report.export import audit_csv, audit_json

    config = load_config(config_path)
    entries = open_store(config).audit_log(config.campaign.slug)
    if export_path:
        write_output(export_path, audit_csv(entries) if fmt == "csv" else audit_json(entries))
        _console().print(f"Wrote {len(entries)} audit entries to {export_path}.")
        return
    table = Table(title=f"Audit trail – {config.campaign.name}")
    for column in ("When", "Who", "Action", "Post", "Detail"):
        table.add_column(column, overflow="fold")
    for entry in entries[-200:]:
        details = dict(entry.details or {})
        post = str(details.pop("post", "") or "")
        detail = details.get("reason") or details.get("platform_id") or details.get("error") or ""
        table.add_row(
            precise_time(entry.at, config.zone),
            entry.actor,
            entry.action,
            post,
            str(detail),
        )
    _console().print(table)
    if len(entries) > 200:
        _console().print(f"(last 200 of {len(entries)}; --export writes them all)")
