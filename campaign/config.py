"""The campaign configuration: `config.toml` parsed once into frozen, validated objects.

Everything force-specific (names, hashtag, helplines, accounts, days) lives in the file, never in
code, so any force can run any awareness week. Errors name the file, the line (for TOML syntax) or
the field path (for schema problems) and what to do.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from campaign.errors import ConfigError
from campaign.phones import DEFAULT_REGION, is_region, number_key
from campaign.wall_time import parse_wall_time, to_utc

DATABASE_URL_ENV = "CAMPAIGN_DATABASE_URL"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Platform = Literal["x", "facebook"]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]

# Posting caps per X access tier (POST /2/tweets, per user): see the platform's rate-limit pages.
X_TIER_LIMITS: dict[str, tuple[int | None, int | None]] = {
    "free": (None, 17),
    "basic": (100, 10_000),
    "pro": (100, 10_000),
}
# Credentials each platform needs, as names of environment variables (never the secrets).
REQUIRED_CREDENTIALS: dict[str, tuple[str, ...]] = {
    "x": ("consumer_key", "consumer_secret", "access_token", "access_token_secret"),
    "facebook": ("page_access_token",),
}
DEFAULT_BASE_URLS = {"x": "https://api.twitter.com", "facebook": "https://graph.facebook.com"}
# Plain http is allowed only to this machine, where the rehearsal sandbox listens.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
HASHTAG_PATTERN = r"^#[A-Za-z][A-Za-z0-9_]*$"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OpeningHours(Frozen):
    """Opening hours of a helpline by weekday; a missing weekday means closed that day."""

    mon: str | None = None
    tue: str | None = None
    wed: str | None = None
    thu: str | None = None
    fri: str | None = None
    sat: str | None = None
    sun: str | None = None

    @field_validator("*")
    @classmethod
    def _range(cls, value: str | None) -> str | None:
        if value is not None:
            _parse_range(value)
        return value

    def window(self, weekday: int) -> tuple[time, time] | None:
        """The (open, close) local times on a weekday (0 = Monday), or None when closed."""
        value = getattr(self, WEEKDAYS[weekday])
        return _parse_range(value) if value else None


@lru_cache(maxsize=256)
def _parse_range(value: str) -> tuple[time, time]:
    match = re.fullmatch(r"(\d{2}):(\d{2})-(\d{2}):(\d{2})", value)
    if not match:
        raise ValueError(f"opening hours {value!r} must look like '09:30-16:00'")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    opens, closes = time(h1, m1), time(h2, m2)
    if not opens < closes:
        raise ValueError(f"opening hours {value!r} must open before they close")
    return opens, closes


class Helpline(Frozen):
    """A phone line a post may give; posts may give no other number."""

    name: str
    number: str = Field(min_length=3)  # as its owner writes it; checked with phone_region
    purpose: str
    run_by: str | None = None
    hours: OpeningHours | None = None  # None: always open (999, 101)

    def is_open(self, at: datetime) -> bool:
        """Whether the line is open at a local, timezone-aware moment."""
        if self.hours is None:
            return True
        window = self.hours.window(at.weekday())
        return window is not None and window[0] <= at.time() < window[1]

    @property
    def hours_text(self) -> str:
        """Opening hours in words, e.g. '9.30am to 4pm Monday and Tuesday; closed at weekends'."""
        return "24 hours a day, every day" if self.hours is None else _in_words(self.hours)


@lru_cache(maxsize=64)
def _in_words(hours: OpeningHours) -> str:
    """Cached: templates and findings give the same few helplines' hours in post after post."""
    groups: dict[str, list[str]] = {}
    for index in range(len(WEEKDAYS)):
        window = hours.window(index)
        if window:
            span = f"{_spoken(window[0])} to {_spoken(window[1])}"
            groups.setdefault(span, []).append(DAY_NAMES[index])
    text = "; ".join(f"{span} {_join(days)}" for span, days in groups.items())
    if hours.sat is None and hours.sun is None:
        text += "; closed at weekends"
    return text


DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _spoken(moment: time) -> str:
    """'9.30am', '4pm', '12 noon': how UK public-sector style writes times."""
    if moment == time(12, 0):
        return "12 noon"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}.{moment.minute:02d}{suffix}" if moment.minute else f"{hour}{suffix}"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


