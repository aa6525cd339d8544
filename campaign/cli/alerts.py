"""`campaign alerts list|send|test`: what was raised and where it went, send what is due now,
and prove a channel works."""

from __future__ import annotations

import json
import os
import socket
from typing import TYPE_CHECKING, Any

import click
from rich.text import Text

from campaign.cli.context import (
    CliContext,
    actor_option,
    make_console,
    pass_campaign,
    pass_database,
)

if TYPE_CHECKING:
    from rich.table import Table

    from campaign.alerts.delivery import DeliveryReport
    from campaign.store.alerts_api import AlertSummary, DeliveryState


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def alerts() -> None:
    """Alerts: what was raised, where it went, and whether each channel works.

    Alerts (a post failed or was missed, an account held, the publishing service not running...)
    are kept in the database and sent by the publishing daemon and the dashboard to the channels
    under [alerts.channels] in config.toml: email, Microsoft Teams, Slack or a webhook.
    """


@alerts.command("list")
@pass_database
@click.option(
    "--campaign",
    "slug",
    metavar="SLUG",
    help="Only this campaign's alerts (`campaign list` shows the campaigns).",
)
@click.option(
    "--limit", type=click.IntRange(1, 1000), default=50, show_default=True, help="How many."
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_alerts(cli: CliContext, slug: str | None, limit: int, as_json: bool) -> None:
    """List the latest alerts and where each went.

    Newest first; for each channel: sent, waiting to be tried again (and why), or given up.
    Times are in each campaign's own timezone. Read-only.
    """
    store = cli.store
    if slug is not None:
        _known_campaign(cli, slug)
    found = store.alerts.recent(slug, limit=limit)
    failing = store.alerts.failing_channels()
    if as_json:
        data = {
            "alerts": [alert_json(alert) for alert in found],
            "failing_channels": [channel.as_dict() for channel in failing],
        }
        click.echo(json.dumps(data, indent=2, default=str))
        return
    console = make_console()
    if not found:
        console.print("No alert has been raised yet.")
        return
    console.print(alerts_table(found, "Alerts"))


def alerts_table(found: list[AlertSummary], title: str) -> Table:
    """The alerts as a table: when (in each campaign's zone), what, and where each went."""
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for column in ("When", "Campaign", "Severity", "What", "Where it went"):
        table.add_column(column)
    for alert in found:
        table.add_row(
            _local(alert.created_at, alert.timezone),
            alert.campaign or "–",
            Text(alert.severity, SEVERITY_STYLE.get(alert.severity, "")),
            alert.title,
            Text(
                "\n".join(_delivery_words(d, alert.timezone) for d in alert.deliveries)
                or "no channel wanted it"
            ),
        )
    return table


SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": ""}


@alerts.command("send")
@pass_database
@click.option(
    "--limit",
    type=click.IntRange(1, 1000),
    default=50,
    show_default=True,
    help="Send at most this many.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def send(cli: CliContext, limit: int, as_json: bool) -> None:
    """Raise the alerts due now and send every alert waiting.

    Raised here: the dead man's switch (a post due soon and no publishing daemon alive) and the
    morning messages; each is raised once, whoever raises it. The publishing daemon and the
    dashboard do this every 30 seconds; run it from cron too, so someone is told when every
    daemon is dead and the dashboard is not running, e.g. every five minutes:
      */5 * * * *  . /etc/campaign/env && campaign alerts send --json >> /var/log/alerts.log

    The secrets (mail password, webhook addresses) are read from the environment variables the
    channels name. Exits 1 if any alert could not be sent: it is kept and tried again later.
    """
    from campaign.alerts.service import tick

    store = cli.open_store(upgrade=True)
    passed = tick(store, store.clock, _owner(), os.environ, limit=limit)
    report = passed.delivered
    if as_json:
        click.echo(json.dumps({"raised": passed.raised, **report.as_dict()}, indent=2))
    else:
        for key in passed.raised:
            make_console().print(Text.assemble(("raised", "bold"), f" {key}"))
        _print_report(report, waiting=store.alerts.waiting())
    if not report.ok:
        raise SystemExit(1)


@alerts.command("test")
@pass_campaign
@click.argument("channel")
@actor_option
def test(cli: CliContext, channel: str, actor: str) -> None:
    """Send a test message to CHANNEL at once, to check that alerts reach it.

    CHANNEL is a name under [alerts.channels] of the config, as written now (so a channel can
    be tried before the campaign is planned again); with --campaign SLUG, as the campaign's
    last `campaign plan` stored them. Exits 1 with the reason if the message could not be sent
    (it is not tried again), 2 if the campaign has no such channel.
    """
    from campaign.alerts.delivery import deliver_due
    from campaign.errors import AlertNotSent
    from campaign.store.audit import Actor
    from campaign.store.outbox import alert_settings

    store = cli.open_store(upgrade=True)
    written = None if cli.campaign_slug is not None else cli.config.alerts.channels
    delivery = store.alerts.raise_test(cli.slug, channel, Actor.cli(actor), channels=written)
    report = deliver_due(store, store.clock, _owner(), os.environ, only={delivery}, retry=False)
    failed = report.failed
    if failed or not report.sent:
        reason = failed[0].error if failed else "another process took it first"
        raise AlertNotSent(f"the test message to {channel} was not sent: {reason}")
    console = make_console()
    console.print(
        Text.assemble(("Sent", "bold green"), f" a test message to {channel}: look for it there.")
    )
    stored = alert_settings(store.campaign(cli.slug)).channels.get(channel)
    if written is not None and stored != written.get(channel):
        console.print(
            f"The config's settings for {channel} are not stored yet: run `campaign plan` so "
            "that alerts use them."
        )


def _known_campaign(cli: CliContext, slug: str) -> None:
    from campaign.errors import CampaignNotFound

    known = [row.slug for row in cli.store.campaigns()]
    if slug not in known:
        raise CampaignNotFound(slug, known)


def _owner() -> str:
    return f"cli:{socket.gethostname()}:{os.getpid()}"


def _local(moment: Any, timezone: str) -> str:
    from zoneinfo import ZoneInfo

    from campaign.present.times import record_time

    return record_time(moment, ZoneInfo(timezone)) if moment is not None else ""


def _delivery_words(delivery: DeliveryState, timezone: str) -> str:
    """'duty-email: sent 10:02' / 'comms-teams: waiting (3 tries: the webhook answered 503)'."""
    tries = "1 try" if delivery.attempts == 1 else f"{delivery.attempts} tries"
    if delivery.state == "sent":
        return f"{delivery.channel}: sent {_local(delivery.sent_at, timezone)}"
    if delivery.state == "given-up":
        return f"{delivery.channel}: given up after {tries} ({delivery.last_error})"
    if delivery.attempts == 0:
        return f"{delivery.channel}: waiting to be sent"
    return (
        f"{delivery.channel}: not sent yet ({tries}: {delivery.last_error}); next try "
        f"{_local(delivery.next_attempt_at, timezone)}"
    )


def alert_json(alert: AlertSummary) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(alert.timezone)
    data = alert.as_dict()
    data["created_at"] = alert.created_at.isoformat()
    data["local_time"] = alert.created_at.astimezone(zone).isoformat()
    data["deliveries"] = [
        {
            **d,
            **{
                name: d[name].astimezone(zone).isoformat() if d[name] is not None else None
                for name in ("last_attempt_at", "next_attempt_at", "sent_at")
            },
        }
        for d in data["deliveries"]
    ]
    return data


def _print_report(report: DeliveryReport, *, waiting: int = 0) -> None:
    console = make_console()
    later = (
        f"; {waiting} waiting to be tried again later (`campaign alerts list` says why)"
        if waiting
        else ""
    )
    if not report.outcomes:
        console.print(f"Nothing due to be sent now{later or ': every alert has been sent'}.")
        return
    for outcome in report.outcomes:
        if outcome.sent:
            console.print(Text.assemble(("sent", "green"), f" {outcome.key}"))
        elif outcome.given_up:
            console.print(
                Text.assemble(("given up", "bold red"), f" {outcome.key}: {outcome.error}")
            )
        else:
            console.print(
                Text.assemble(
                    ("not sent", "bold yellow"),
                    f" {outcome.key}: {outcome.error} (kept; tried again later)",
                )
            )
    console.print(f"{len(report.sent)} sent, {len(report.failed)} not sent{later}")
