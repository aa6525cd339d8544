"""The organisation's accounts: one row per real account, shared by the campaigns that use it.

`campaign plan` links a campaign's accounts here by identity (platform and handle or page), so
two campaigns on the same account share one pause switch, one credentials hold and one set of
caps. The stored definition is what a daemon given only the database builds the channel from;
two campaigns that configure one account differently are refused, never silently merged: the
credentials and caps must be the same wherever the account is used. A change the other
campaigns' own configs now give too (an edit of the organisation.toml they all name) is in
step, so it is stored for all of them; any other change only with `plan --update-accounts`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.config import Account, CampaignConfig, load_config
from campaign.errors import CampaignError, ConfigError
from campaign.store.audit import Actor, record
from campaign.store.models import AccountRow, CampaignAccountRow, CampaignRow

# The account's display name may differ between campaigns; everything else is one account.
_NOT_COMPARED = frozenset({"name"})


def definition(account: Account) -> dict[str, Any]:
    """The configured account as stored: facts, caps and credential variable NAMES."""
    return account.model_dump(mode="json", exclude_none=True)


def link_accounts(
    session: Session,
    config: CampaignConfig,
    campaign: CampaignRow,
    actor: str | Actor,
    now: datetime,
    *,
    update: bool = False,
) -> dict[str, AccountRow]:
    """The account row for each of the campaign's keys, created or shared; links refreshed.

    A shared account configured otherwise than stored is refused, unless `update` says the
    change is meant (a new token variable, a new tier): then it is stored for every campaign
    that uses it and audited in each of their logs.
    """
    links = {
        link.key: link
        for link in session.scalars(
            select(CampaignAccountRow).where(CampaignAccountRow.campaign_id == campaign.id)
        )
    }
    rows: dict[str, AccountRow] = {}
    for key, account in config.accounts.items():
        row = session.scalar(select(AccountRow).where(AccountRow.identity == account.identity))
        if row is None:
            row = _legacy(links.get(key), account)
        wanted = definition(account)
        facts = {
            "platform": account.platform,
            "name": account.name,
            "handle": account.handle,
            "definition": wanted,
        }
        if row is None:
            row = AccountRow(identity=account.identity, key=key, paused=False, **facts)
            row.needs_credentials = False
            session.add(row)
            session.flush()
        elif row.definition is not None and row.definition != wanted:
            changed = _changed(row.definition, wanted)
            others = [other for other in users_of(session, row) if other.id != campaign.id]
            apart = [o for o in others if not _configured_alike(o, row.identity, wanted)]
            if changed and apart and not update:
                _refuse_a_second_definition(config, key, row, apart, row.definition, wanted)
            if changed:
                for user in [campaign, *others]:
                    record(
                        session, user, "account-changed", actor, now, account=row, fields=changed
                    )
        for name, value in facts.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
        link = links.pop(key, None)
        if link is None:
            session.add(CampaignAccountRow(campaign_id=campaign.id, key=key, account_id=row.id))
        elif link.account_id != row.id:
            link.account_id = row.id
        rows[key] = row
    for gone in links.values():  # no longer in the config: its posts keep their account
        session.delete(gone)
    session.flush()
    return rows


def _legacy(link: CampaignAccountRow | None, account: Account) -> AccountRow | None:
    """The campaign's row for this key from before accounts were shared (migration 0008): it
    has no definition yet. Adopted, so its pause and hold carry over."""
    if link is None or link.account.definition is not None:
        return None
    if link.account.platform != account.platform:
        return None
    link.account.identity = account.identity
    return link.account


def users_of(session: Session, account: AccountRow) -> list[CampaignRow]:
    """The campaigns that use the account, earliest first."""
    query = (
        select(CampaignRow)
        .join(CampaignAccountRow, CampaignAccountRow.campaign_id == CampaignRow.id)
        .where(CampaignAccountRow.account_id == account.id)
        .order_by(CampaignRow.start, CampaignRow.slug)
    )
    return list(session.scalars(query))


def _changed(stored: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """The settings that differ, as dotted names (the display name does not count)."""
    old, new = _flat(stored), _flat(wanted)
    return sorted(
        name
        for name in set(old) | set(new)
        if name not in _NOT_COMPARED and old.get(name) != new.get(name)
    )


def conflicts(session: Session, config: CampaignConfig) -> dict[str, str]:
    """By account key: why planning this config would be refused because another campaign
    uses the account with other settings (what `campaign check` reports before a plan)."""
    found: dict[str, str] = {}
    campaign = session.scalar(select(CampaignRow).where(CampaignRow.slug == config.campaign.slug))
    for key, account in config.accounts.items():
        row = session.scalar(select(AccountRow).where(AccountRow.identity == account.identity))
        if row is None or row.definition is None:
            continue
        wanted = definition(account)
        others = [
            other
            for other in users_of(session, row)
            if (campaign is None or other.id != campaign.id)
            and not _configured_alike(other, row.identity, wanted)
        ]
        if others and _changed(row.definition, wanted):
            found[key] = _conflict(key, row, others, row.definition, wanted)
    return found


def _refuse_a_second_definition(
    config: CampaignConfig,
    key: str,
    row: AccountRow,
    others: list[CampaignRow],
    stored: dict[str, Any],
    wanted: dict[str, Any],
) -> None:
    raise ConfigError(_conflict(key, row, others, stored, wanted), path=config.path)


def _conflict(
    key: str,
    row: AccountRow,
    others: list[CampaignRow],
    stored: dict[str, Any],
    wanted: dict[str, Any],
) -> str:
    old, new = _flat(stored), _flat(wanted)
    names = ", ".join(f"'{other.slug}'" for other in others)
    shown = "; ".join(
        f"{name}: {_shown(old.get(name))} there, {_shown(new.get(name))} here"
        for name in _changed(stored, wanted)
    )
    return (
        f"accounts.{key}: {row.handle or row.identity} is also used by campaign {names} with "
        f"other settings ({shown}). An account has one set of credentials and limits wherever "
        "it is used: give every campaign the same account settings (an organisation.toml they "
        "all name keeps them in step). If the account really changed, update every campaign's "
        "config and run `campaign plan --update-accounts`: the new settings then hold for "
        "every campaign that uses it"
    )


def _configured_alike(other: CampaignRow, identity: str, wanted: dict[str, Any]) -> bool:
    """Whether the other campaign's config, as it is on disk now, gives this account the
    wanted settings: then the change is in step (made in a file both take it from)."""
    if not other.config_path or not Path(other.config_path).is_file():
        return False
    try:
        config = load_config(Path(other.config_path))
    except CampaignError:
        return False  # its files are broken now: its stored settings stand
    if config.campaign.slug != other.slug:
        return False
    return any(
        account.identity == identity and not _changed(definition(account), wanted)
        for account in config.accounts.values()
    )


def _flat(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"credentials": {"access_token": "X"}} -> {"credentials.access_token": "X"}."""
    flat: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def _shown(value: Any) -> str:
    return "not set" if value is None else str(value)
