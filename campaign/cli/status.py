"""`campaign status`: pauses, held accounts, daemon heartbeats and every post's state."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from campaign.cli.context import CliContext, make_console, pass_cli
from campaign.states import PostState

if TYPE_CHECKING:
    from campaign.config import CampaignConfig


@click.command()
@pass_cli
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(cli: CliContext, as_json: bool) -> None:
    """Show pauses, credential holds, daemon heartbeats, every post's state, and partial threads."""
    from campaign.cli import tables
    from campaign.health import publishing_health

    config = cli.config
    store = cli.store
    rows = store.posts(config.campaign.slug)
    health = publishing_health(
        store, config.campaign.slug, store.clock.now(), config.publishing.heartbeat_timeout_seconds
    )
    if as_json:
        click.echo(
            json.dumps(
                {
                    "campaign": config.campaign.slug,
                    **health.as_dict(),
                    "posts": [_post_json(row, config) for row in rows],
                },
                indent=2,
                default=str,
            )
        )
        return
    console = make_console()
    console.print(tables.health_panel(health, rows, store.clock.now(), config.zone))
    console.print(tables.status_table(rows, config))
    for row in rows:
        if row.state == PostState.PARTIAL:
            console.print(tables.partial_line(row))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    console.print(", ".join(f"{n} {state}" for state, n in sorted(counts.items())))


def _post_json(row: Any, config: CampaignConfig) -> dict[str, Any]:
    from campaign.store.partial import LOUD_THREAD_STATES, summary

    return {
        "key": row.key,
        "channel": row.channel,
        "state": row.state,
        "scheduled_at": row.scheduled_at.isoformat(),
        "local_time": row.scheduled_at.astimezone(config.zone).isoformat(),
        "approved_by": row.approved_by,
        "approval_current": row.approval_current,
        "content_hash": row.content_hash,
        "platform_post_id": row.platform_post_id,
        "last_error": row.last_error,
        **({"partial": summary(row)} if row.state in LOUD_THREAD_STATES else {}),
    }
