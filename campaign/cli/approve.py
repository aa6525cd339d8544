"""`campaign approve`: sign-off from the command line, bound to the fingerprint read.

Loaded by `campaign approve`. The fingerprint is the start of a post's content hash, printed by
`campaign preview`, `campaign status` and `campaign approve --dry-run`; passed back as
`KEY@FINGERPRINT`, the store refuses the approval if the post was stored again since.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import click
from rich.text import Text

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from rich.console import Console

from campaign.cli.context import CliContext, actor_option, make_console, pass_campaign
from campaign.present.times import short_time


@click.command()
@pass_campaign
@actor_option
@click.argument("keys", nargs=-1, metavar="[KEY[@FINGERPRINT]]...")
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), help="Approve every post of a day.")
@click.option("--all", "everything", is_flag=True, help="Approve every draft of the week.")
@click.option("--withdraw", is_flag=True, help="Withdraw approval instead.")
@click.option("--reason", help="Why approval is withdrawn (required with --withdraw).")
@click.option(
    "--dry-run",
    is_flag=True,
    help="List what would be approved, with fingerprints; change nothing.",
)
def approve(
    cli: CliContext,
    actor: str,
    keys: tuple[str, ...],
    day: Any,
    everything: bool,
    withdraw: bool,
    reason: str | None,
    dry_run: bool,
) -> None:
    """Sign off posts (by KEY, --day or --all), binding the approval to their exact content.

    \b
    Each post is listed with its fingerprint (the start of its content hash), as in
    `campaign preview` and `campaign status`. Give KEY@FINGERPRINT to approve only the text
    you read: if the post was stored again since (edited), nothing is approved (exit 2).
    `--dry-run` lists what would be approved, with fingerprints, and changes nothing.
    A pair (one post per language on separate accounts) is approved and withdrawn together:
    name every post of it (KEY@FINGERPRINT for each); one alone is refused, naming the other.
    Once dashboard users exist, --by must name an enabled approver. The audit log records
    the --by name with your operating-system account and host.
    """
    from campaign.store.approvals import late_posts, late_summary
    from campaign.store.audit import Actor
    from campaign.store.users import require_cli_user

    names, expected = _what_to_approve(keys, day, everything, withdraw, reason, dry_run)
    store = cli.open_store(upgrade=True)
    facts = cli.facts
    slug = facts.slug
    if not dry_run:
        require_cli_user(store, actor, "approve")
    who = Actor.cli(actor)
    on_day: date | None = day.date() if day else None
    if withdraw:
        result = store.withdraw(slug, who, reason or "", keys=names, day=on_day)
    else:
        result = store.approve(
            slug, who, keys=names, day=on_day, expected=expected, dry_run=dry_run
        )
    console = make_console()
    verb = "Would approve" if dry_run else "Withdrew approval of" if withdraw else "Approved"
    by = "" if dry_run else f" as {actor} (account {who.os_user} on {who.host})"
    _print_changes(console, f"{verb} {len(result.changed)} post(s){by}", result, facts.zone)
    if not withdraw:
        late = late_posts(result.times, store.clock.now(), facts.publishing.grace)
        summary = late_summary(
            late, len(result.changed), facts.zone, facts.publishing.grace_minutes
        )
        if summary:
            console.print(Text(summary, style="bold yellow"))
    if dry_run and result.changed:
        console.print(
            "Read them (`campaign preview`), then approve exactly that text with "
            "`campaign approve KEY@FINGERPRINT ...`."
        )


def _what_to_approve(
    keys: tuple[str, ...],
    day: Any,
    everything: bool,
    withdraw: bool,
    reason: str | None,
    dry_run: bool,
) -> tuple[tuple[str, ...], dict[str, str] | None]:
    """The keys and fingerprints named, or a usage error for options that do not go together."""
    if not keys and day is None and not everything:
        raise click.UsageError("say what to approve: post KEYs, --day YYYY-MM-DD, or --all")
    if withdraw and not reason:
        raise click.UsageError("--withdraw needs --reason")
    if withdraw and dry_run:
        raise click.UsageError("--dry-run lists what would be approved; not with --withdraw")
    names, expected = _keys_and_fingerprints(keys)
    if expected is not None and (day is not None or everything or withdraw):
        raise click.UsageError(
            "KEY@FINGERPRINT names exactly what you read: give it without --day, --all or "
            "--withdraw"
        )
    return names, expected


def _print_changes(console: Console, headline: str, result: Any, zone: ZoneInfo) -> None:
    """The headline, each post changed as KEY@FINGERPRINT with its local time, and the skips."""
    from campaign.fingerprints import short_hash

    console.print(f"{headline}{':' if result.changed else '.'}", markup=False)
    for key in result.changed:
        when = short_time(result.times[key], zone)
        console.print(f"  {key}@{short_hash(result.hashes[key])}  {when}", markup=False)
    for key, why in result.skipped.items():
        console.print(Text.assemble("  ", ("skipped", "yellow"), f" {key}: {why}"))


def _keys_and_fingerprints(
    keys: tuple[str, ...],
) -> tuple[tuple[str, ...], dict[str, str] | None]:
    """Split `KEY@FINGERPRINT` arguments: either every key has a fingerprint, or none."""
    from campaign.fingerprints import FINGERPRINT, SHORT_HASH

    pairs = [key.rpartition("@") if "@" in key else ("", "", key) for key in keys]
    with_hash = [(name, fingerprint) for name, at, fingerprint in pairs if at]
    if not with_hash:
        return keys, None
    if len(with_hash) != len(keys):
        raise click.UsageError("give a fingerprint with every KEY (KEY@FINGERPRINT), or with none")
    for name, fingerprint in with_hash:
        if not FINGERPRINT.fullmatch(fingerprint):
            raise click.UsageError(
                f"{name}@{fingerprint}: a fingerprint is {SHORT_HASH} to 64 lower-case hex "
                "digits, as `campaign preview`, `campaign status` and `approve --dry-run` print"
            )
    return tuple(name for name, _ in with_hash), dict(with_hash)
