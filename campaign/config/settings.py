"""Settings with defaults: check thresholds, how the daemon publishes, when metrics are read."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from campaign.config.base import Frozen
from campaign.phones import DEFAULT_REGION, is_region

DATABASE_URL_ENV = "CAMPAIGN_DATABASE_URL"


class Checks(Frozen):
    """Thresholds of the content checks; defaults suit most forces."""

    helpline_closed: Literal["warning", "error"] = "warning"
    min_reading_ease: float = 50.0
    max_hashtags: int = 3
    facebook_max_length: int = 63_206
    max_images_x: int = 4
    max_alt_text: int = 1_000
    # Region whose numbering plan reads numbers written without +country code, and short codes.
    phone_region: str = DEFAULT_REGION

    @field_validator("phone_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if not is_region(value):
            raise ValueError(
                f"unknown phone_region {value!r}: use a two-letter region code such as 'GB' or 'IE'"
            )
        return value


class Publishing(Frozen):
    """How the daemon publishes: lateness allowed, retries, concurrency, timeouts."""

    grace_minutes: float = Field(default=15, ge=0)
    max_attempts: int = Field(default=8, ge=1)
    retry_base_seconds: float = Field(default=5, gt=0)
    retry_max_seconds: float = Field(default=300, gt=0)
    workers: int = Field(default=16, ge=1, le=256)
    poll_seconds: float = Field(default=1.0, gt=0, le=60)
    request_timeout_seconds: float = Field(default=10, gt=0)
    heartbeat_timeout_seconds: float = Field(default=30, gt=0)
    # A create whose answer never came may still land on the platform later (answers after
    # 12-30 s are seen): wait this long before looking for it, and only then send again.
    settle_seconds: float = Field(default=60, gt=0)

    @property
    def grace(self) -> timedelta:
        return timedelta(minutes=self.grace_minutes)

    @property
    def settle(self) -> timedelta:
        return timedelta(seconds=self.settle_seconds)

    @model_validator(mode="after")
    def _settle_outlasts_a_request(self) -> Publishing:
        if self.settle_seconds <= self.request_timeout_seconds:
            raise ValueError(
                f"settle_seconds ({self.settle_seconds:g}) must be longer than "
                f"request_timeout_seconds ({self.request_timeout_seconds:g}): a create that "
                "timed out may still land on the platform, so wait longer than a request "
                "before looking for it"
            )
        return self

    @model_validator(mode="after")
    def _heartbeat_outlasts_a_request(self) -> Publishing:
        # A daemon is presumed dead (and its sends taken over) after this long without a beat:
        # it must comfortably exceed a request timeout and the beat interval.
        floor = 3 * max(self.request_timeout_seconds, self.poll_seconds)
        if self.heartbeat_timeout_seconds < floor:
            raise ValueError(
                f"heartbeat_timeout_seconds ({self.heartbeat_timeout_seconds:g}) must be at least "
                f"three times request_timeout_seconds and poll_seconds ({floor:g})"
            )
        return self


def parse_offset(text: str) -> timedelta:
    """'90m', '1h', '24h', '7d' -> timedelta; the offsets at which metrics are collected."""
    match = re.fullmatch(r"(\d+)([mhd])", text.strip())
    if not match:
        raise ValueError(f"offset {text!r} must look like '90m', '1h', '24h' or '7d'")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(**{{"m": "minutes", "h": "hours", "d": "days"}[unit]: amount})


class Metrics(Frozen):
    """When engagement is collected after publishing, and which Graph metrics to ask for.

    Meta renames its insights metrics yearly (impressions became views in November 2025), so
    the names live here, not in code.
    """

    offsets: tuple[str, ...] = ("1h", "24h", "72h", "7d")
    facebook: tuple[str, ...] = (
        "post_media_view",
        "post_total_media_view_unique",
        "post_clicks",
        "post_reactions_by_type_total",
    )
    facebook_impressions: str = "post_media_view"
    facebook_clicks: str = "post_clicks"

    @field_validator("offsets")
    @classmethod
    def _offsets(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for text in value:
            parse_offset(text)
        return value

    @property
    def offset_deltas(self) -> dict[str, timedelta]:
        return {text: parse_offset(text) for text in self.offsets}


class Database(Frozen):
    url: str = "sqlite:///campaign.db"


class Review(Frozen):
    """Sign-off rules. By default whoever made a post's latest version cannot approve it (two
    people see every post); a one-person office turns that off with `self_approval = true`."""

    self_approval: bool = False
