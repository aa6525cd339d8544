"""`campaign init`: a new awareness week that renders from the first minute, with each thing
still to write as a `[[placeholder]]` that `campaign check` lists as an error until replaced.

Every option is checked, and the whole config validated, before anything is written. config.toml
is built with tomlkit from a commented skeleton (`templates/scaffold/config.toml`, whose empty
values are filled here), so a name with quotes, backslashes or Welsh letters is written as valid
TOML and the comments survive. The files are written into a hidden staging folder and moved into
place only once all of them exist; on any failure nothing is left behind.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomlkit
from pydantic import ValidationError

from campaign.config import HASHTAG_PATTERN, CampaignConfig, describe_validation_error
from campaign.errors import ConfigError
from campaign.outputs import write_folder
from campaign.render import CONTEXT_GUIDE

SCAFFOLD = files("campaign") / "templates" / "scaffold"
CHANNELS = {"x": "10:00", "facebook": "12:00"}  # each day's posts: channel -> local time
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def scaffold(
    directory: Path,
    *,
    name: str,
    hashtag: str,
    start: date,
    organisation: str,
    timezone: str = "Europe/London",
    days: int = 7,
) -> list[Path]:
    """Write config.toml and posts/ for a new campaign; refuse bad options and overwriting."""
    texts = campaign_files(
        directory,
        name=name,
        hashtag=hashtag,
        start=start,
        organisation=organisation,
        timezone=timezone,
        days=days,
    )
    if (directory / "config.toml").exists() or (directory / "posts").exists():
        raise ConfigError("already holds a campaign: choose an empty folder", path=directory)
    write_folder(directory, {directory / relative: text for relative, text in texts.items()})
    return [directory / relative for relative in texts]


def campaign_files(
    directory: Path,
    *,
    name: str,
    hashtag: str,
    start: date,
    organisation: str,
    timezone: str,
    days: int,
) -> dict[Path, str]:
    """Every file of the new campaign (relative path -> text), or ConfigError naming the option."""
    name = _one_line("--name", name)
    organisation = _one_line("--organisation", organisation)
    if not re.fullmatch(HASHTAG_PATTERN, hashtag):
        raise ConfigError(
            f"--hashtag: {hashtag!r} must look like #SeeStalkingClearly "
            "(# then letters, digits or _, in CamelCase)"
        )
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"--timezone: unknown timezone {timezone!r}: use an IANA name such as 'Europe/London'"
        ) from None
    if days < 1:
        raise ConfigError(f"--days: {days} must be at least 1")
    try:
        dates = [start + timedelta(days=n) for n in range(days)]
    except OverflowError:
        raise ConfigError(f"--start: {start} plus {days} days is past the year 9999") from None
    config_text = _config_text(directory, name, organisation, hashtag, timezone, dates)
    texts = {
        Path("config.toml"): config_text,
        Path("posts/_partials/footer.j2"): _read("footer.j2"),
        Path("posts/_partials/helplines.j2"): _read("helplines.j2"),
        Path("posts") / CONTEXT_GUIDE: (files("posts") / CONTEXT_GUIDE).read_text("utf-8"),
    }
    for number in range(1, days + 1):
        for channel in CHANNELS:
            texts[Path(f"posts/day-{number}/{channel}.j2")] = _read(f"{channel}.j2")
    return texts


def _config_text(
    directory: Path,
    name: str,
    organisation: str,
    hashtag: str,
    timezone: str,
    dates: list[date],
) -> str:
    """config.toml from the skeleton, validated as `campaign check` would load it."""
    doc = tomlkit.parse(_read("config.toml"))
    prefix = _env_prefix(organisation)
    campaign = doc["campaign"]
    campaign.update(
        {
            "name": name,
            "slug": _slug(name),
            "organisation": organisation,
            "hashtag": hashtag,
            "start": dates[0],
            "end": dates[-1],
            "timezone": timezone,
        }
    )
    accounts = doc["accounts"]
    accounts["x"]["name"] = f"{organisation} on X"
    accounts["facebook"]["name"] = organisation
    x_credentials = accounts["x"]["credentials"]
    for key in list(x_credentials):
        x_credentials[key] = f"{prefix}_X_{key.upper()}"
    accounts["facebook"]["credentials"]["page_access_token"] = f"{prefix}_FB_PAGE_TOKEN"
    week = tomlkit.aot()
    for number, day in enumerate(dates, start=1):
        table = tomlkit.table()
        table.update({"date": day, "slug": f"day-{number}", "theme": f"[[Theme of day {number}]]"})
        posts = tomlkit.array()
        for channel, at in CHANNELS.items():
            post = tomlkit.inline_table()
            post.update({"channel": channel, "time": at, "template": f"day-{number}/{channel}.j2"})
            posts.append(post)
        table["posts"] = posts.multiline(True)
        week.append(table)
    doc["days"] = week
    config_path = directory / "config.toml"
    header = (
        f"# {name} – {organisation}.\n"
        f"# Check with: campaign check --config {_CONTROL.sub('?', str(config_path))}\n"
    )
    text = header + tomlkit.dumps(doc)
    try:
        CampaignConfig.model_validate({**tomllib.loads(text), "path": config_path})
    except ValidationError as exc:  # an option the checks above let through
        raise ConfigError(
            "these options would make an invalid config.toml:\n  "
            + describe_validation_error(exc).removeprefix("invalid configuration:\n  ")
        ) from None
    return text


def _one_line(option: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise ConfigError(f"{option}: must not be empty")
    if _CONTROL.search(value):
        raise ConfigError(f"{option}: must be one line of text (no tabs or line breaks)")
    return value


def _slug(name: str) -> str:
    """'Wythnos Diogelwch 2027' -> 'wythnos-diogelwch-2027'; accents folded, never empty."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "campaign"


def _env_prefix(organisation: str) -> str:
    """'Anyshire Police' -> 'ANYSHIRE_POLICE': the start of environment variable names."""
    ascii_name = unicodedata.normalize("NFKD", organisation).encode("ascii", "ignore").decode()
    prefix = re.sub(r"[^A-Z0-9]+", "_", ascii_name.upper()).strip("_")
    return prefix if prefix[:1].isalpha() else f"FORCE_{prefix}".rstrip("_")


def _read(name: str) -> str:
    return (SCAFFOLD / name).read_text(encoding="utf-8")