class Account(Frozen):
    """A force account on one platform; secrets are named, never written here."""

    platform: Platform
    name: str
    handle: str | None = None
    page_id: str | None = None
    base_url: str | None = None
    api_version: str | None = None
    tier: Literal["free", "basic", "pro"] | None = None
    posts_per_15min: int | None = Field(default=None, gt=0)
    posts_per_24h: int | None = Field(default=None, gt=0)
    credentials: dict[str, str] = Field(default_factory=dict)

    @field_validator("base_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None:
            check_base_url(value)
        return value

    @model_validator(mode="after")
    def _complete(self) -> Account:
        missing = [c for c in REQUIRED_CREDENTIALS[self.platform] if c not in self.credentials]
        if missing:
            raise ValueError(
                f"credentials must name the environment variables for {', '.join(missing)} "
                f'(e.g. {missing[0]} = "FORCE_{self.platform.upper()}_{missing[0].upper()}")'
            )
        for key, env_name in self.credentials.items():
            if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", env_name):
                raise ValueError(
                    f"credentials.{key} must be the NAME of an environment variable "
                    "(capitals, digits, underscores), not a secret"
                )
        if self.platform == "facebook" and not self.page_id:
            raise ValueError("a facebook account needs page_id")
        return self

    @property
    def resolved_base_url(self) -> str:
        return (self.base_url or DEFAULT_BASE_URLS[self.platform]).rstrip("/")

    @property
    def limits(self) -> dict[timedelta, int]:
        """Posting caps by window: the tier's defaults, overridden by explicit settings."""
        per_15, per_24 = X_TIER_LIMITS.get(self.tier or "", (None, None))
        found = {
            timedelta(minutes=15): self.posts_per_15min or per_15,
            timedelta(hours=24): self.posts_per_24h or per_24,
        }
        return {window: cap for window, cap in found.items() if cap}


def check_base_url(url: str) -> None:
    """Refuse anything but an https URL with a host (http only to loopback, for the sandbox).

    Tokens are sent to this address, so a typo or plain http would leak them. The URL itself is
    never echoed: it could hold a password.
    """
    parts = urlsplit(url)
    try:
        _ = parts.port  # a port that is not a number from 0 to 65535
    except ValueError:
        raise ValueError("has an invalid port: write e.g. https://api.twitter.com") from None
    example = "e.g. https://api.twitter.com, or http://127.0.0.1:PORT for the sandbox"
    host = parts.hostname
    if not (parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK_HOSTS)):
        raise ValueError(f"must be an https address ({example})")
    if not host:
        raise ValueError(f"must name a host ({example})")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not hold a user name or password: credentials name variables")
    if parts.query or parts.fragment:
        raise ValueError(f"must not have a query or fragment ({example})")


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


class CampaignInfo(Frozen):
    name: str
    slug: Slug
    organisation: str
    area: str | None = None
    hashtag: str = Field(pattern=HASHTAG_PATTERN)
    start: date
    end: date
    timezone: str
    website: str | None = None
    posts_dir: str = "posts"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown timezone {value!r}: use an IANA name such as 'Europe/London'"
            ) from None
        return value

    @model_validator(mode="after")
    def _ordered(self) -> CampaignInfo:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Database(Frozen):
    url: str = "sqlite:///campaign.db"


