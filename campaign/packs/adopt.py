"""`campaign init --from-pack DIR --facts FILE DEST`: a force's campaign from a national pack.

The pack's week (days, templates, images, national helplines, settings, languages) and the
force's facts become DEST/config.toml (written with tomlkit, keeping the pack's comments and
layout) and DEST/posts/ (the pack's posts folder, copied). A facts file that names an
organisation.toml gives a config.toml that names it too, so the shared facts stay in one place.
The force's values win over the pack's by organisation.toml's rules (per key or setting).

Everything is read and validated before anything is written; a fact the pack needs that the
force does not give stops it, naming each such fact. The files are written whole or not at all
(`campaign.outputs.write_folder`).
"""

from __future__ import annotations

import difflib
import os
import textwrap
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import Comment, Table, Whitespace

from campaign.config import CampaignConfig, config_from_toml
from campaign.config.organisation import CAMPAIGN_FIELDS, ENTRY_TABLES, absolute_sqlite_url
from campaign.errors import ConfigError
from campaign.outputs import write_folder
from campaign.packs.facts import fact_value, is_placeholder
from campaign.packs.model import Facts, Pack, load_facts, load_pack

SETTING_TABLES = ("database", "checks", "publishing", "metrics")


@dataclass(frozen=True)
class Adoption:
    """The campaign a pack and a force's facts make, before it is written."""

    directory: Path
    pack: Pack
    facts: Facts
    config: CampaignConfig
    files: dict[Path, str | bytes]  # path inside `directory` -> content
    placeholders: list[str] = field(default_factory=list)  # facts still [[placeholders]]
    optional_not_given: dict[str, str] = field(default_factory=dict)
    # contact routes the facts file gives that the pack never uses -> the fact probably meant
    not_in_pack: dict[str, str | None] = field(default_factory=dict)


def adopt_pack(pack_dir: Path, facts_path: Path, directory: Path) -> Adoption:
    """Read and check the pack and the facts; the files of the force's campaign, unwritten."""
    pack = load_pack(pack_dir)
    facts = load_facts(facts_path)
    missing = {
        fact: what
        for fact, what in pack.facts.required.items()
        if fact_value(facts.given, fact) is None
    }
    if missing:
        where = f" or to {facts.shared_path}" if facts.shared_path else ""
        raise ConfigError(
            f"the pack {pack.pack.name!r} needs facts this file does not give:\n  "
            + "\n  ".join(f"{fact}: {what}" for fact, what in missing.items())
            + f"\nadd each to {facts_path.name}{where}, then run init again",
            path=facts_path,
        )
    config_path = directory / "config.toml"
    text = _config_text(pack, facts, directory)
    try:
        config = config_from_toml(tomllib.loads(text), config_path)
    except ConfigError as exc:  # a fact valid on its own that does not fit this pack
        message = str(exc).removeprefix(f"{exc.path}: ")
        raise ConfigError(
            f"with the pack in {pack_dir}, these facts make an invalid campaign: {message}",
            path=facts_path if exc.path == config_path else exc.path,
        ) from None
    files: dict[Path, str | bytes] = {config_path: text}
    for source in sorted(pack.posts_dir.rglob("*")):
        relative = source.relative_to(pack.posts_dir)
        if source.is_file() and not _hidden(relative):
            files[directory / "posts" / relative] = source.read_bytes()
    wanted = {**pack.facts.required, **pack.facts.optional}
    return Adoption(
        directory=directory,
        pack=pack,
        facts=facts,
        config=config,
        files=files,
        placeholders=[f for f in wanted if is_placeholder(fact_value(facts.given, f))],
        optional_not_given={
            fact: what
            for fact, what in pack.facts.optional.items()
            if fact_value(facts.given, fact) is None
        },
        not_in_pack=_not_in_pack(facts, wanted),
    )


def _not_in_pack(facts: Facts, wanted: dict[str, str]) -> dict[str, str | None]:
    """The contact routes the force's own file gives that the pack neither needs nor may
    use (a misspelt route would be silently left out of every post), each with the pack's
    route it is closest to. Routes from organisation.toml may serve other campaigns."""
    own = facts.own.get("contact")
    routes = [f"contact.{route}" for route in own] if isinstance(own, dict) else []
    known = [fact for fact in wanted if fact.startswith("contact.")]
    return {
        route: next(iter(difflib.get_close_matches(route, known, n=1, cutoff=0.8)), None)
        for route in routes
        if route not in wanted
    }


