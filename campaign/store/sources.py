"""What a plan stores when the files and the dashboard both changed posts.

The files are a pack; the dashboard edits posts in the database. Each post remembers the source
hash the files gave at the last plan (`posts.files_hash`) and whether its current revision was
written in the dashboard. A plan then keeps a dashboard edit while the files still say what
they said last time, takes the files' version when only the files changed, and lists a
conflict when both did, unless told which side wins (`take`). A post made in the dashboard
is the dashboard's alone: a plan never cancels it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.content.source import ORIGIN_BROWSER, ImageRef, PostSource, TextSource
from campaign.store.audit import Actor, record
from campaign.store.content_rows import RevisionRow
from campaign.store.models import CampaignRow, PostRow, PostState

Side = Literal["files", "browser"]


@dataclass(frozen=True)
class Conflict:
    """A post both sides changed: `removed` when the files dropped a post edited here."""

    key: str
    kind: Literal["edited", "removed"]
    author: str  # who edited it in the dashboard
    edited_at: datetime
    differs: tuple[str, ...]  # what differs: "text", "time", "channel", "images", "day"


@dataclass
class Merge:
    """The plan to store: each post's source, and where each came from."""

    sources: dict[str, PostSource] = field(default_factory=dict)
    from_files: set[str] = field(default_factory=set)
    files_hashes: dict[str, str] = field(default_factory=dict)  # what the files say now
    kept: list[str] = field(default_factory=list)  # dashboard edits kept
    resolved: dict[str, Side] = field(default_factory=dict)  # key -> the side `take` chose
    conflicts: list[Conflict] = field(default_factory=list)
    seen: dict[str, int | None] = field(default_factory=dict)  # key -> revision read


def current(
    session: Session, campaign: CampaignRow
) -> dict[str, tuple[PostRow, RevisionRow | None]]:
    """Every post of the campaign with its current revision (None: planned before 0009)."""
    rows = list(session.scalars(select(PostRow).where(PostRow.campaign_id == campaign.id)))
    ids = [row.revision_id for row in rows if row.revision_id is not None]
    revisions = {
        revision.id: revision
        for chunk in _chunks(ids)
        for revision in session.scalars(select(RevisionRow).where(RevisionRow.id.in_(chunk)))
    }
    return {
        row.key: (row, revisions.get(row.revision_id) if row.revision_id else None) for row in rows
    }


def merge(
    stored: dict[str, tuple[PostRow, RevisionRow | None]],
    files: Iterable[PostSource],
    take: Side | None = None,
) -> Merge:
    result = Merge(seen={key: row.revision_id for key, (row, _) in stored.items()})
    for source in files:
        result.files_hashes[source.key] = source.source_hash
        entry = stored.get(source.key)
        if entry is None:
            _from_files(result, source)
            continue
        row, revision = entry
        if row.state == PostState.CANCELLED and row.files_hash == source.source_hash:
            continue  # cancelled since the last plan, which the files do not undo
        if (
            revision is None
            or revision.origin != ORIGIN_BROWSER
            or revision.source_hash == source.source_hash
        ):
            _from_files(result, source)
        elif take == "files":
            _from_files(result, source)
            result.resolved[source.key] = "files"
        elif row.files_hash == source.source_hash or take == "browser":
            result.sources[source.key] = source_of(revision, row.key)
            result.kept.append(source.key)
            if row.files_hash != source.source_hash:
                result.resolved[source.key] = "browser"
        else:
            result.conflicts.append(_conflict(revision, source.key, source, "edited"))
    for key, (row, revision) in stored.items():
        if key in result.files_hashes or row.state == PostState.CANCELLED or revision is None:
            continue
        if row.files_hash is None:  # made in the dashboard: the files never had it
            result.sources[key] = source_of(revision, key)
        elif revision.origin == ORIGIN_BROWSER:
            if take == "browser":
                result.sources[key] = source_of(revision, key)
                result.kept.append(key)
            elif take is None:
                result.conflicts.append(_conflict(revision, key, None, "removed"))
            if take is not None:
                result.resolved[key] = take
    return result


def record_resolved(
    session: Session,
    campaign: CampaignRow,
    stored: dict[str, tuple[PostRow, RevisionRow | None]],
    merge: Merge,
    actor: str | Actor,
    now: datetime,
) -> None:
    """Audit, in the plan's transaction, which side won each post `take` decided."""
    for key, side in sorted(merge.resolved.items()):
        entry = stored.get(key)
        if entry is not None:
            record(
                session, campaign, "plan-conflict-resolved", actor, now, post=entry[0], take=side
            )


def source_of(revision: RevisionRow, key: str) -> PostSource:
    return PostSource(
        key=key,
        channel=revision.channel,
        date=revision.day,
        time=revision.time,
        fold=revision.fold,
        template=revision.template,
        text=revision.text,
        images=tuple(ImageRef.from_json(image) for image in revision.images),
        day_slug=revision.day_slug,
        theme=revision.theme,
        lang=revision.lang,
        unit=revision.unit,
        others=tuple(TextSource.from_json(other) for other in revision.others or ()),
    )


def _from_files(result: Merge, source: PostSource) -> None:
    result.sources[source.key] = source
    result.from_files.add(source.key)


def _conflict(
    revision: RevisionRow, key: str, files: PostSource | None, kind: Literal["edited", "removed"]
) -> Conflict:
    """What differs between the dashboard's version and the files' (nothing: removed)."""
    differs: tuple[str, ...] = ()
    if files is not None:
        ours = source_of(revision, key)
        fields = {
            "text": (ours.text, files.text),
            "time": ((ours.time, ours.fold), (files.time, files.fold)),
            "day": (ours.date, files.date),
            "channel": (ours.channel, files.channel),
            "images": (ours.images, files.images),
        }
        differs = tuple(name for name, (a, b) in fields.items() if a != b)
    return Conflict(key, kind, revision.author, revision.created_at, differs)


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
