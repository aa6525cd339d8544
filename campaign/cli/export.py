"""`campaign export`: the stored plan for the team calendar (--ics), or the campaign as stored
back to a campaign folder (--pack: for version control, or as next year's starting point).

Both read the database only; the pack's core is campaign/packs/export.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from campaign.cli.context import CliContext, make_console, pass_campaign, warn
from campaign.errors import BadInput


@click.command()
@pass_campaign
@click.option(
    "--ics",
    "ics_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the stored plan as an iCalendar file here.",
)
@click.option(
    "--pack",
    "pack_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write the campaign as stored (config.toml, and posts/ with every template and image, "
    "edits made in the dashboard included) to this new or empty folder: for version control, "
    "or as next year's starting point. `campaign plan` of it gives the same posts.",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --pack: replace the config.toml and posts/ of a folder that is not empty "
    "(anything else in it, such as .git, is kept).",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output: what was written.")
def export(
    cli: CliContext, ics_path: Path | None, pack_dir: Path | None, force: bool, as_json: bool
) -> None:
    """Export the stored plan: for the team calendar, or as a campaign folder."""
    if ics_path is None and pack_dir is None:
        raise BadInput(
            "say what to export: --ics FILE (the team calendar) or --pack DIR (the campaign "
            "as stored, as a folder of files)"
        )
    if force and pack_dir is None:
        raise BadInput("--force is for --pack DIR (a folder that is not empty)")
    written: dict[str, Any] = {}
    if ics_path is not None:
        written["ics"] = _ics(cli, ics_path, as_json)
    if pack_dir is not None:
        written["pack"] = _pack(cli, pack_dir, force, as_json)
    if as_json:
        click.echo(json.dumps(written, indent=2))


def _ics(cli: CliContext, path: Path, quiet: bool) -> dict[str, Any]:
    from campaign.ics import plan_to_ics
    from campaign.outputs import write_output

    slug = cli.slug
    store = cli.store
    rows = store.posts(slug)
    campaign = store.campaign(slug)
    write_output(path, plan_to_ics(campaign, rows, store.clock.now()))
    if not quiet:
        make_console().print(f"Wrote {len(rows)} events to {path}.")
    return {"path": str(path), "events": len(rows)}


def _pack(cli: CliContext, folder: Path, force: bool, quiet: bool) -> dict[str, Any]:
    from campaign.packs.export import export_pack

    slug = cli.slug
    store = cli.store
    content = store.content(slug)
    pack = export_pack(content, store.media_bytes, folder, force=force)
    if not quiet:
        own = f" ({len(pack.own)} of posts edited or written in the dashboard)" if pack.own else ""
        make_console().print(
            f"Wrote {content.config.campaign.name} as stored to {folder}: config.toml, "
            f"{len(pack.templates)} templates{own} and {len(pack.images)} images in posts/."
        )
        for note in pack.notes:
            warn(note)
        make_console().print(f"Check it with: campaign check --config {folder / 'config.toml'}")
    return {
        "folder": str(folder),
        "files": sorted(pack.files),
        "templates": pack.templates,
        "images": pack.images,
        "own_templates": pack.own,
        "notes": pack.notes,
    }