def write_adoption(adoption: Adoption) -> None:
    """Write the campaign whole or not at all; never over an existing campaign."""
    directory = adoption.directory
    if (directory / "config.toml").exists() or (directory / "posts").exists():
        raise ConfigError("already holds a campaign: choose an empty folder", path=directory)
    write_folder(directory, adoption.files)


def _config_text(pack: Pack, facts: Facts, directory: Path) -> str:
    pack_doc = tomlkit.parse(pack.path.read_text(encoding="utf-8-sig"))
    facts_doc = tomlkit.parse(facts.path.read_text(encoding="utf-8-sig"))
    info, own = pack.pack, facts.own
    force = fact_value(facts.given, "organisation.name")
    doc = tomlkit.document()
    shared = f" and in {facts.shared_path.name}" if facts.shared_path else ""
    header = (
        f"{own.get('campaign', {}).get('name', info.name)} – {force}. Made by `campaign init "
        f"--from-pack` from the pack {info.name!r} by {info.by}, with the facts in "
        f"{facts.path.name}. The week (days, posts/, images) is the pack's; the force's facts "
        f"are below{shared}."
    )
    for line in textwrap.wrap(" ".join(header.split()), 96):
        doc.add(tomlkit.comment(line))
    doc.add(tomlkit.comment(f"Check with: campaign check --config {directory / 'config.toml'}"))
    doc.add(tomlkit.nl())
    doc["campaign"] = _campaign_table(pack, facts, directory)
    doc["pack"] = _pack_table(pack, directory)
    if "languages" in pack_doc:  # the pack's languages and pairs, as its posts are written
        doc["languages"] = _trimmed(pack_doc["languages"])
    for name in SETTING_TABLES:
        values = {**_table(pack_doc, name), **_table(facts_doc, name)}
        if "url" in _table(facts_doc, name):
            values["url"] = absolute_sqlite_url(values["url"], facts.path.resolve().parent)
        if values:
            doc[name] = _filled(tomlkit.table(), values)
    for name in (*ENTRY_TABLES, "contact"):
        values = {**_table(pack_doc, name), **_table(facts_doc, name)}
        if values:
            doc[name] = _filled(tomlkit.table(is_super_table=name != "contact"), values)
    doc["days"] = pack_doc["days"]
    return tomlkit.dumps(doc)


def _campaign_table(pack: Pack, facts: Facts, directory: Path) -> Table:
    info, own = pack.pack, facts.own
    table = tomlkit.table()
    table["name"] = own.get("campaign", {}).get("name", info.name)
    table["slug"] = own.get("campaign", {}).get("slug", info.slug)
    for source, target in CAMPAIGN_FIELDS.items():  # those in organisation.toml stay there
        if source in own.get("organisation", {}):
            table[target] = own["organisation"][source]
    table.update({"hashtag": info.hashtag, "start": info.start, "end": info.end})
    table["posts_dir"] = "posts"
    if facts.shared_path is not None:
        table["organisation_file"] = _relative(facts.shared_path, directory)
    return table


def _pack_table(pack: Pack, directory: Path) -> Table:
    table = tomlkit.table()
    table.update(
        {
            "name": pack.pack.name,
            "by": pack.pack.by,
            "source": _relative(pack.path.parent, directory),
        }
    )
    facts = tomlkit.table()
    facts.add(tomlkit.comment("What each force must give: `campaign check` names any left out."))
    table["facts"] = _filled(facts, dict(pack.facts.required))
    return table


def _table(doc: Any, name: str) -> dict[str, Any]:
    found = doc.get(name)
    return dict(found) if found is not None else {}


def _filled(table: Table, values: dict[str, Any]) -> Table:
    for key, value in values.items():
        table[key] = _trimmed(value)
    return table


def _trimmed(value: Any) -> Any:
    """A table without the comments that trail it: in the file they came from they stood
    before the next table, which is not what follows it here."""
    if isinstance(value, Table):
        body = value.value.body
        while body and body[-1][0] is None and isinstance(body[-1][1], Comment | Whitespace):
            body.pop()
        if body and isinstance(body[-1][1], Table):
            _trimmed(body[-1][1])
    return value


def _relative(target: Path, directory: Path) -> str:
    """`target` relative to the new campaign's folder (which may not exist yet) when they are
    near (a force's folder of campaigns), else absolute."""
    relative = Path(os.path.relpath(target.resolve(), directory.resolve()))
    near = relative.parts.count("..") <= 2
    return (relative if near else target.resolve()).as_posix()


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in relative.parts)
