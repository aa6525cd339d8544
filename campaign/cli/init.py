"""`campaign init`: a new campaign, from the scaffold or from a national pack and a force's facts.

What a body needs is imported in the body, so `campaign --help` stays quick.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from campaign.cli.context import make_console, warn, warn_if_past

if TYPE_CHECKING:
    from campaign.packs.adopt import Adoption

_SCAFFOLD_OPTIONS = ("--name", "--hashtag", "--start", "--organisation")


@click.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--name", help="Campaign name, e.g. 'Stalking Awareness Week 2027'.")
@click.option("--hashtag", help="Campaign hashtag in CamelCase, e.g. #SeeStalkingClearly.")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), help="First day.")
@click.option("--days", type=click.IntRange(1, 31), default=7, show_default=True)
@click.option("--organisation", help="The force or charity posting.")
@click.option("--timezone", default="Europe/London", show_default=True)
@click.option(
    "--from-pack",
    "pack_dir",
    type=click.Path(path_type=Path),
    help="Make the campaign from this national pack's folder (with --facts).",
)
@click.option(
    "--facts",
    "facts_path",
    type=click.Path(path_type=Path),
    help="The force's facts file for --from-pack (it may name an organisation.toml).",
)
@click.option("--dry-run", is_flag=True, help="With --from-pack: check and list; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="With --from-pack: machine-readable output.")
def init(
    directory: Path,
    name: str | None,
    hashtag: str | None,
    start: datetime | None,
    days: int,
    organisation: str | None,
    timezone: str,
    pack_dir: Path | None,
    facts_path: Path | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Start a campaign in DIRECTORY: config.toml and posts/.

    Either a scaffold to fill in (--name, --hashtag, --start, --organisation), or a force's
    campaign from a national pack (--from-pack DIR --facts FILE).
    """
    if pack_dir is not None or facts_path is not None:
        given = [
            o
            for o, v in zip(_SCAFFOLD_OPTIONS, (name, hashtag, start, organisation), strict=True)
            if v
        ]
        if pack_dir is None or facts_path is None:
            raise click.UsageError("--from-pack and --facts go together: give both")
        if given:
            raise click.UsageError(
                f"{', '.join(given)}: the pack and the facts file say these; leave them out"
            )
        _from_pack(directory, pack_dir, facts_path, dry_run=dry_run, as_json=as_json)
        return
    if dry_run or as_json:
        raise click.UsageError("--dry-run and --json go with --from-pack")
    missing = [
        o
        for o, v in zip(_SCAFFOLD_OPTIONS, (name, hashtag, start, organisation), strict=True)
        if not v
    ]
    if missing or name is None or hashtag is None or start is None or organisation is None:
        raise click.UsageError(
            f"missing {', '.join(missing)}: a new campaign needs them (or use --from-pack DIR "
            "--facts FILE)"
        )
    _scaffold(directory, name, hashtag, start, days, organisation, timezone)


def _scaffold(
    directory: Path,
    name: str,
    hashtag: str,
    start: datetime,
    days: int,
    organisation: str,
    timezone: str,
) -> None:
    from campaign.clock import SystemClock
    from campaign.config import load_config
    from campaign.past import past_in_config
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
    console = make_console()
    console.print(f"Created {len(written)} files in {directory}.")
    console.print(
        f"Next: replace each [[placeholder]] in {directory / 'config.toml'} and the templates "
        f"in {directory / 'posts'}; `campaign check --config {directory / 'config.toml'}` "
        "lists the ones left.",
    )
    warn_if_past(past_in_config(load_config(directory / "config.toml"), SystemClock().now()))


def _from_pack(
    directory: Path, pack_dir: Path, facts_path: Path, *, dry_run: bool, as_json: bool
) -> None:
    from campaign.clock import SystemClock
    from campaign.packs.adopt import adopt_pack, write_adoption
    from campaign.past import past_in_config

    adoption = adopt_pack(pack_dir, facts_path, directory)
    if not dry_run:
        write_adoption(adoption)
    past = past_in_config(adoption.config, SystemClock().now())
    if as_json:
        click.echo(json.dumps(_adoption_json(adoption, written=not dry_run), indent=2))
        warn_if_past(past)
        return
    console = make_console()
    verb = "Would create" if dry_run else "Created"
    console.print(
        f"{verb} {len(adoption.files)} files in {directory}: {adoption.config.campaign.name} "
        f"for {adoption.config.campaign.organisation}, from the pack {adoption.pack.pack.name!r}."
    )
    if dry_run:
        for path in sorted(adoption.files):
            console.print(f"  {path.relative_to(directory)}")
    for fact, what in adoption.optional_not_given.items():
        console.print(f"Not given (optional): {fact}: {what}; the posts leave it out.")
    for fact, meant in adoption.not_in_pack.items():
        guess = f" (did you mean {meant}?)" if meant else ""
        warn(f"{fact} is not a fact of the pack{guess}: no post uses it; check its spelling")
    if adoption.placeholders:
        warn(
            f"still placeholders: {', '.join(adoption.placeholders)}: write them in "
            f"{facts_path} (or the campaign's config.toml); `campaign check` lists each"
        )
    console.print(
        f"Next: `campaign check --config {directory / 'config.toml'}`, then `campaign plan`."
    )
    warn_if_past(past)


def _adoption_json(adoption: Adoption, *, written: bool) -> dict[str, object]:
    directory = adoption.directory
    return {
        "directory": str(directory),
        "written": written,
        "campaign": adoption.config.campaign.name,
        "slug": adoption.config.campaign.slug,
        "organisation": adoption.config.campaign.organisation,
        "pack": adoption.pack.pack.name,
        "facts": str(adoption.facts.path),
        "organisation_file": str(adoption.facts.shared_path)
        if adoption.facts.shared_path
        else None,
        "files": [str(path.relative_to(directory)) for path in sorted(adoption.files)],
        "placeholders": adoption.placeholders,
        "optional_not_given": adoption.optional_not_given,
        "not_in_pack": adoption.not_in_pack,
    }
