"""`campaign`: the command line, a thin face over the core.

It parses options, builds the config and store, calls the core, formats the answer and maps our
errors to exit codes: 0 ok, 1 checks failed, 2 bad input, 3 database trouble.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.text import Text

from campaign import tables
from campaign.checks import CheckReport
from campaign.clock import SystemClock
from campaign.config import CampaignConfig, load_config
from campaign.errors import CampaignError, CheckFailed, NoPlanStored
from campaign.health import publishing_health
from campaign.outputs import write_output
from campaign.past import PastPosts, past_in_config, posts_in_the_past
from campaign.planning import check_plan, store_plan
from campaign.store import Store
from campaign.store.partial import LOUD_THREAD_STATES, summary

F = TypeVar("F", bound=Callable[..., Any])
CONFIG_ENV = "CAMPAIGN_CONFIG"
USER_ENV = "CAMPAIGN_USER"


def _console(*, stderr: bool = False) -> Console:
    """Every console prints text as written: brackets and colons in our messages, templates
    and the database are never read as rich markup or emoji codes; styles are given as `Text`.
    """
    stream = sys.stderr if stderr else sys.stdout
    return Console(
        stderr=stderr,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
        width=None if stream.isatty() else 160,
    )


def warn(message: str | None) -> None:
    """A warning on stderr: worth reading, but the command goes on and its exit code stands."""
    if message:
        _console(stderr=True).print(Text.assemble(("warning:", "bold yellow"), " ", message))


def warn_if_past(past: PastPosts, noun: str = "post") -> None:
    warn(past.message(noun))


def config_option(func: F) -> F:
    """`--config` on every command (default ./config.toml, or $CAMPAIGN_CONFIG)."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default="config.toml",
        envvar=CONFIG_ENV,
        show_default=True,
        help="The campaign's config.toml.",
    )(func)


def actor_option(func: F) -> F:
    return click.option(
        "--by",
        "actor",
        envvar=USER_ENV,
        default=lambda: getpass.getuser(),
        show_default="$CAMPAIGN_USER or your login",
        help="Who is doing this, for the audit log.",
    )(func)


