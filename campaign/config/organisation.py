"""organisation.toml: the force's facts every campaign shares, and how a campaign's own win.

A campaign names the file with `[campaign] organisation_file = "../organisation.toml"` (relative
to its config). The merge, one rule per kind of table:
- `[organisation]` name, area, timezone, website are the defaults of `[campaign]` organisation,
  area, timezone, website;
- `[accounts.KEY]` and `[helplines.KEY]` are whole entries: a campaign's entry replaces the
  organisation's entry of the same key (never field by field: a handle from one and credentials
  from the other would post as the wrong account); other keys are added;
- `[contact]` is per route, and `[checks]`, `[publishing]`, `[metrics]`, `[review]`,
  `[alerts]`, `[database]` are per setting: a campaign's value wins, the organisation's fills
  the rest; `[alerts.channels.NAME]` are whole entries, like accounts (a campaign's channel of
  the same name replaces the organisation's, the others are added);
- a relative SQLite `[database] url` is relative to the file that says it, so campaigns in
  different folders that share organisation.toml share its database.

Merging works on the parsed TOML (before validation) and records which entries came from the
shared file, so an error in organisation.toml names organisation.toml.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from campaign.config.accounts import Account
from campaign.config.alerts import Alerts
from campaign.config.base import Frozen, Slug
from campaign.config.helplines import Helpline, check_numbers
from campaign.config.model import check_timezone
from campaign.config.settings import Checks, Database, Metrics, Publishing, Review
from campaign.errors import ConfigError

ENTRY_TABLES = ("accounts", "helplines")  # merged per key, whole entries
# per value
ROUTE_TABLES = ("contact", "checks", "publishing", "metrics", "review", "alerts", "database")
# [organisation] field -> the [campaign] field it fills.
CAMPAIGN_FIELDS = {
    "name": "organisation",
    "area": "area",
    "timezone": "timezone",
    "website": "website",
}
# Where an entry came from: ("accounts", "x") or ("campaign", "timezone") -> file.
Origins = dict[tuple[str, ...], Path]


class OrganisationInfo(Frozen):
    """`[organisation]`: who the force is; every campaign that names the file inherits it."""

    name: str | None = Field(default=None, min_length=1)
    area: str | None = None
    timezone: str | None = None
    website: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)


class OrganisationFile(Frozen):
    """organisation.toml as written: every table optional, each validated as in config.toml."""

    organisation: OrganisationInfo = OrganisationInfo()
    accounts: dict[Slug, Account] = Field(default_factory=dict)
    helplines: dict[str, Helpline] = Field(default_factory=dict)
    contact: dict[str, str] = Field(default_factory=dict)
    checks: Checks = Checks()
    publishing: Publishing = Publishing()
    metrics: Metrics = Metrics()
    review: Review = Review()
    alerts: Alerts = Alerts()
    database: Database = Database()

    @model_validator(mode="after")
    def _helplines_are_numbers(self) -> OrganisationFile:
        check_numbers(self.helplines, self.checks.phone_region)
        return self


def read_toml(path: Path, *, missing: str) -> dict[str, Any]:
    """A TOML file as a dict; ConfigError naming the file (and line) otherwise.

    `missing` says what to do when the file is not there.
    """
    try:
        # utf-8-sig: a byte order mark some Windows editors write is not TOML; drop it.
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ConfigError(f"file not found: {missing}", path=path) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text ({exc.reason})", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"TOML syntax error: {exc}", path=path) from None
    except OSError as exc:
        raise ConfigError(f"cannot be read ({exc.strerror})", path=path) from None


def merge_shared(
    own: Mapping[str, Any], shared: Mapping[str, Any], shared_path: Path
) -> tuple[dict[str, Any], Origins]:
    """`own` (a campaign's tables) over `shared` (organisation.toml's), by the module's rules.

    Values of the wrong shape are left for validation to report; nothing here raises.
    """
    merged = dict(own)
    origins: Origins = {}
    organisation = shared.get("organisation")
    campaign = own.get("campaign")
    if isinstance(organisation, Mapping) and isinstance(campaign, Mapping):
        filled = dict(campaign)
        for source, target in CAMPAIGN_FIELDS.items():
            if source in organisation and target not in filled:
                filled[target] = organisation[source]
                origins[("campaign", target)] = shared_path
        merged["campaign"] = filled
    for table in ENTRY_TABLES + ROUTE_TABLES:
        theirs, mine = shared.get(table), own.get(table, {})
        if not isinstance(theirs, Mapping) or not isinstance(mine, Mapping):
            continue
        combined = {**theirs, **mine}
        for key in theirs:
            if key not in mine:
                origins[(table, key)] = shared_path
        if table == "alerts" and ("channels" in theirs or "channels" in mine):
            combined["channels"] = _channels(theirs.get("channels"), mine.get("channels"))
        if table == "database" and ("database", "url") in origins:
            combined["url"] = absolute_sqlite_url(combined["url"], shared_path.parent)
        merged[table] = combined
    return merged, origins


def _channels(theirs: Any, mine: Any) -> Any:
    """The organisation's alert channels with the campaign's added (same name: the campaign's)."""
    if isinstance(theirs, Mapping) and isinstance(mine, Mapping):
        return {**theirs, **mine}
    return mine if mine is not None else theirs


def absolute_sqlite_url(url: Any, folder: Path) -> Any:
    """`sqlite:///force.db` written in a file in `folder` -> `sqlite:////that/folder/force.db`."""
    prefix = "sqlite:///"
    if not isinstance(url, str) or not url.startswith(prefix) or ":memory:" in url:
        return url
    if url.startswith(prefix + "/"):
        return url
    return prefix + str((folder / url[len(prefix) :]).resolve())


def origin_of(location: tuple[str | int, ...], message: str, origins: Origins) -> Path | None:
    """The shared file an error at `location` (a pydantic loc) comes from, if it does.

    Whole-model rules (empty location) name their field at the start of the message, e.g.
    "helplines.police.number: ...".
    """
    parts = [str(p) for p in location]
    if not parts:
        parts = message.removeprefix("Value error, ").split(":")[0].split(".")[:2]
    for length in (2, 1):
        found = origins.get(tuple(parts[:length]))
        if found is not None:
            return found
    return None
