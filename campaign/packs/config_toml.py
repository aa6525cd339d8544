"""The config.toml of an exported campaign: its settings as stored, and its days from its posts.

Written with tomlkit in the layout of the shipped config.toml. Settings left at their defaults
are left out (planning the file gives the same values). What the export had to change is said
in a comment at the top: facts merged from an organisation.toml are written here (the export
stands alone), and a database that is not a SQLite file beside the config is not written (it
may name a server, with a password; the folder would otherwise plan into it unasked).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import Any

import tomlkit
from tomlkit.items import Array, InlineTable, Table

from campaign.config import CampaignConfig, Day, Image, PostSpec
from campaign.content.render import days_of
from campaign.content.source import PostSource

# Tables in the order the shipped config.toml has them; others (new sections) follow.
ORDER = ("campaign", "pack", "database", "checks", "publishing", "metrics", "review")
ENTRIES = ("accounts", "helplines")
LAST = ("contact",)


def config_text(config: CampaignConfig, sources: Iterable[PostSource], notes: list[str]) -> str:
    """config.toml for `config`'s settings and `sources` as the days' posts; what the export
    changed on the way is appended to `notes` and said at the top of the file."""
    data = config.model_dump(
        mode="python", exclude={"days", "path"}, exclude_defaults=True, exclude_none=True
    )
    campaign = data["campaign"]
    campaign.pop("posts_dir", None)  # the export's templates are in its own posts/
    shared = campaign.pop("organisation_file", None)
    if shared is not None:
        notes.append(
            f"the campaign named the organisation file {shared}: its accounts, helplines, "
            "contact routes and settings are written into this config.toml instead"
        )
    url = data.get("database", {}).get("url")
    if url is not None and not _relative_sqlite(url):
        data.pop("database")
        notes.append(
            "[database] is left out: the campaign's database is not a SQLite file beside its "
            "config (its address may hold a password). Planning this folder uses campaign.db "
            "beside it, unless --database or $CAMPAIGN_DATABASE_URL names another"
        )
    doc = tomlkit.document()
    _header(doc, config, notes)
    names = [*ORDER, *sorted(set(data) - set(ORDER) - set(ENTRIES) - set(LAST)), *ENTRIES, *LAST]
    for name in names:
        if data.get(name):
            doc[name] = _table(data[name], super_table=name in ENTRIES)
    days = tomlkit.aot()
    for day in days_of(sources):
        days.append(_day(day))
    doc.add(tomlkit.nl())
    doc.add(tomlkit.comment("The week: one table per day, each with its posts."))
    doc["days"] = days
    return tomlkit.dumps(doc)


def _header(doc: tomlkit.TOMLDocument, config: CampaignConfig, notes: list[str]) -> None:
    lines = [
        f"{config.campaign.name}: exported from the database by `campaign export --pack`.",
        "This is the campaign as stored, with the edits made in the dashboard. A post written "
        "or changed there has a template of its own, posts/<day>/<post>.j2, and its `key`.",
        *(f"Note: {note}." for note in notes),
    ]
    for line in lines:
        for wrapped in textwrap.wrap(line, 96):
            doc.add(tomlkit.comment(wrapped))
    doc.add(tomlkit.nl())


def _relative_sqlite(url: str) -> bool:
    prefix = "sqlite:///"
    return url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url


def _table(values: dict[str, Any], *, super_table: bool = False) -> Table:
    table = tomlkit.table(is_super_table=super_table)
    for key, value in values.items():
        if isinstance(value, dict) and key == "hours":
            table[key] = _inline(value)
        elif isinstance(value, dict):
            table[key] = _table(value)
        else:
            table[key] = _plain(value)
    return table


def _day(day: Day) -> Table:
    table = tomlkit.table()
    table.update({"date": day.date, "slug": day.slug, "theme": day.theme})
    posts = tomlkit.array()
    posts.multiline(True)
    for spec in day.posts:
        posts.append(_post(day, spec))
    table["posts"] = posts
    return table


def _post(day: Day, spec: PostSpec) -> InlineTable:
    """A post's entry; its `key` only when its template's name would not give it
    (`PostSource.spec`)."""
    entry = tomlkit.inline_table()
    entry.update({"channel": spec.channel, "time": spec.time})
    if spec.fold is not None:
        entry["fold"] = spec.fold
    if spec.templates:  # a post written in several languages: a template for each
        entry["templates"] = _inline(dict(spec.templates))
    else:
        entry["template"] = spec.template
    if spec.key is not None:
        entry["key"] = spec.key
    if spec.images:
        images = tomlkit.array()
        images.extend(_inline(_image(image)) for image in spec.images)
        entry["images"] = images
    return entry


def _image(image: Image) -> dict[str, Any]:
    """An image's entry: its alt text, and its alt text in each language where given (the
    fallback `alt` then only when it says something)."""
    entry: dict[str, Any] = {"file": image.file}
    if image.alt or not image.alts:
        entry["alt"] = image.alt
    if image.alts:
        entry["alts"] = dict(image.alts)
    return entry


def _inline(values: dict[str, Any]) -> InlineTable:
    table = tomlkit.inline_table()
    table.update({key: _plain(value) for key, value in values.items()})
    return table


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        array: Array = tomlkit.array()
        array.extend(_plain(item) for item in value)
        return array
    if isinstance(value, dict):
        return _inline(value)
    return value
