"""`campaign preflight`: before a campaign day, and from cron, everything that would stop a post
going out as approved; each finding located, with what to do."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table
from rich.text import Text

from campaign.cli.context import CliContext, make_console, pass_database

if TYPE_CHECKING:
    from campaign.config import Account
    from campaign.preflight.credentials import AccountCheck, Probed
    from campaign.preflight.findings import PreflightReport

PROBE_TIMEOUT = 10.0
ACTOR = "campaign preflight"


@click.command()
@pass_database
@click.option(
    "--campaign",
    "campaign_slug",
    metavar="SLUG",
    help="Check this stored campaign only [default: every campaign in the database].",
)
@click.option(
    "--hours",
    type=click.FloatRange(min=1, max=24 * 14),
    default=24,
    show_default=True,
    help="How far ahead to look for posts due.",
)
@click.option(
    "--days",
    type=click.IntRange(min=0, max=365),
    default=None,
    help="Warn of tokens that expire within N days [default: each campaign's "
    "[alerts] token_warning_days, 14 unless set].",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output, for monitoring.")
def preflight(
    cli: CliContext, campaign_slug: str | None, hours: float, days: int | None, as_json: bool
) -> None:
    """Check the day ahead: approvals, a daemon alive, caps, images, every account's token.

    \b
    For the posts due in the next --hours: any not approved; images changed on disk since
    approval (the daemon sends the approved copy stored in the database); images Instagram
    and Threads fetch from the account's public address (media_base_url) that are missing
    there or differ from the approved ones; posting caps that do not fit across every
    campaign on an account; held or paused accounts; whether a publishing daemon is alive.
    Every account the campaigns use is probed with one cheap authenticated read, credentials
    taken from the environment variables its settings name:
    a refused token HOLDS the account (its posts wait, the held-account alert is raised), a
    token expiring within --days raises the "token-expiring" alert once. Then the alerts are
    watched (no daemon with a post due soon, morning messages) and the pending ones delivered.

    \b
    Exit 0 when all is clear, 1 when any problem is found, 2 on bad input, 3 on database
    trouble. Meant for cron, with the accounts' variables and the database URL set, e.g.:
      30 6 * * *  . /etc/campaign/env && campaign preflight --json >> /var/log/preflight.log
    """
    from campaign.alerts.service import owner_name, safe_tick
    from campaign.preflight.credentials import check_credentials
    from campaign.preflight.findings import Problem
    from campaign.preflight.media_urls import http_fetch
    from campaign.preflight.run import accounts_in_scope, campaigns_in_scope, run_checks

    store = cli.open_store(upgrade=True)
    now = store.clock.now()
    report = run_checks(store, now, slug=campaign_slug, hours=hours, fetch_media=http_fetch)
    campaigns = campaigns_in_scope(store, campaign_slug)
    probed = check_credentials(
        store,
        accounts_in_scope(store, campaigns),
        _probe,
        now,
        actor=ACTOR,
        environ=os.environ,
        days=days,
        until=report.until,
    )
    report.findings += probed.findings
    # Then the alerts pass: the dead man's switch and morning messages, and delivery of what
    # is pending (this run's held-account and token alerts among them), even with no daemon.
    alerts = safe_tick(store, store.clock, owner_name("preflight"), os.environ)
    delivered = alerts.delivered if alerts is not None else None
    sent = len(delivered.sent) if delivered is not None else 0
    failed = len(delivered.failed) if delivered is not None else 0
    if alerts is None:
        report.findings.append(
            Problem(
                "warning",
                "alerts",
                "alerts",
                "The alerts pass failed this time: alerts raised wait in the outbox.",
                "Nothing to do now: the next pass (a daemon, the dashboard or this check) "
                "sends them; `campaign alerts list` shows them.",
            )
        )
    if as_json:
        data = report.as_dict() | {
            "accounts": [_account_json(a) for a in probed.accounts],
            "alerts": {
                "raised": alerts.raised if alerts is not None else [],
                "sent": sent,
                "failed": failed,
            },
        }
        click.echo(json.dumps(data, indent=2, default=str))
    else:
        _print(report, probed.accounts)
        if sent or failed:
            make_console().print(f"Alerts: {sent} sent, {failed} not delivered (retried later).")
    if not report.ok:
        sys.exit(1)


def _probe(account_id: int, account: Account) -> Probed:
    """One cheap authenticated read with the account's own client (the CLI may use the
    scheduler's channels; the core only receives the answer)."""
    from scheduler.channels import make_channel

    channel = make_channel(account, os.environ, timeout=PROBE_TIMEOUT)
    try:
        return channel.probe()
    finally:
        close = getattr(channel, "close", None)
        if close is not None:
            close()


def _account_json(check: AccountCheck) -> dict[str, Any]:
    return {
        "account": check.account,
        "platform": check.platform,
        "name": check.name,
        "campaign": check.campaign,
        "status": check.status,
        "seen_as": check.seen_as,
        "expires_at": check.expires_at.isoformat() if check.expires_at else None,
        "held_now": check.held,
        "alerted": check.alerted,
    }


def _print(report: PreflightReport, accounts: list[AccountCheck]) -> None:
    console = make_console()
    if accounts:
        table = Table(title="Accounts", title_justify="left")
        for column in ("account", "platform", "credentials", "the platform says", "expires"):
            table.add_column(column)
        for check in accounts:
            style = "green" if check.status == "ok" else "red"
            expires = f"{check.expires_at:%Y-%m-%d %H:%M} UTC" if check.expires_at else "never"
            table.add_row(
                check.account,
                check.platform,
                Text(check.status, style=style),
                check.seen_as or "",
                expires if check.status == "ok" else "",
            )
        console.print(table)
    if report.findings:
        table = Table(title="Findings", title_justify="left", show_lines=True)
        for column in ("", "where", "what is wrong", "what to do"):
            table.add_column(column, overflow="fold")
        for finding in report.findings:
            style = "bold red" if finding.severity == "problem" else "yellow"
            table.add_row(
                Text(finding.severity, style=style), finding.where, finding.what, finding.fix
            )
        console.print(table)
    hours = (report.until - report.now).total_seconds() / 3600
    ahead = f"the next {hours:g} hours"
    if report.ok:
        summary = Text.assemble(("All clear", "bold green"), f" for {ahead}")
        if report.warnings:
            summary.append(f" ({len(report.warnings)} warning(s) above)")
    else:
        summary = Text.assemble(
            (f"{len(report.problems)} problem(s)", "bold red"),
            f" and {len(report.warnings)} warning(s) for {ahead}: see what to do above.",
        )
    console.print(summary)
