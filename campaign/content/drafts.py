"""What the composer's form (or its live check) gives, turned into a `PostSource`.

The form speaks in parts, a date, a wall-clock time and a day's theme; a post's source is one
template text (parts joined by `---` lines) on a day of the campaign. A post moved to a date
that already has a day joins that day (its theme and slug); a date with no day yet makes one
with the theme the officer gives.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from campaign.content.source import ImageRef, PostSource, join_parts
from campaign.content.when import parse_date

if TYPE_CHECKING:
    from campaign.content.live import CampaignContent as StoredCampaign

BROWSER_TEMPLATES = "browser"  # where the templates of posts written in the browser are named


@dataclass(frozen=True)
class DraftImage:
    file: str
    alt: str
    sha256: str


@dataclass(frozen=True)
class Draft:
    """The composer's fields, as typed (nothing checked yet)."""

    key: str | None  # None: a new post
    channel: str
    date: str
    time: str
    fold: int | None = None
    theme: str = ""
    parts: tuple[str, ...] = ("",)
    images: tuple[DraftImage, ...] = ()
    template: str = ""  # the post's template name, kept across edits

    @property
    def day(self) -> dt.date | None:
        return parse_date(self.date)


def to_source(content: StoredCampaign, draft: Draft) -> PostSource:
    """The post source the draft describes (its key made up when it is a new post)."""
    day = draft.day
    existing = next((d for d in content.config.days if d.date == day), None)
    key = draft.key or new_key(content, day, draft.channel)
    if existing is not None:
        day_slug, theme = existing.slug, existing.theme
    else:
        theme = draft.theme.strip()
        day_slug = slugify(theme) or (day.isoformat() if day else "day")
    template = draft.template or f"{BROWSER_TEMPLATES}/{key}.j2"
    return PostSource(
        key=key,
        channel=draft.channel,
        date=day or content.config.campaign.start,  # no date: `check_fields` says so first
        time=draft.time.strip(),
        fold=draft.fold,
        template=template,
        text=join_parts([part.replace("\r\n", "\n") for part in draft.parts]),
        images=tuple(ImageRef(i.file, i.alt.strip(), i.sha256) for i in draft.images),
        day_slug=day_slug,
        theme=theme,
    )


def from_source(source: PostSource) -> Draft:
    """The composer's fields for a stored post."""
    return Draft(
        key=source.key,
        channel=source.channel,
        date=source.date.isoformat(),
        time=source.time,
        fold=source.fold,
        theme=source.theme,
        parts=tuple(source.parts_text()),
        images=tuple(DraftImage(i.file, i.alt, i.sha256 or "") for i in source.images),
        template=source.template,
    )


def copy_to(source: PostSource, content: StoredCampaign, channel: str) -> Draft:
    """A new post on `channel` starting from `source`'s text, time and pictures (a new key)."""
    draft = from_source(source)
    return Draft(
        key=None,
        channel=channel,
        date=draft.date,
        time=draft.time,
        fold=draft.fold,
        theme=draft.theme,
        parts=draft.parts,
        images=draft.images,
    )


def new_key(content: StoredCampaign, day: dt.date | None, channel: str) -> str:
    """`2020-04-20-x`, or `2020-04-20-x-2`... the first key no post of the campaign has."""
    stem = f"{day.isoformat() if day else 'undated'}-{channel or 'post'}"
    taken = set(content.rows) | set(content.sources)
    if stem not in taken:
        return stem
    number = 2
    while f"{stem}-{number}" in taken:
        number += 1
    return f"{stem}-{number}"


def slugify(text: str) -> str:
    """'Online stalking while we stay at home' -> 'online-stalking-while-we-stay-at-home'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")
