"""Commands on the plan in files: `check`, `plan`, `preview` (`init` is in init.py, `export`
in export.py).

What a body needs is imported in the body, so `campaign --help` stays quick.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.text import Text

from campaign.cli.context import (
    CliContext,
    actor_option,
    make_console,
    pass_campaign,
    warn,
    warn_if_past,
)
from campaign.errors import CheckFailed, NoPlanStored, PlanConflict, StoreError

if TYPE_CHECKING:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from campaign.checks import CheckReport, Finding
    from campaign.render import RenderedPost
    from campaign.store import PlanChanges, Store
    from campaign.store.sources import Side


@click.command()
@pass_campaign
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def check(cli: CliContext, as_json: bool) -> None:
    """Render every post and check it; exit 1 if any error is found."""
    from campaign.cli import overview
    from campaign.clock import SystemClock
    from campaign.past import past_in_config
    from campaign.planning import check_plan

    config = cli.config
    checked = check_plan(config)
    report = checked.report
    report.findings.extend(_shared_caps(cli, checked.posts))
    past = past_in_config(config, SystemClock().now())
    if as_json:
        data = _report_json(checked.posts, report)
        data.update(past=past.keys, past_warning=past.message())
        click.echo(json.dumps(data, indent=2))
    else:
        console = make_console()
        console.print(overview.plan_overview(checked.posts, report, config))
        console.print(_counts(len(checked.posts), report))
        warn_if_past(past)
    if not report.ok:
        sys.exit(CheckFailed.exit_code)


def _no_sqlite_file(url: str) -> bool:
    """The URL names a SQLite file that is not there (yet): there is nothing to count."""
    prefix = "sqlite:///"
    return url.startswith(prefix) and not Path(url[len(prefix) :].partition("?")[0]).is_file()


def _shared_caps(cli: CliContext, posts: list[RenderedPost]) -> list[Finding]:
    """Caps shared with the other campaigns in the config's database; none (and nothing said)
    when there is no database yet. Read-only: the database is neither created nor migrated."""
    from campaign.planning import check_shared_caps

    if _no_sqlite_file(cli.database_url):
        return []  # and the database layer is not even loaded: `check` stays quick
    try:
        store = cli.store
    except NoPlanStored:
        return []
    except StoreError as exc:
        warn(f"the posts of other campaigns in the database were not counted: {exc}")
        return []
    return check_shared_caps(cli.config, posts, store)


@click.command()
@pass_campaign
@actor_option
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option(
    "--update-accounts",
    is_flag=True,
    help="An account other campaigns also use really changed (a new token variable, a new "
    "tier): store this config's settings for every campaign that uses it (audited).",
)
@click.option(
    "--take",
    type=click.Choice(["files", "browser"]),
    help="Posts changed both in the files and in the dashboard since the last plan: which "
    "version wins (audited for each post). Without it, such posts are listed and nothing is "
    "stored. `files` also replaces dashboard edits the files did not change.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plan(
    cli: CliContext,
    actor: str,
    dry_run: bool,
    update_accounts: bool,
    take: Side | None,
    as_json: bool,
) -> None:
    """Render, check and store the plan (idempotent; edits clear approvals).

    Edits made in the dashboard are kept while the files still say what they said at the last
    plan; a post changed in both places is listed and nothing is stored, unless --take says
    which side wins.
    """
    from campaign.cli import overview, tables
    from campaign.past import past_in_config
    from campaign.planning import store_plan
    from campaign.store.audit import Actor

    config = cli.config
    store = _plan_store(cli, dry_run)
    try:
        checked, changes = store_plan(
            config,
            store,
            Actor.cli(actor),
            dry_run=dry_run,
            update_accounts=update_accounts,
            take=take,
        )
    except PlanConflict as exc:
        when = _stored_times(store, config.campaign.slug)
        if as_json:
            _echo_json({"stored": False, "conflicts": conflicts_json(exc, when, config.zone)})
        else:
            make_console().print(tables.conflicts_table(exc.conflicts, when, config.zone))
        raise
    past = past_in_config(config, store.clock.now())
    if as_json:
        _echo_json(_plan_json(checked.posts, checked.report, changes, dry_run, past.keys))
        warn_if_past(past)
        return
    console = make_console()
    console.print(tables.changes_table(changes))
    for side, keys in _by_side(changes.resolved).items():
        console.print(f"--take {side}: the {_VERSIONS[side]} won for {', '.join(keys)} (audited).")
    large = len(checked.posts) > overview.LARGE_PLAN
    console.print(overview.findings_overview(checked.report.findings, every=not large))
    verb = "Would store" if dry_run else "Stored"
    warnings = len(checked.report.warnings)
    console.print(
        f"{verb} {len(checked.posts)} posts of {config.campaign.name} in "
        f"{_shown_url(cli.database_url)}"
        + (f", with {warnings} warnings (shown above)." if warnings else ".")
    )
    warn_if_past(past)


_VERSIONS = {"files": "files' version", "browser": "dashboard's version"}


def _by_side(resolved: dict[str, str]) -> dict[str, list[str]]:
    sides: dict[str, list[str]] = {}
    for key, side in sorted(resolved.items()):
        sides.setdefault(side, []).append(key)
    return sides


def _stored_times(store: Store, slug: str) -> dict[str, datetime]:
    """When each stored post goes (the dashboard's version), to show beside its conflict."""
    try:
        return {row.key: row.scheduled_at for row in store.posts(slug)}
    except StoreError:
        return {}


def conflicts_json(
    exc: PlanConflict, when: dict[str, datetime], zone: ZoneInfo
) -> list[dict[str, Any]]:
    return [
        {
            "key": c.key,
            "kind": c.kind,
            "scheduled_at": when[c.key].isoformat() if c.key in when else None,
            "local_time": when[c.key].astimezone(zone).isoformat() if c.key in when else None,
            "edited_by": c.author,
            "edited_at": c.edited_at.isoformat(),
            "differs": list(c.differs),
        }
        for c in exc.conflicts
    ]


def _plan_json(
    posts: list[RenderedPost],
    report: CheckReport,
    changes: PlanChanges,
    dry_run: bool,
    past: list[str],
) -> dict[str, Any]:
    from dataclasses import asdict

    return {
        "stored": not dry_run,
        "dry_run": dry_run,
        "posts": len(posts),
        "changes": asdict(changes),
        "conflicts": [],
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "findings": [finding.as_dict() for finding in report.findings],
        "past": past,
    }


def _echo_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def _plan_store(cli: CliContext, dry_run: bool) -> Store:
    """A dry run before any plan compares with an empty in-memory store: it creates nothing."""
    from campaign.clock import SystemClock
    from campaign.store import Store

    if not dry_run:
        return cli.open_store(create=True)
    try:
        return cli.store
    except NoPlanStored:
        return Store.open("sqlite://", SystemClock())


def _shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _counts(posts: int, report: CheckReport) -> Text:
    """The count line under `campaign check` (14 posts, 0 errors, 2 warnings), coloured."""
    return Text.assemble(
        f"{_many(posts, 'post')}, ",
        (_many(len(report.errors), "error"), "red"),
        ", ",
        (_many(len(report.warnings), "warning"), "yellow"),
        ".",
    )


def _many(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@click.command()
@pass_campaign
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the HTML page [default: build/preview.html beside the config].",
)
def preview(cli: CliContext, output: Path | None) -> None:
    """Show the week as a table and write an HTML page of post cards.

    Once the plan is stored, the cards show the stored posts (what would be sent), each with
    its fingerprint for `campaign approve KEY@FINGERPRINT`; posts whose files now differ are
    marked "the files differ from the stored plan: run plan".
    """

    from campaign.cli import overview
    from campaign.outputs import write_output
    from campaign.planning import check_plan
    from campaign.preview import StoredPost, files_differ, render_preview_html

    config = cli.config
    checked = check_plan(config)
    try:
        rows = cli.store.posts(config.campaign.slug)
    except NoPlanStored:
        rows = []  # the cards show no state until `campaign plan` stores the week
    stored = [StoredPost.from_row(row, config.zone) for row in rows]
    target = output or config.base_dir / "build" / "preview.html"
    write_output(
        target,
        render_preview_html(config, checked.posts, checked.report, stored),
        create_folder=output is None,
    )
    rendered = {post.key: post for post in checked.posts}
    differ = [p.key for p in stored if files_differ(p, rendered.get(p.key), config.posts_dir)]
    console = make_console()
    console.print(overview.plan_overview(checked.posts, checked.report, config, findings=False))
    if differ:
        console.print(
            Text(
                f"{len(differ)} post(s): the files differ from the stored plan, which is what "
                "would be sent: run `campaign plan`.",
                style="bold yellow",
            ),
            ", ".join(differ),
        )
    console.print(f"Preview written to {target} – open it in a browser.")


def _report_json(posts: list[Any], report: CheckReport) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "posts": [
            {
                "key": post.key,
                "channel": post.channel,
                "platform": post.platform,
                "scheduled_at": post.scheduled_at.isoformat(),
                "local_time": post.local_time.isoformat(),
                "parts": list(post.parts),
                "lengths": report.lengths.get(post.key, []),
                "reading_ease": report.reading_ease.get(post.key),
                "languages": list(post.languages),
                "reading_ease_by_language": report.reading_ease_by_language.get(post.key, {}),
                "content_hash": post.content_hash,
            }
            for post in posts
        ],
        "findings": [finding.as_dict() for finding in report.findings],
    }
