"""The days of the campaign and their posts: which account, when (local wall-clock time), what.

A post's key (`post_key`) is its identity in the database across edits of its time and text.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from campaign.config.base import Frozen, Slug
from campaign.wall_time import parse_wall_time


class Image(Frozen):
    """An image attached to a post, relative to the posts folder, with its alt text."""

    file: str
    alt: str = ""


class PostSpec(Frozen):
    """One post of a day: which account, when (local wall-clock time), which template.

    `time` may carry its UTC offset ("01:30+01:00"), or `fold` may say which of a time the
    clocks repeat is meant (0 the first, 1 the second): see campaign/wall_time.py.
    """

    channel: str
    time: str
    fold: Literal[0, 1] | None = None
    template: str
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
        return self

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
    """A post's stable identity: survives time and text edits, changes if the post moves day."""
    return post.key or derived_key(day.date, post.channel, post.template)


def derived_key(on: date, channel: str, template: str) -> str:
    """The key of a post without a `key`: its date, channel and template file's name."""
    stem = Path(template).stem
    suffix = "" if stem == channel else f"-{stem}"
    return f"{on.isoformat()}-{channel}{suffix}"
