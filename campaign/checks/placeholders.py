"""Rule: no scaffold placeholder reaches the public, in a post or in config.toml.

`campaign init` writes placeholders as `[[what to write]]`, so one rule finds them all, in the
rendered text and in every config value (an account's handle and page id, a day's theme, alt
text). Campaigns made before that wrote bare placeholders; those few texts are known here too,
and so is each placeholder with only its brackets deleted, and the example handle and page id
wherever they stand.
A placeholder that came into a post from config.toml is reported once, at its config line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from functools import lru_cache
from importlib.resources import files
from typing import Any

from campaign.checks.findings import Finding, config_finding, locate_in_post, post_finding
from campaign.checks.texts import text_label, texts_of
from campaign.config import CampaignConfig
from campaign.packs.facts import fact_of_field
from campaign.render import RenderedPost, Variant

PLACEHOLDER = re.compile(r"\[\[[^\[\]]{1,500}\]\]")
# What `campaign init` wrote before placeholders were bracketed.
_OLD_TEXT = re.compile(r"Write the (?:Facebook )?post for \w+ here\.?|Theme of day \d+")
# Example values, found wherever they stand (X handles ignore case), with what to write instead.
_EXAMPLE_VALUES = (
    (re.compile(r"(?<![\w@])@YourHandle(?!\w)", re.IGNORECASE), "the account's X handle"),
    (re.compile(r"(?<!\d)1234567890(?!\d)"), "the Page's numeric id"),
    # a pack's example facts file names credentials YOURFORCE_...
    (re.compile(r"\bYOURFORCE_\w*"), "the name of your own environment variable"),
)
SCAFFOLD = files("campaign") / "templates" / "scaffold"


def check_placeholders(posts: list[RenderedPost], config: CampaignConfig) -> Iterator[Finding]:
    """An error for each placeholder in config.toml, then for each one left in a post."""
    in_config: set[str] = set()
    # A pack's list of facts describes what to write; it is never published.
    for field, value in _strings(config.model_dump(exclude={"path", "pack"})):
        for found in _placeholders(value):
            in_config.add(found)
            yield config_finding(
                config,
                "error",
                "placeholder",
                f"{field} is still the placeholder {_shown(found)!r}{_needed(config, field)}",
                f"replace it with {_wanted(found)}",
                found,
                field=field,
            )
    for post in posts:
        for variant in texts_of(post, config):
            for found in dict.fromkeys(_placeholders(variant.text)):
                if found in in_config:
                    continue
                yield post_finding(
                    post,
                    "error",
                    "placeholder",
                    f"{text_label(post, variant)} still holds the placeholder {_shown(found)!r}",
                    f"replace it with {_wanted(found)}",
                    _needle(post, found, variant),
                    variant,
                )


def _placeholders(text: str) -> list[str]:
    found = [m.group() for m in PLACEHOLDER.finditer(text)]
    rest = PLACEHOLDER.sub(" ", text)
    for pattern in (_OLD_TEXT, *_unbracketed()):
        found += [m.group() for m in pattern.finditer(rest)]
        rest = pattern.sub(" ", rest)
    found += [m.group() for pattern, _ in _EXAMPLE_VALUES for m in pattern.finditer(rest)]
    return found


@lru_cache(maxsize=1)
def _unbracketed() -> tuple[re.Pattern[str], ...]:
    """Each placeholder the scaffold writes, as found with its brackets deleted: an officer who
    deletes only the brackets has not written the value. Read from the scaffold's own files (the
    config's values, not its comments; the templates whole), so a new placeholder is known at
    once; a `{{ variable }}` in one matches any words."""
    texts = list(_strings(tomllib.loads(SCAFFOLD.joinpath("config.toml").read_text("utf-8"))))
    texts += [
        ("", entry.read_text("utf-8")) for entry in SCAFFOLD.iterdir() if entry.name.endswith(".j2")
    ]
    patterns = []
    for _, text in texts:
        for match in PLACEHOLDER.finditer(text):
            pieces = re.split(r"\{\{.*?\}\}", match.group()[2:-2].strip())
            if len("".join(pieces).strip()) < 12:  # too little written text to know it by
                continue
            words = [r"\s+".join(map(re.escape, piece.split())) for piece in pieces]
            patterns.append(re.compile(r"\s*.+?\s*".join(words), re.IGNORECASE))
    return tuple(patterns)


def _needed(config: CampaignConfig, field: str) -> str:
    """', a fact the pack needs (what)' when the field is one of a pack's facts."""
    fact = fact_of_field(field)
    if config.pack is None or fact is None or fact not in config.pack.facts:
        return ""
    return f", a fact the pack needs ({config.pack.facts[fact]})"


def _shown(placeholder: str) -> str:
    return " ".join(placeholder.split())


def _wanted(placeholder: str) -> str:
    """What to write instead: the placeholder says it; the old bare ones are named here."""
    for pattern, wanted in _EXAMPLE_VALUES:
        if pattern.fullmatch(placeholder):
            return wanted
    return "what it describes (without the brackets)"


def _needle(post: RenderedPost, found: str, variant: Variant) -> str:
    """Text that is on the template line: the placeholder, or its words before any variable."""
    for needle in (found, found.split("\n")[0], " ".join(found.split()[:3])):
        if locate_in_post(post, needle, variant):
            return needle
    return found


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, text) for every string in the dumped config, e.g. ('accounts.x.handle', ...)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")
