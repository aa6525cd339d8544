"""`campaign list`: every campaign in the database, its dates, timezone and posts' states."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

import click
from rich.text import Text

from campaign.cli.context import CliContext, make_console, pass_database
from campaign.states import PostState

if TYPE_CHECKING:
    from campaign.summaries import CampaignSummary

# The states a list shows, in the order a campaign moves through them.
STATE_ORDER = [state.value for state in PostState]


@click.command("list")
@pass_database
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_campaigns(cli: CliContext, as_json: bool) -> None:
    """List every campaign in the database: dates, timezone, posts by state, paused or not.

    \b
    The database is --database, else the config's (./config.toml, or $CAMPAIGN_DATABASE_URL).
    Read-only: nothing is created or changed.
    """
    from rich.table import Table

    from campaign.cli.status import everything_json
    from campaign.cli.tables import STATE_STYLE
    from campaign.summaries import campaign_summaries

    summaries = campaign_summaries(cli.store)
    everything = everything_json(cli.store)
    if as_json:
        data = {"everything_paused": everything, "campaigns": [s.as_dict() for s in summaries]}
        click.echo(json.dumps(data, indent=2))
        return
    console = make_console()
    if everything:
        console.print(
            Text(
                f"EVERYTHING IS PAUSED (by {everything['by']}: {everything['reason']}): no "
                "campaign below is publishing; `campaign resume --all` lifts it.",
                "bold red",
            )
        )
    if not summaries:
        console.print("No campaign is stored in this database yet: `campaign plan` stores one.")
        return
    table = Table(title=f"Campaigns ({len(summaries)})")
    for column in (
        "Campaign (--campaign SLUG)",
        "Dates",
        "Timezone",
        "Posts",
        "By state",
        "Publishing",
    ):
        table.add_column(column, overflow="fold", justify="right" if column == "Posts" else "left")
    for summary in summaries:
        states = Text()
        for state in sorted(summary.states, key=_state_rank):
            if states:
                states.append(", ")
            states.append(f"{summary.states[state]} {state}", STATE_STYLE.get(state, ""))
        table.add_row(
            Text.assemble(summary.name, "\n", (summary.slug, "cyan")),
            _dates(summary.start, summary.end),
            summary.timezone,
            str(summary.posts),
            states,
            _publishing(summary, everything is not None),
        )
    console.print(table)
    for summary in (s for s in summaries if s.paused):
        console.print(
            Text.assemble((f"{summary.name}", "bold red"), f" paused: {summary.pause_reason}")
        )
    held = {a.label: (a, s.slug) for s in reversed(summaries) for a in s.held_accounts}
    for label, (account, slug) in sorted(held.items()):
        why = (
            f"paused: {account.pause_reason}"
            if account.paused
            else "waiting for credentials (`campaign status` says which)"
        )
        resume = f"`campaign resume --account {account.key} --campaign {slug}`"
        console.print(Text.assemble((label, "bold red"), f" {why}; {resume} lifts it."))


def _publishing(summary: CampaignSummary, everything: bool) -> Text:
    if summary.paused:
        return Text("PAUSED", "bold red")
    if everything:
        return Text("PAUSED (everything)", "bold red")
    text = Text("on", "green")
    for account in summary.held_accounts:
        why = "paused" if account.paused else "waiting for credentials"
        text.append(f"\n{account.label} {why}", "bold red")
    return text


def _dates(start: date, end: date) -> str:
    """'Mon 20 Apr – Sun 26 Apr 2020' (the year once when both days share it)."""
    from campaign.present.times import short_date

    if start.year == end.year:
        return f"{short_date(start)} – {short_date(end)} {end.year}"
    return f"{short_date(start)} {start.year} – {short_date(end)} {end.year}"


def _state_rank(state: str) -> int:
    return STATE_ORDER.index(state) if state in STATE_ORDER else len(STATE_ORDER)
