"""Reading a pack (`pack.toml` and its posts) and a force's facts file, each validated on its
own so that every mistake names its file, and the line (TOML syntax) or field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator

from campaign.config import (
    HASHTAG_PATTERN,
    Checks,
    Day,
    Frozen,
    Helpline,
    Metrics,
    OrganisationFile,
    PostSpec,
    Publishing,
    Slug,
    describe_validation_error,
    read_toml,
)
from campaign.config.languages import Languages
from campaign.config.organisation import ENTRY_TABLES, ROUTE_TABLES
from campaign.errors import ConfigError
from campaign.packs.facts import check_fact_name
from campaign.phones import number_key

PACK_FILE = "pack.toml"


class PackInfo(Frozen):
    """`[pack]`: the week as the national lead wrote it."""

    name: str = Field(min_length=1)
    slug: Slug
    by: str = Field(min_length=1)  # the national lead that wrote the pack
    hashtag: str = Field(pattern=HASHTAG_PATTERN)
    start: date
    end: date
    posts_dir: str = "posts"

    @model_validator(mode="after")
    def _ordered(self) -> PackInfo:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class PackFacts(Frozen):
    """`[facts]`: what each force must give (`required`) and may give (`optional`), fact ->
    what it is, in words a force's comms officer can act on."""

    required: dict[str, str] = Field(min_length=1)
    optional: dict[str, str] = Field(default_factory=dict)

    @field_validator("required", "optional")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        for fact in value:
            check_fact_name(fact)
        return value


class Pack(Frozen):
    """A campaign without a force: the week, the national facts, the facts a force gives.

    `languages` is the campaign's `[languages]` as the pack writes it: a post on a pair (a
    channel named in `pairs`) goes out on one account per language, each a fact the force gives.
    """

    pack: PackInfo
    facts: PackFacts
    helplines: dict[str, Helpline] = Field(default_factory=dict)  # the national lines
    checks: Checks = Checks()
    publishing: Publishing = Publishing()
    metrics: Metrics = Metrics()
    languages: Languages | None = None
    days: tuple[Day, ...] = Field(min_length=1)
    path: Path = Path(PACK_FILE)

    @model_validator(mode="after")
    def _consistent(self) -> Pack:
        for name, helpline in self.helplines.items():
            try:
                number_key(helpline.number, self.checks.phone_region)
            except ValueError as exc:
                raise ValueError(f"helplines.{name}.number: {exc}") from None
        for i, day in enumerate(self.days):
            if not self.pack.start <= day.date <= self.pack.end:
                raise ValueError(
                    f"days[{i}].date {day.date} is outside the pack's week "
                    f"({self.pack.start} to {self.pack.end}): move the day or the dates"
                )
            for j, post in enumerate(day.posts):
                self._check_post(f"days[{i}].posts[{j}]", post)
        return self

    def _check_post(self, where: str, post: PostSpec) -> None:
        """The post's accounts are facts each force must give; its templates, one for each
        of the pack's languages."""
        pairs = self.languages.pairs if self.languages is not None else {}
        accounts = pairs.get(post.channel, {"": post.channel})
        for tag, account in accounts.items():
            if f"accounts.{account}" not in self.facts.required:
                whose = f" (the pair's account for {tag!r})" if tag else ""
                raise ValueError(
                    f"{where}.channel {post.channel!r}{whose}: each force gives its accounts, "
                    f'so ask for it: add "accounts.{account}" to [facts.required]'
                )
        order = list(self.languages.order) if self.languages is not None else []
        if post.templates and sorted(post.templates) != sorted(order):
            said = f"[languages] order is {order}" if order else "the pack has no [languages]"
            raise ValueError(
                f"{where}.templates gives {sorted(post.templates)} but {said}: give one template "
                "for each of the pack's languages (and list them in [languages] order)"
            )
        if not post.templates and post.channel in pairs:
            raise ValueError(
                f"{where}: channel {post.channel!r} is a pair of accounts, one per language: "
                "give `templates` with a template for each language"
            )

    @property
    def posts_dir(self) -> Path:
        return (self.path.parent / self.pack.posts_dir).resolve()


class FactsCampaign(Frozen):
    """`[campaign]` in a facts file: the force's own name for the week, if not the pack's."""

    name: str | None = Field(default=None, min_length=1)
    slug: Slug | None = None


class ForceFacts(OrganisationFile):
    """A force's facts file: organisation.toml's tables, a `[campaign]` name, and optionally
    `organisation_file` naming the force's organisation.toml (this file's values win)."""

    organisation_file: str | None = None
    campaign: FactsCampaign = FactsCampaign()


@dataclass(frozen=True)
class Facts:
    """A force's facts as given: its own file (`own`), the organisation.toml it names, and the
    two combined by organisation.toml's rules (`given`, in facts-file shape)."""

    path: Path
    own: dict[str, Any]
    shared_path: Path | None
    given: dict[str, Any]


def load_pack(directory: Path) -> Pack:
    """The pack in `directory`, validated, with every template and image present."""
    path = directory / PACK_FILE
    if not directory.is_dir():
        raise ConfigError(
            "is not a folder: --from-pack takes a pack's folder (holding pack.toml and posts/)",
            path=directory,
        )
    raw = read_toml(path, missing="--from-pack takes a pack's folder, holding pack.toml")
    try:
        pack = Pack.model_validate({**raw, "path": path.resolve()})
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, Pack), path=path) from None
    for i, day in enumerate(pack.days):
        for j, post in enumerate(day.posts):
            wanted = [
                (f"days[{i}].posts[{j}].templates.{tag}", name)
                for tag, name in post.templates.items()
            ] or [(f"days[{i}].posts[{j}].template", post.template)]
            wanted += [
                (f"days[{i}].posts[{j}].images[{k}].file", image.file)
                for k, image in enumerate(post.images)
            ]
            for field, relative in wanted:
                if not (pack.posts_dir / relative).is_file():
                    raise ConfigError(
                        f"{field}: {relative!r} not found in {pack.posts_dir}: the pack is "
                        "incomplete; ask its authors for the whole folder",
                        path=path,
                    )
    return pack


def load_facts(path: Path) -> Facts:
    """A force's facts file (and the organisation.toml it names), each validated on its own."""
    own = read_toml(path, missing="--facts takes the force's facts file (see the pack's README)")
    _validate(ForceFacts, own, path)
    named = own.get("organisation_file")
    if named is None:
        return Facts(path, own, None, _combined(own, {}))
    shared_path = (path.parent / named).resolve()
    shared = read_toml(
        shared_path,
        missing=f"{path} names it in organisation_file: fix the path (relative to "
        f"{path.name}) or create it",
    )
    _validate(OrganisationFile, shared, shared_path)
    return Facts(path, own, shared_path, _combined(own, shared))


def _validate(model: type[OrganisationFile], raw: dict[str, Any], path: Path) -> None:
    try:
        model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, model), path=path) from None


def _combined(own: dict[str, Any], shared: dict[str, Any]) -> dict[str, Any]:
    """Per key or value, `own` wins (organisation.toml's rules; validated: all tables)."""
    return {
        table: {**shared.get(table, {}), **own.get(table, {})}
        for table in ("organisation", *ENTRY_TABLES, *ROUTE_TABLES)
    }
