"""The facts a national pack asks each force for, named as in a force's facts file.

A fact is `organisation.name|area|timezone|website`, `accounts.KEY`, `helplines.KEY` or
`contact.ROUTE`: the same names in a pack's `[facts]`, a force's facts file, organisation.toml
and (for the organisation's facts, as `[campaign]` organisation, area, timezone, website) the
campaign's config.toml.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from campaign.config import CampaignConfig
from campaign.config.organisation import CAMPAIGN_FIELDS

FACT_TABLES = ("organisation", "accounts", "helplines", "contact")
_FACT = re.compile(r"(organisation|accounts|helplines|contact)\.([A-Za-z0-9_-]+)")
_PLACEHOLDER = re.compile(r"\[\[[^\[\]]{1,500}\]\]")


def check_fact_name(fact: str) -> str:
    """`fact` if it names a fact a force can give; ValueError saying which names exist."""
    match = _FACT.fullmatch(fact)
    if not match or (match[1] == "organisation" and match[2] not in CAMPAIGN_FIELDS):
        raise ValueError(
            f"{fact!r} is not a fact a force can give: write organisation.name, "
            "organisation.area, organisation.timezone, organisation.website, accounts.KEY, "
            "helplines.KEY or contact.ROUTE"
        )
    return fact


def fact_value(facts: Mapping[str, Any], fact: str) -> Any:
    """The value of `fact` in facts-file shape (`{"organisation": {...}, "accounts": ...}`),
    or None when it is not given (an empty text is not given)."""
    table, _, key = fact.partition(".")
    found = facts.get(table)
    value = found.get(key) if isinstance(found, Mapping) else None
    return None if value == "" else value


def is_placeholder(value: Any) -> bool:
    """Whether a fact still holds a `[[placeholder]]` anywhere in it."""
    if isinstance(value, str):
        return bool(_PLACEHOLDER.search(value))
    if isinstance(value, Mapping):
        return any(is_placeholder(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(is_placeholder(item) for item in value)
    return False


def config_facts(config: CampaignConfig) -> dict[str, Any]:
    """A loaded campaign's facts in facts-file shape."""
    data = config.model_dump(include={"accounts", "helplines", "contact"})
    campaign = config.campaign.model_dump()
    data["organisation"] = {source: campaign[target] for source, target in CAMPAIGN_FIELDS.items()}
    return data


def fact_of_field(field: str) -> str | None:
    """The fact a config field belongs to: `accounts.x.handle` -> `accounts.x`,
    `campaign.organisation` -> `organisation.name`; None for the rest."""
    parts = field.split(".")
    if len(parts) < 2:
        return None
    if parts[0] == "campaign":
        names = {target: source for source, target in CAMPAIGN_FIELDS.items()}
        return f"organisation.{names[parts[1]]}" if parts[1] in names else None
    if parts[0] in FACT_TABLES[1:]:
        return f"{parts[0]}.{parts[1].split('[')[0]}"
    return None
