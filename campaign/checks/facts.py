"""Rule: a campaign made from a national pack gives every fact the pack asks each force for.

The pack's list travels in config.toml (`[pack.facts]`), so a fact deleted later, from the
config or from the organisation.toml it names, is still missed. A fact left as a `[[placeholder]]`
is the placeholder rule's to report; it names the fact too.
"""

from __future__ import annotations

from campaign.checks.findings import Finding, locate
from campaign.config import CampaignConfig
from campaign.packs.facts import config_facts, fact_value

# Where each kind of fact is written in config.toml, and how.
_WRITTEN = {
    "organisation": ("[campaign]", '{key} = "..." under [campaign]'),
    "accounts": ("[accounts", "an [accounts.{key}] table (platform, name, handle, credentials)"),
    "helplines": ("[helplines", "a [helplines.{key}] table (name, number, purpose)"),
    "contact": ("[contact]", '{key} = "..." under [contact]'),
}
_CAMPAIGN_FIELD = {"name": "organisation"}


def check_facts(config: CampaignConfig) -> list[Finding]:
    """An error for each fact the pack needs that the campaign does not give."""
    if config.pack is None:
        return []
    given = config_facts(config)
    findings = []
    shared = config.organisation_path
    also = f" (or to {shared.name}, shared by every campaign)" if shared else ""
    for fact, what in config.pack.facts.items():
        if fact_value(given, fact) is not None:
            continue
        table, _, key = fact.partition(".")
        header, how = _WRITTEN[table]
        written = how.format(key=_CAMPAIGN_FIELD.get(key, key) if table == "organisation" else key)
        findings.append(
            Finding(
                severity="error",
                rule="fact",
                message=f"{fact} is missing: the pack {config.pack.name!r} needs {what}",
                fix=f"add {written} to {config.path.name}{also}",
                template=config.path.name,
                line=locate(config.path, header),
            )
        )
    return findings
