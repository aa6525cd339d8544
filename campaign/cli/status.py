"""`campaign status`: pauses, held accounts, daemon heartbeats and every post's state."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from campaign.cli.context import CliContext, make_console, pass_campaign
from campaign.states import PostState

if TYPE_CHECKING:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from campaign.health import Health
    from campaign.store import PostRow, Store
    from campaign.store.facts import CampaignFacts


@click.command()
@pass_campaign
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--all",
    "every_campaign",
    is_flag=True,
    help='Every campaign in the database (with --json: {"campaigns": [...]}).',
)
def status(cli: CliContext, as_json: bool, every_campaign: bool) -> None:
    """Show pauses, credential holds, daemon heartbeats, every post's state, and partial threads."""
    from campaign.store.facts import CampaignFacts

    if every_campaign:
        if cli.campaign_slug:
            raise click.UsageError("--all shows every campaign: give it without --campaign")
        cli.whole_database = True
        store = cli.store
        every = [CampaignFacts.from_row(row) for row in store.campaigns()]
        if as_json:
            _echo_json({"campaigns": [_status_json(store, facts) for facts in every]})
            return
        if not every:
            make_console().print("No campaign is stored in this database yet.")
        for facts in every:
            _print_status(store, facts)
        return
    facts, store = cli.facts, cli.store
    if as_json:
        _echo_json(_status_json(store, facts))
        return
    _print_status(store, facts)


def _read(store: Store, facts: CampaignFacts) -> tuple[list[PostRow], datetime, Health]:
    """A campaign's posts, the store's now, and its publishing health as of then."""
    from campaign.health import publishing_health

    rows = store.posts(facts.slug)
    now = store.clock.now()
    health = publishing_health(store, facts.slug, now, facts.publishing.heartbeat_timeout_seconds)
    return rows, now, health


def _status_json(store: Store, facts: CampaignFacts) -> dict[str, Any]:
    """One campaign as `status --json` gives it: its publishing health and every post."""
    rows, _, health = _read(store, facts)
    return {
        "campaign": facts.slug,
        **health.as_dict(),
        "everything_paused": everything_json(store),
        "posts": [_post_json(row, facts.zone) for row in rows],
    }


def _print_status(store: Store, facts: CampaignFacts) -> None:
    from campaign.cli import tables

    rows, now, health = _read(store, facts)
    console = make_console()
    shared: dict[str, list[str]] = {}
    for account in (a for a in health.accounts if a.paused):
        _, users = store.account_users(facts.slug, account.key)
        if len(users) > 1:
            shared[account.key] = [user.name for user in users]
    panel = tables.health_panel(health, rows, now, facts.zone, shared=shared)
    console.print(panel)
    console.print(tables.status_table(rows, facts.name, facts.zone))
    for row in rows:
        if row.state == PostState.PARTIAL:
            console.print(tables.partial_line(row))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    console.print(", ".join(f"{n} {state}" for state, n in sorted(counts.items())))


def everything_json(store: Store) -> dict[str, Any] | None:
    """The pause of everything in the database (reason, by, at), or None."""
    switch = store.everything_paused()
    if switch is None:
        return None
    at = switch.paused_at.isoformat() if switch.paused_at else None
    return {"reason": switch.pause_reason, "by": switch.paused_by, "at": at}


def _echo_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def _post_json(row: Any, zone: ZoneInfo) -> dict[str, Any]:
    from campaign.store.partial import LOUD_THREAD_STATES, summary

    return {
        "key": row.key,
        "channel": row.channel,
        "state": row.state,
        "scheduled_at": row.scheduled_at.isoformat(),
        "local_time": row.scheduled_at.astimezone(zone).isoformat(),
        "approved_by": row.approved_by,
        "approval_current": row.approval_current,
        "content_hash": row.content_hash,
        "platform_post_id": row.platform_post_id,
        "last_error": row.last_error,
        **({"partial": summary(row)} if row.state in LOUD_THREAD_STATES else {}),
    }