def handle_errors(func: F) -> F:
    """Turn our errors into a clear message on stderr and the right exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CheckFailed as exc:
            err = _console(stderr=True)
            errors = [f for f in exc.findings if f.severity == "error"]
            err.print(tables.findings_overview(errors, every=False))
            err.print(Text.assemble(("error:", "bold red"), " ", str(exc)))
            sys.exit(exc.exit_code)
        except CampaignError as exc:
            _console(stderr=True).print(Text.assemble(("error:", "bold red"), " ", str(exc)))
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def open_store(config: CampaignConfig, *, create: bool = False, upgrade: bool = False) -> Store:
    """The campaign's store. Only commands that store a plan `create` (and migrate) one; the
    rest refuse a missing database with "no plan stored yet" and write nothing into being.
    Commands that write to an existing database (`upgrade`) migrate one an older version made.
    """
    if create:
        return Store.open(config.database_url(), SystemClock())
    return Store.open_existing(config.database_url(), SystemClock(), upgrade=upgrade)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="awareness-campaign")
def main() -> None:
    """Plan, check, approve, publish and measure an awareness-week campaign."""


@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--name", required=True, help="Campaign name, e.g. 'Stalking Awareness Week 2027'.")
@click.option(
    "--hashtag", required=True, help="Campaign hashtag in CamelCase, e.g. #SeeStalkingClearly."
)
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First day.")
@click.option("--days", type=click.IntRange(1, 31), default=7, show_default=True)
@click.option("--organisation", required=True, help="The force or charity posting.")
@click.option("--timezone", default="Europe/London", show_default=True)
@handle_errors
def init(
    directory: Path,
    name: str,
    hashtag: str,
    start: Any,
    days: int,
    organisation: str,
    timezone: str,
) -> None:
    """Scaffold a new campaign (config.toml and posts/) in DIRECTORY."""
    from campaign.scaffold import scaffold

    written = scaffold(
        directory,
        name=name,
        hashtag=hashtag,
        start=start.date(),
        days=days,
        organisation=organisation,
        timezone=timezone,
    )
    console = _console()
    console.print(f"Created {len(written)} files in {directory}.")
    console.print(
        f"Next: replace each [[placeholder]] in {directory / 'config.toml'} and the templates "
        f"in {directory / 'posts'}; `campaign check --config {directory / 'config.toml'}` "
        "lists the ones left.",
        markup=False,
    )
    warn_if_past(past_in_config(load_config(directory / "config.toml"), SystemClock().now()))


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def check(config_path: Path, as_json: bool) -> None:
    """Render every post and check it; exit 1 if any error is found."""
    config = load_config(config_path)
    checked = check_plan(config)
    report = checked.report
    past = past_in_config(config, SystemClock().now())
    if as_json:
        data = _report_json(checked.posts, report)
        data.update(past=past.keys, past_warning=past.message())
        click.echo(json.dumps(data, indent=2))
    else:
        console = _console()
        console.print(tables.plan_overview(checked.posts, report, config.campaign.name))
        console.print(_counts(len(checked.posts), report))
        warn_if_past(past)
    if not report.ok:
        sys.exit(CheckFailed.exit_code)


@main.command()
@config_option
@actor_option
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@handle_errors
def plan(config_path: Path, actor: str, dry_run: bool) -> None:
    """Render, check and store the plan (idempotent; edits clear approvals)."""
    config = load_config(config_path)
    store = _plan_store(config, dry_run)
    checked, changes = store_plan(config, store, actor, dry_run=dry_run)
    console = _console()
    console.print(tables.changes_table(changes))
    large = len(checked.posts) > tables.LARGE_PLAN
    console.print(tables.findings_overview(checked.report.findings, every=not large))
    verb = "Would store" if dry_run else "Stored"
    warnings = len(checked.report.warnings)
    console.print(
        f"{verb} {len(checked.posts)} posts of {config.campaign.name} in "
        f"{_shown_url(config.database_url())}"
        + (f", with {warnings} warnings (shown above)." if warnings else ".")
    )
    warn_if_past(past_in_config(config, store.clock.now()))


def _plan_store(config: CampaignConfig, dry_run: bool) -> Store:
    """A dry run before any plan compares with an empty in-memory store: it creates nothing."""
    if not dry_run:
        return open_store(config, create=True)
    try:
        return open_store(config)
    except NoPlanStored:
        return Store.open("sqlite://", SystemClock())


def _shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _counts(posts: int, report: CheckReport) -> Text:
    """The count line under `campaign check` (14 posts, 0 errors, 2 warnings), coloured."""
    return Text.assemble(
        f"{posts} posts, ",
        (f"{len(report.errors)} errors", "red"),
        ", ",
        (f"{len(report.warnings)} warnings", "yellow"),
        ".",
    )


@main.command()
@config_option
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the HTML page [default: build/preview.html beside the config].",
)
@handle_errors
def preview(config_path: Path, output: Path | None) -> None:
    """Show the week as a table and write an HTML page of post cards."""
    from campaign.preview import PostStatus, render_preview_html

    config = load_config(config_path)
    checked = check_plan(config)
    states: dict[str, PostStatus] = {}
    try:
        rows = open_store(config).posts(config.campaign.slug)
    except NoPlanStored:
        rows = []  # the cards show no state until `campaign plan` stores the week
    for row in rows:
        states[row.key] = PostStatus(row.state, row.approved_by, row.approval_current)
    target = output or config.base_dir / "build" / "preview.html"
    write_output(
        target,
        render_preview_html(config, checked.posts, checked.report, states),
        create_folder=output is None,
    )
    console = _console()
    name = config.campaign.name
    console.print(tables.plan_overview(checked.posts, checked.report, name, findings=False))
    console.print(f"Preview written to {target} – open it in a browser.")


@main.command()
@config_option
@actor_option
@click.argument("keys", nargs=-1)
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), help="Approve every post of a day.")
@click.option("--all", "everything", is_flag=True, help="Approve every draft of the week.")
@click.option("--withdraw", is_flag=True, help="Withdraw approval instead.")
@click.option("--reason", help="Why approval is withdrawn (required with --withdraw).")
@handle_errors
def approve(
    config_path: Path,
    actor: str,
    keys: tuple[str, ...],
    day: Any,
    everything: bool,
    withdraw: bool,
    reason: str | None,
) -> None:
    """Sign off posts (by KEY, --day or --all), binding the approval to their exact content."""
    if not keys and day is None and not everything:
        raise click.UsageError("say what to approve: post KEYs, --day YYYY-MM-DD, or --all")
    if withdraw and not reason:
        raise click.UsageError("--withdraw needs --reason")
    config = load_config(config_path)
    store = open_store(config)
    on_day: date | None = day.date() if day else None
    if withdraw:
        result = store.withdraw(config.campaign.slug, actor, reason or "", keys=keys, day=on_day)
    else:
        result = store.approve(config.campaign.slug, actor, keys=keys, day=on_day)
    console = _console()
    verb = "Withdrew approval of" if withdraw else "Approved"
    console.print(f"{verb} {len(result.changed)} post(s) as {actor}: {', '.join(result.changed)}")
    for key, why in result.skipped.items():
        console.print(Text.assemble("  ", ("skipped", "yellow"), f" {key}: {why}"))
    if result.changed and not withdraw:
        approved = store.posts(config.campaign.slug, keys=result.changed)
        schedule = [(row.key, row.scheduled_at) for row in approved]
        warn_if_past(posts_in_the_past(schedule, store.clock.now(), config.zone), "approved post")


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def status(config_path: Path, as_json: bool) -> None:
    """Show pauses, credential holds, daemon heartbeats, every post's state, and partial threads."""
    config = load_config(config_path)
    store = open_store(config)
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
    console = _console()
    console.print(tables.health_panel(health, config.zone))
    console.print(tables.status_table(rows, config.zone, config.campaign.name))
    for row in rows:
        if row.state == "partial":
            console.print(tables.partial_line(row))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    console.print(", ".join(f"{n} {state}" for state, n in sorted(counts.items())))


@main.command()
@config_option
@click.option(
    "--ics",
    "ics_path",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Write the stored plan as an iCalendar file here.",
)
@handle_errors
def export(config_path: Path, ics_path: Path) -> None:
    """Export the stored plan for the team calendar."""
    from campaign.ics import plan_to_ics

    config = load_config(config_path)
    store = open_store(config)
    rows = store.posts(config.campaign.slug)
    campaign = store.campaign(config.campaign.slug)
    write_output(ics_path, plan_to_ics(campaign, rows, store.clock.now()))
    _console().print(f"Wrote {len(rows)} events to {ics_path}.")


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
                "content_hash": post.content_hash,
            }
            for post in posts
        ],
        "findings": [finding.as_dict() for finding in report.findings],
    }


def _post_json(row: Any, config: CampaignConfig) -> dict[str, Any]:
    return {
        "key": row.key,
        "channel": row.account.key,
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


from campaign import cli_publish, cli_report, cli_web  # noqa: E402,F401  (register their commands)

if __name__ == "__main__":  # pragma: no cover
    main()
