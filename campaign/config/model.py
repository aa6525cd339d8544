"""The whole campaign: what it is, and the rules that tie its accounts, days and helplines."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from campaign.config.accounts import Account
from campaign.config.alerts import Alerts
from campaign.config.base import Frozen, Slug
from campaign.config.days import Day, PostSpec, post_key, variant_key
from campaign.config.helplines import Helpline, check_numbers
from campaign.config.languages import HASHTAG_PATTERN, Languages, LanguageTag
from campaign.config.settings import (
    DATABASE_URL_ENV,
    Checks,
    Database,
    Metrics,
    Publishing,
    Review,
)
from campaign.errors import ConfigError
from campaign.wall_time import to_utc

__all__ = ["HASHTAG_PATTERN", "CampaignConfig", "CampaignInfo", "Outgoing", "PackOrigin"]


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
    # The force's shared facts (campaign/config/organisation.py), relative to this config.
    organisation_file: str | None = None
    # The language of posts written in one language (BCP 47); `[languages]` adds more.
    language: LanguageTag = "en-GB"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return check_timezone(value)

    @model_validator(mode="after")
    def _ordered(self) -> CampaignInfo:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


def check_timezone(value: str) -> str:
    """An IANA zone name, or ValueError saying what to write."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown timezone {value!r}: use an IANA name such as 'Europe/London'"
        ) from None
    return value


class PackOrigin(Frozen):
    """`[pack]` in a campaign made from a national pack: which pack, and the facts it needs.

    `facts` maps each fact a force must give (e.g. "contact.online_form") to what it is;
    `campaign check` names every one left out (campaign/checks/facts.py).
    """

    name: str
    by: str | None = None
    source: str | None = None
    facts: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class Outgoing:
    """One post as it goes out: a configured post is one (in one language, or bilingual in
    `languages` order), or one per language when its channel is a pair of accounts.

    `unit` is the pair's key (None for a post that goes out alone) and `position` its place
    in the pair's order (0 goes first).
    """

    key: str
    account: str  # the account key
    languages: tuple[str, ...]  # the texts it holds, in order
    unit: str | None = None
    position: int = 0

    @property
    def lang(self) -> str:
        """The post's language: its first text's."""
        return self.languages[0]


class CampaignConfig(Frozen):
    """The whole campaign as configured; `path` is the file it came from."""

    campaign: CampaignInfo
    database: Database = Database()
    checks: Checks = Checks()
    publishing: Publishing = Publishing()
    metrics: Metrics = Metrics()
    review: Review = Review()
    alerts: Alerts = Alerts()
    accounts: dict[Slug, Account] = Field(min_length=1)
    helplines: dict[str, Helpline] = Field(default_factory=dict)
    contact: dict[str, str] = Field(default_factory=dict)
    days: tuple[Day, ...] = Field(min_length=1)
    languages: Languages | None = None
    pack: PackOrigin | None = None
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
                where = f"days[{i}].posts[{j}]"
                self._check_channel(where, post)
                try:
                    self._to_utc(day, post)
                except ValueError as exc:
                    raise ValueError(f"{where}.time: {exc}") from None
                for outgoing in self.outgoing(day, post):
                    if outgoing.key in seen:
                        raise ValueError(
                            f"{where} repeats post {outgoing.key!r}: give one of them a `key`"
                        )
                    seen.add(outgoing.key)
        return self

    def _check_channel(self, where: str, post: PostSpec) -> None:
        pairs = self.languages.pairs if self.languages is not None else {}
        if post.channel not in self.accounts and post.channel not in pairs:
            known = sorted([*self.accounts, *pairs])
            raise ValueError(
                f"{where}.channel {post.channel!r} is not an account; known: {', '.join(known)}"
            )
        if post.templates:
            order = list(self.languages.order) if self.languages is not None else []
            if sorted(post.templates) != sorted(order):
                said = f"[languages] order is {order}" if order else "there is no [languages]"
                raise ValueError(
                    f"{where}.templates gives {sorted(post.templates)} but {said}: give one "
                    "template for each of the campaign's languages (and list them in "
                    "[languages] order)"
                )
        elif post.channel in pairs:
            raise ValueError(
                f"{where}: channel {post.channel!r} is a pair of accounts, one per language: "
                "give `templates` with a template for each language"
            )

    @model_validator(mode="after")
    def _pairs_are_accounts(self) -> CampaignConfig:
        if self.languages is None:
            return self
        for name, accounts in self.languages.pairs.items():
            if name in self.accounts:
                raise ValueError(
                    f"languages.pairs.{name} is also an account's key: name the pair otherwise "
                    "(posts give the pair's name as their channel)"
                )
            for tag, key in accounts.items():
                if key not in self.accounts:
                    raise ValueError(
                        f"languages.pairs.{name}.{tag} {key!r} is not an account; known: "
                        f"{', '.join(sorted(self.accounts))}"
                    )
        return self

    @model_validator(mode="after")
    def _one_key_per_account(self) -> CampaignConfig:
        # Caps and duplicate content are the account's: two keys would count it twice apart.
        keys: dict[str, str] = {}
        for key, account in self.accounts.items():
            other = keys.setdefault(account.identity, key)
            if other != key:
                shown = account.handle or account.page_id or account.name
                raise ValueError(
                    f"accounts.{key} is the same account as accounts.{other} ({shown}): a "
                    f"campaign calls each account by one key; use {other!r} for its posts and "
                    f"remove accounts.{key}"
                )
        return self

    @model_validator(mode="after")
    def _helplines_are_numbers(self) -> CampaignConfig:
        check_numbers(self.helplines, self.checks.phone_region)
        return self

    def outgoing(self, day: Day, post: PostSpec) -> tuple[Outgoing, ...]:
        """How a configured post goes out: one post, or one per language on a pair's accounts
        (in `[languages]` order, each keyed `variant_key(key, language)`)."""
        key = post_key(day, post)
        if not post.templates:
            return (Outgoing(key, post.channel, (self.campaign.language,)),)
        order = self.languages.order if self.languages is not None else tuple(post.templates)
        pair = self.languages.accounts_of(post.channel) if self.languages is not None else None
        if pair is None:
            return (Outgoing(key, post.channel, tuple(order)),)
        return tuple(
            Outgoing(variant_key(key, tag), pair[tag], (tag,), unit=key, position=position)
            for position, tag in enumerate(order)
        )

    def hashtag(self, tag: str) -> str:
        """The campaign hashtag in language `tag`."""
        if self.languages is None:
            return self.campaign.hashtag
        return self.languages.hashtag(tag, self.campaign.hashtag)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.campaign.timezone)

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    @property
    def organisation_path(self) -> Path | None:
        """The shared organisation.toml this campaign names, if any (absolute)."""
        named = self.campaign.organisation_file
        return None if named is None else (self.base_dir / named).resolve()

    @property
    def source_files(self) -> tuple[Path, ...]:
        """The files the campaign was read from: its config, then its organisation file."""
        shared = self.organisation_path
        return (self.path,) if shared is None else (self.path, shared)

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