class CampaignConfig(Frozen):
    """The whole campaign as configured; `path` is the file it came from."""

    campaign: CampaignInfo
    database: Database = Database()
    checks: Checks = Checks()
    publishing: Publishing = Publishing()
    metrics: Metrics = Metrics()
    accounts: dict[Slug, Account] = Field(min_length=1)
    helplines: dict[str, Helpline] = Field(default_factory=dict)
    contact: dict[str, str] = Field(default_factory=dict)
    days: tuple[Day, ...] = Field(min_length=1)
    path: Path = Path("config.toml")

    @model_validator(mode="after")
    def _consistent(self) -> CampaignConfig:
        seen: set[str] = set()
        dates: dict[date, int] = {}
        for i, day in enumerate(self.days):
            if not self.campaign.start <= day.date <= self.campaign.end:
                raise ValueError(
                    f"days[{i}].date {day.date} is outside the campaign "
                    f"({self.campaign.start} to {self.campaign.end}): move the day or the dates"
                )
            if day.date in dates:
                raise ValueError(
                    f"days[{i}].date {day.date} is also the date of days[{dates[day.date]}]: "
                    "give each date one day table and put all its posts in that day's `posts`"
                )
            dates[day.date] = i
            for j, post in enumerate(day.posts):
                if post.channel not in self.accounts:
                    raise ValueError(
                        f"days[{i}].posts[{j}].channel {post.channel!r} is not an account; "
                        f"known: {', '.join(sorted(self.accounts))}"
                    )
                try:
                    self._to_utc(day, post)
                except ValueError as exc:
                    raise ValueError(f"days[{i}].posts[{j}].time: {exc}") from None
                key = post_key(day, post)
                if key in seen:
                    raise ValueError(
                        f"days[{i}].posts[{j}] repeats post {key!r}: give one of them a `key`"
                    )
                seen.add(key)
        return self

    @model_validator(mode="after")
    def _helplines_are_numbers(self) -> CampaignConfig:
        # Parsed now, in the configured region, so a mistyped helpline stops at load, not later.
        for name, helpline in self.helplines.items():
            try:
                number_key(helpline.number, self.checks.phone_region)
            except ValueError as exc:
                raise ValueError(f"helplines.{name}.number: {exc}") from None
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.campaign.timezone)

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    @property
    def posts_dir(self) -> Path:
        return (self.base_dir / self.campaign.posts_dir).resolve()

    def database_url(self, environ: dict[str, str] | None = None) -> str:
        """The database URL: the environment wins, relative SQLite paths follow the config."""
        env = os.environ if environ is None else environ
        url = env.get(DATABASE_URL_ENV) or self.database.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            url = prefix + str((self.base_dir / url[len(prefix) :]).resolve())
        return url

    def scheduled_at(self, day: Day, post: PostSpec) -> datetime:
        """The post's moment in UTC from the local wall-clock time (one moment, or refused)."""
        try:
            return self._to_utc(day, post)
        except ValueError as exc:
            raise ConfigError(str(exc), path=self.path) from None

    def _to_utc(self, day: Day, post: PostSpec) -> datetime:
        return to_utc(day.date, post.local_time, self.zone, fold=post.fold, offset=post.utc_offset)


def post_key(day: Day, post: PostSpec) -> str:
    """A post's stable identity: survives time and text edits, changes if the post moves day."""
    if post.key:
        return post.key
    stem = Path(post.template).stem
    suffix = "" if stem == post.channel else f"-{stem}"
    return f"{day.date.isoformat()}-{post.channel}{suffix}"


def load_config(path: Path | str) -> CampaignConfig:
    """Read and validate `config.toml`; raise ConfigError naming the file and line or field."""
    path = Path(path)
    try:
        # utf-8-sig: a byte order mark some Windows editors write is not TOML; drop it.
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(
            "file not found: pass --config or run `campaign init DIR` to start a campaign",
            path=path,
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text ({exc.reason})", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"TOML syntax error: {exc}", path=path) from None
    try:
        config = CampaignConfig.model_validate({**raw, "path": path.resolve()})
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc), path=path) from None
    _check_images(config)
    return config


def describe_validation_error(exc: ValidationError) -> str:
    """Each pydantic error as `field.path: message`, one a line."""
    lines = []
    for error in exc.errors():
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        # Whole-file rules (loc empty) already name their place, e.g. "days[3].date ...".
        lines.append(f"{field.lstrip('.')}: {message}" if field else message)
    return "invalid configuration:\n  " + "\n  ".join(lines)


def _check_images(config: CampaignConfig) -> None:
    for i, day in enumerate(config.days):
        for j, post in enumerate(day.posts):
            for k, image in enumerate(post.images):
                if not (config.posts_dir / image.file).is_file():
                    raise ConfigError(
                        f"days[{i}].posts[{j}].images[{k}].file: {image.file!r} not found in "
                        f"{config.posts_dir}: add the image or fix the path",
                        path=config.path,
                    )
