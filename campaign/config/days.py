"""The days of the campaign and their posts: which account, when (local wall-clock time), what.

A post's key (`post_key`) is its identity in the database across edits of its time and text. A
post written in several languages gives one template per language (`templates`); the key of
each language's post in a pair is `variant_key` of it.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from campaign.config.base import Frozen, Slug
from campaign.config.languages import LanguageTag
from campaign.wall_time import parse_wall_time


class Image(Frozen):
    """An image attached to a post, relative to the posts folder, with its alt text; a post in
    several languages gives the alt text in each (`alts`), `alt` being the fallback."""

    file: str
    alt: str = ""
    alts: dict[LanguageTag, str] = Field(default_factory=dict)

    def alt_in(self, tag: str | None) -> str:
        """The alt text in language `tag` (the fallback `alt` where not given)."""
        return self.alts.get(tag, self.alt) if tag is not None else self.alt


class PostSpec(Frozen):
    """One post of a day: which account, when (local wall-clock time), which template.

    `time` may carry its UTC offset ("01:30+01:00"), or `fold` may say which of a time the
    clocks repeat is meant (0 the first, 1 the second): see campaign/wall_time.py. A post in
    several languages gives `templates` (language tag -> template) instead of `template`.
    """

    channel: str
    time: str
    fold: Literal[0, 1] | None = None
    template: str = ""
    templates: dict[LanguageTag, str] = Field(default_factory=dict)
    images: tuple[Image, ...] = ()
    key: Slug | None = None

    @field_validator("time")
    @classmethod
    def _wall_time(cls, value: str) -> str:
        parse_wall_time(value)
        return value

    @model_validator(mode="after")
    def _one_choice(self) -> PostSpec:
        if self.fold is not None and self.utc_offset is not None:
            raise ValueError(
                "give fold or an offset, not both: the offset in the time already says which"
            )
        if bool(self.template) == bool(self.templates):
            raise ValueError(
                "give `template` (a post in one language) or `templates` (one per language, "
                'e.g. { cy = "day/x.cy.j2", en = "day/x.en.j2" }), not both and not neither'
            )
        return self

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages it is written in, as given; () for a post in the campaign's language."""
        return tuple(self.templates)

    def template_for(self, tag: str | None) -> str:
        """The template of language `tag` (the one template of a post in one language)."""
        return self.templates[tag] if tag is not None and self.templates else self.template

    @property
    def local_time(self) -> dt.time:  # in this class `time` names the field
        return parse_wall_time(self.time)[0]

    @property
    def utc_offset(self) -> timedelta | None:
        return parse_wall_time(self.time)[1]


class Day(Frozen):
    """A day of the week with its theme and posts."""

    date: date
    slug: Slug
    theme: str
    posts: tuple[PostSpec, ...] = Field(min_length=1)


def post_key(day: Day, post: PostSpec) -> str:
    """A post's stable identity: survives time and text edits, changes if the post moves day.

    A post in several languages is keyed by its date and channel (its templates are one per
    language); a pair's posts are then `variant_key(key, language)` each.
    """
    if post.key:
        return post.key
    if post.templates:
        return f"{day.date.isoformat()}-{post.channel}"
    return derived_key(day.date, post.channel, post.template)


def variant_key(key: str, tag: str) -> str:
    """The key of one language's post of a pair (or one language's text of any post in several
    languages): "2026-10-12-x" and "cy" give "2026-10-12-x-cy"."""
    return f"{key}-{tag.lower()}"


def derived_key(on: date, channel: str, template: str) -> str:
    """The key of a post without a `key`: its date, channel and template file's name."""
    stem = Path(template).stem
    suffix = "" if stem == channel else f"-{stem}"
    return f"{on.isoformat()}-{channel}{suffix}"
