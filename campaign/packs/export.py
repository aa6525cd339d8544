"""`campaign export --pack DIR`: the campaign as stored, back to a campaign folder.

The database is where the week is written once officers edit it in the dashboard; the export
writes it back as files (config.toml, posts/ with every stored template and image) for version
control or as next year's starting point. Planning the export gives the same posts (the same
content hashes and times) as the database holds.

A post whose own text is not its template file's (edited in the dashboard), or whose template
is not a file at all (written in the dashboard), gets a template of its own,
`posts/<day>/<key>.j2`, named by its entry (with its `key`, which that file's name would
otherwise change). Everything is built in memory and checked first, then written beside the
target and renamed in: a half-written pack is never left.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from campaign.content.library import TEMPLATE_SUFFIX, Library
from campaign.content.source import PostSource, writings
from campaign.errors import BadInput
from campaign.outputs import prepare_folder, write_folder
from campaign.packs.config_toml import config_text
from campaign.states import PostState
from campaign.store.content import StoredCampaign

POSTS = "posts"


@dataclass
class PackFiles:
    """What an export writes (paths relative to the pack's folder) and what it had to say."""

    files: dict[str, str | bytes] = field(default_factory=dict)
    own: dict[str, str] = field(default_factory=dict)  # post key -> its own template
    notes: list[str] = field(default_factory=list)

    @property
    def templates(self) -> list[str]:
        return sorted(name for name in self.files if name.endswith(TEMPLATE_SUFFIX))

    @property
    def images(self) -> list[str]:
        return sorted(
            name
            for name in self.files
            if name.startswith(f"{POSTS}/") and not name.endswith(TEMPLATE_SUFFIX)
        )


def pack_files(content: StoredCampaign, read: Callable[[str], bytes | None]) -> PackFiles:
    """The files of the campaign as stored (`store.content(slug)`; `read` gives an image's
    bytes by SHA-256)."""
    pack = PackFiles()
    for name, text in sorted(content.library.templates.items()):
        pack.files[_inside(name, "template")] = text
    sources = content.sources
    images = _images(sources.values(), read, pack)
    written = [_with_own_template(source, content.library, pack) for source in sources.values()]
    written = [
        source.with_changes(
            images=tuple(
                replace(i, file=images.get((i.file, i.sha256), i.file)) for i in source.images
            )
        )
        for source in written
    ]
    unsourced = sorted(
        key
        for key, row in content.rows.items()
        if key not in sources and row.state != PostState.CANCELLED
    )
    if unsourced:
        pack.notes.append(
            f"{len(unsourced)} post(s) sent before this version stored posts' sources are not "
            f"in it: {', '.join(unsourced)}"
        )
    pack.files["config.toml"] = config_text(content.config, written, pack.notes)
    return pack


def export_pack(
    content: StoredCampaign,
    read: Callable[[str], bytes | None],
    folder: Path,
    *,
    force: bool = False,
) -> PackFiles:
    """Write the campaign as stored to `folder` (new or empty; with `force`, its config.toml
    and posts/ are replaced and anything else in it, such as .git, is kept)."""
    _refuse_a_full_folder(folder, force)
    pack = pack_files(content, read)  # everything read before anything is written
    write_pack(folder, pack.files)
    return pack


def write_pack(folder: Path, files: dict[str, str | bytes]) -> None:
    """Write `files` into a hidden sibling of `folder`, then rename them into place."""
    staging = folder.parent / f".{folder.name}.export-{uuid.uuid4().hex[:8]}"
    write_folder(staging, {staging / name: data for name, data in files.items()})
    try:
        if not folder.exists() or not any(folder.iterdir()):
            os.replace(staging, folder)
            return
        _swap_in(staging, folder)
    except OSError as exc:
        raise BadInput(
            f"cannot write the pack in {folder} ({(exc.strerror or str(exc)).lower()}): "
            "choose another folder",
            path=folder,
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap_in(staging: Path, folder: Path) -> None:
    """Replace `folder`'s entries that the pack has with the pack's, all or none."""
    old = staging.with_name(staging.name + "-old")
    old.mkdir()
    moved: list[str] = []
    try:
        for entry in sorted(staging.iterdir()):
            target = folder / entry.name
            if target.exists() or target.is_symlink():
                target.rename(old / entry.name)
            moved.append(entry.name)
            entry.rename(target)
    except OSError:
        for name in reversed(moved):  # put back what was there
            if (folder / name).exists():
                (folder / name).rename(staging / name)
            if (old / name).exists():
                (old / name).rename(folder / name)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def _refuse_a_full_folder(folder: Path, force: bool) -> None:
    if folder.exists() and not folder.is_dir():
        raise BadInput("is a file, not a folder: choose another name", path=folder)
    prepare_folder(folder)  # its parent exists and can be written in
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise BadInput(
            "is not empty: choose a new or empty folder, or add --force to replace its "
            "config.toml and posts/ (anything else in it, such as .git, is kept)",
            path=folder,
        )


def _with_own_template(source: PostSource, library: Library, pack: PackFiles) -> PostSource:
    """`source` as its entry names it: each of its texts (one per language of a post written
    in several) under its template file's name, or in a file of its own."""
    if source.lang is None:
        return source.with_changes(template=_template_of(source.key, source, library, pack))
    names = {
        tag: _template_of(key, source, library, pack)
        for key, tag in zip(writings(source), source.texts(), strict=True)
    }
    others = tuple(replace(other, template=names[other.lang]) for other in source.others)
    return source.with_changes(template=names[source.lang], others=others)


def _template_of(key: str, source: PostSource, library: Library, pack: PackFiles) -> str:
    """The template of the text `key` (`writings`): its file's name while the file holds the
    text, else a file of its own, `<day>/<key>.j2`, recorded in `pack.own`."""
    template, text = writings(source)[key]
    if library.templates.get(template) == text:
        return template
    stem = f"{source.day_slug}/{key}"
    name, number = f"{stem}{TEMPLATE_SUFFIX}", 1
    while f"{POSTS}/{name}" in pack.files and pack.files[f"{POSTS}/{name}"] != text:
        number += 1
        name = f"{stem}-{number}{TEMPLATE_SUFFIX}"
    path = _inside(name, "template")
    pack.files[path] = text
    pack.own[key] = path
    return name


def _images(
    sources: Iterable[PostSource], read: Callable[[str], bytes | None], pack: PackFiles
) -> dict[tuple[str, str | None], str]:
    """Every image's bytes under its file name; an image whose name another picture already
    has is written under a name of its own (returned, to rename it in its posts' entries)."""
    renamed: dict[tuple[str, str | None], str] = {}
    digests: dict[str, str] = {}  # path in the pack -> SHA-256
    for source in sources:
        for image in source.images:
            data = read(image.sha256) if image.sha256 else None
            if data is None:
                raise BadInput(
                    f"post {source.key}: the image {image.file!r} is not in the database "
                    "(planned before images were stored?): run `campaign plan` from the "
                    "campaign's files, then export again"
                )
            path = _inside(image.file, "image")
            if (image.file, image.sha256) in renamed:
                path = _inside(renamed[(image.file, image.sha256)], "image")
            elif digests.setdefault(path, image.sha256 or "") != image.sha256:
                stem = PurePosixPath(image.file)
                alias = f"{stem.with_suffix('')}-{(image.sha256 or '')[:8]}{stem.suffix}"
                renamed[(image.file, image.sha256)] = alias
                path = _inside(alias, "image")
                pack.notes.append(
                    f"post {source.key}: another picture is called {image.file}; this one is "
                    f"written as {alias} (its fingerprint changes with the name)"
                )
            pack.files[path] = data
    return renamed


def _inside(name: str, what: str) -> str:
    """`posts/<name>`, refusing a name that would land outside the pack's posts folder."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BadInput(
            f"the {what} {name!r} is outside the posts folder: move it into posts/ in the "
            "campaign's files, plan, then export again"
        )
    return f"{POSTS}/{path.as_posix()}"
