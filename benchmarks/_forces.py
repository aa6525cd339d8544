"""The national week's campaigns: one per force, each made from the shipped demo week.

Every force adopts the same week's X and Facebook posts (days, times, templates, images) with its
own facts: slug,
organisation, area, website, X handle, Facebook page id and credential variable names. So
every force's posts fall due at the same moments, as they do when a national pack is adopted.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# The 43 territorial police forces of England and Wales.
FORCE_NAMES = (
    "Avon and Somerset Constabulary",
    "Bedfordshire Police",
    "Cambridgeshire Constabulary",
    "Cheshire Constabulary",
    "City of London Police",
    "Cleveland Police",
    "Cumbria Constabulary",
    "Derbyshire Constabulary",
    "Devon and Cornwall Police",
    "Dorset Police",
    "Durham Constabulary",
    "Dyfed-Powys Police",
    "Essex Police",
    "Gloucestershire Constabulary",
    "Greater Manchester Police",
    "Gwent Police",
    "Hampshire and Isle of Wight Constabulary",
    "Hertfordshire Constabulary",
    "Humberside Police",
    "Kent Police",
    "Lancashire Constabulary",
    "Leicestershire Police",
    "Lincolnshire Police",
    "Merseyside Police",
    "Metropolitan Police Service",
    "Norfolk Constabulary",
    "North Wales Police",
    "North Yorkshire Police",
    "Northamptonshire Police",
    "Northumbria Police",
    "Nottinghamshire Police",
    "South Wales Police",
    "South Yorkshire Police",
    "Staffordshire Police",
    "Suffolk Constabulary",
    "Surrey Police",
    "Sussex Police",
    "Thames Valley Police",
    "Warwickshire Police",
    "West Mercia Police",
    "West Midlands Police",
    "West Yorkshire Police",
    "Wiltshire Police",
)

# Durations the daemon measures on its own (accelerated) clock, as shipped, in real seconds.
# The generated configs multiply them by the speed so they last as long in real time as they
# would in production: a post is not `missed` because time runs 2,000 times faster.
REAL_GRACE_MINUTES = 15
REAL_HEARTBEAT_SECONDS = 30
REAL_SETTLE_SECONDS = 60
REAL_RETRY_BASE_SECONDS = 5
REAL_RETRY_MAX_SECONDS = 300


@dataclass(frozen=True)
class Force:
    """One force's own facts."""

    number: int
    name: str

    @property
    def area(self) -> str:
        return re.sub(r" (Constabulary|Police Service|Police)$", "", self.name)

    @property
    def slug(self) -> str:
        return "saw-2020-" + re.sub(r"[^a-z0-9]+", "-", self.area.lower()).strip("-")

    @property
    def code(self) -> str:
        """The prefix of its credential variable names, e.g. AVON_AND_SOMERSET."""
        return re.sub(r"[^A-Z0-9]+", "_", self.area.upper()).strip("_")

    @property
    def handle(self) -> str:
        return f"NatWeek{self.number:02d}Pol"  # X handles are at most 15 characters

    @property
    def page_id(self) -> str:
        return str(7_100_000_000 + self.number)

    @property
    def page_name(self) -> str:
        return re.sub(r"[^A-Za-z0-9]", "", self.name.title())


def forces(count: int) -> list[Force]:
    if not 1 <= count <= len(FORCE_NAMES):
        raise ValueError(f"--forces must be between 1 and {len(FORCE_NAMES)}, not {count}")
    return [Force(n + 1, name) for n, name in enumerate(FORCE_NAMES[:count])]


def publishing_settings(speed: float, workers: int, poll_seconds: float) -> dict[str, float]:
    """The `[publishing]` table for a run at `speed`: shipped real durations, scaled."""
    return {
        "grace_minutes": REAL_GRACE_MINUTES * speed,
        "max_attempts": 8,
        "workers": workers,
        "poll_seconds": poll_seconds,
        "request_timeout_seconds": 10,
        "heartbeat_timeout_seconds": REAL_HEARTBEAT_SECONDS * speed,
        "settle_seconds": REAL_SETTLE_SECONDS * speed,
        "retry_base_seconds": REAL_RETRY_BASE_SECONDS * speed,
        "retry_max_seconds": REAL_RETRY_MAX_SECONDS * speed,
    }


def force_config(force: Force, posts_dir: Path, urls: dict[str, str], publishing: str) -> str:
    """The shipped config.toml with this force's facts, its accounts on the sandbox."""
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    replacements = [
        ('slug = "stalking-awareness-week-2020"', f'slug = "{force.slug}"'),
        ('area = "Derbyshire"', f'area = "{force.area}"'),
        ('posts_dir = "posts"', f'posts_dir = "{posts_dir}"'),
        ("@DerbyshirePolice", f"@{force.handle}"),
        ("@DerPolContact", f"@{force.handle[:-3]}Help"),
        ("DerbyshireConstabulary", force.page_name),
        ("Derbyshire Constabulary", force.name),
        ("derbyshire.police.uk", f"{force.code.lower().replace('_', '')}.police.uk"),
        ("DERBYSHIRE_", f"{force.code}_"),
        ('page_id = "104857361209584"', f'page_id = "{force.page_id}"'),
        ('base_url = "https://api.twitter.com"', f'base_url = "{urls["x"]}"'),
        ('base_url = "https://graph.facebook.com"', f'base_url = "{urls["facebook"]}"'),
    ]
    for old, new in replacements:
        if old not in text:
            raise RuntimeError(f"the shipped config.toml no longer has {old!r}: update {__file__}")
        text = text.replace(old, new)
    start = text.index("\n[publishing]\n") + 1
    end = text.index("\n[", start) + 1  # the next table
    return _x_and_facebook(text[:start] + publishing + "\n" + text[end:])


LATER = "instagram|bluesky|mastodon|threads"
LATER_ACCOUNTS = re.compile(rf"^\[accounts\.(?:{LATER})(?:\.credentials)?\]\n(?:(?!\[).*\n)*", re.M)
LATER_POSTS = re.compile(
    rf'^  \{{ channel = "(?:{LATER})", [^\n]*?(?:images = \[\n(?:    .*\n)*  \] \}},?|\}},?)\n',
    re.M,
)


def _x_and_facebook(text: str) -> str:
    """The week on X and Facebook only: the national week measures the daemons and the
    database at 43 forces' scale on the first two platforms' doubles; the later platforms'
    doubles are measured by their own tests."""
    return LATER_POSTS.sub("", LATER_ACCOUNTS.sub("", text))


def write_forces(
    folder: Path,
    count: int,
    urls: dict[str, str],
    *,
    speed: float,
    workers: int = 16,
    poll_seconds: float = 0.1,
) -> list[tuple[Force, Path]]:
    """Write each force's config.toml under `folder` (one shared copy of the templates) and
    return the forces with their config paths."""
    posts_dir = folder / "posts"
    shutil.copytree(REPO / "posts", posts_dir, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    settings = publishing_settings(speed, workers, poll_seconds)
    publishing = "[publishing]\n" + "".join(f"{k} = {v:g}\n" for k, v in settings.items())
    written = []
    for force in forces(count):
        path = folder / force.slug / "config.toml"
        path.parent.mkdir(parents=True)
        path.write_text(force_config(force, posts_dir, urls, publishing), encoding="utf-8")
        written.append((force, path))
    return written
