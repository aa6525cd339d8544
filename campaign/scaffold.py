"""`campaign init`: a new awareness week that renders from the first minute, with each thing
still to write as a `[[placeholder]]` that `campaign check` lists as an error until replaced."""

from __future__ import annotations

import re
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path

import jinja2

from campaign.errors import ConfigError
from campaign.render import CONTEXT_GUIDE

SCAFFOLD = files("campaign") / "templates" / "scaffold"


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
    """Write config.toml and posts/ for a new campaign; refuse to overwrite anything."""
    if not re.fullmatch(r"#[A-Za-z][A-Za-z0-9_]*", hashtag):
        raise ConfigError(f"hashtag {hashtag!r} must look like #SeeStalkingClearly")
    config_path = directory / "config.toml"
    if config_path.exists() or (directory / "posts").exists():
        raise ConfigError("already holds a campaign: choose an empty folder", path=directory)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    env_prefix = re.sub(r"[^A-Z0-9]+", "_", organisation.upper()).strip("_") or "FORCE"
    day_list = [{"number": n + 1, "date": start + timedelta(days=n)} for n in range(days)]
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    config_text = env.from_string(_read("config.toml.j2")).render(
        name=name,
        slug=slug,
        organisation=organisation,
        hashtag=hashtag,
        start=start,
        end=start + timedelta(days=days - 1),
        timezone=timezone,
        env_prefix=env_prefix,
        days=day_list,
        config_name=config_path,
    )
    written = {
        config_path: config_text,
        directory / "posts" / "_partials" / "footer.j2": _read("footer.j2"),
        directory / "posts" / "_partials" / "helplines.j2": _read("helplines.j2"),
        directory / "posts" / CONTEXT_GUIDE: (files("posts") / CONTEXT_GUIDE).read_text("utf-8"),
    }
    for day in day_list:
        for channel in ("x", "facebook"):
            written[directory / "posts" / f"day-{day['number']}" / f"{channel}.j2"] = _read(
                f"{channel}.j2"
            )
    for path, text in written.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(written)


def _read(name: str) -> str:
    return (SCAFFOLD / name).read_text(encoding="utf-8")
