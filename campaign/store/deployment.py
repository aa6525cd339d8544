"""What a daemon given only the database publishes with: every campaign's stored settings and
every account's stored definition, read in one transaction.

`campaign plan` stores them (campaigns.settings, media_dir; accounts.definition), so a daemon
needs no config file: the credentials come from the environment variables the definitions
name. A campaign planned before migration 0008 has no stored settings: it gets the defaults,
and an account without a definition cannot be built until the campaign is planned again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.config import Account, Metrics, Publishing
from campaign.store.models import AccountRow, CampaignAccountRow, CampaignRow


@dataclass(frozen=True)
class CampaignRuntime:
    """One campaign as a daemon needs it."""

    id: int
    slug: str
    name: str
    timezone: str
    publishing: Publishing
    metrics: Metrics
    media_dir: Path | None  # None: planned by an older version; images cannot be sent


@dataclass(frozen=True)
class StoredAccount:
    """One account as a daemon needs it: its definition, or why there is none."""

    id: int
    key: str
    platform: str
    account: Account | None
    problem: str | None = None


@dataclass(frozen=True)
class Deployment:
    """Every campaign (in scope) and every account they use; `fingerprint` changes whenever
    a plan changes any of it, so a running daemon knows to read it again."""

    campaigns: dict[int, CampaignRuntime] = field(default_factory=dict)
    accounts: dict[int, StoredAccount] = field(default_factory=dict)
    fingerprint: str = ""


def load_deployment(session: Session, scope: int | None) -> Deployment:
    query = select(CampaignRow).order_by(CampaignRow.id)
    if scope is not None:
        query = query.where(CampaignRow.id == scope)
    campaign_rows = list(session.scalars(query))
    links = select(CampaignAccountRow.account_id).where(
        CampaignAccountRow.campaign_id.in_([row.id for row in campaign_rows])
    )
    account_rows = list(
        session.scalars(select(AccountRow).where(AccountRow.id.in_(links)).order_by(AccountRow.id))
    )
    campaigns = {row.id: _runtime(row) for row in campaign_rows}
    accounts = {row.id: _stored(row) for row in account_rows}
    digest = hashlib.sha256()
    for campaign in campaign_rows:
        facts = [campaign.id, campaign.settings, campaign.media_dir]
        digest.update(json.dumps(facts, sort_keys=True).encode())
    for account in account_rows:
        digest.update(json.dumps([account.id, account.definition], sort_keys=True).encode())
    return Deployment(campaigns, accounts, digest.hexdigest())


def _runtime(row: CampaignRow) -> CampaignRuntime:
    settings = row.settings or {}
    return CampaignRuntime(
        id=row.id,
        slug=row.slug,
        name=row.name,
        timezone=row.timezone,
        publishing=Publishing.model_validate(settings.get("publishing", {})),
        metrics=Metrics.model_validate(settings.get("metrics", {})),
        media_dir=Path(row.media_dir) if row.media_dir else None,
    )


def _stored(row: AccountRow) -> StoredAccount:
    if row.definition is None:
        return StoredAccount(
            row.id,
            row.key,
            row.platform,
            None,
            f"{row.key}: the database does not yet know this account's settings: run "
            "`campaign plan` for a campaign that uses it",
        )
    try:
        account = Account.model_validate(row.definition)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return StoredAccount(
            row.id,
            row.key,
            row.platform,
            None,
            f"{row.key}: its stored settings are not valid ({where}: {first['msg']}): run "
            "`campaign plan` again",
        )
    return StoredAccount(row.id, row.key, row.platform, account)


def deployment_version(session: Session, scope: int | None) -> tuple[int, ...]:
    """Counts and id sums of the campaigns and their account links in scope, in one query:
    it changes when a campaign is planned for the first time or a campaign's accounts change,
    without reading any settings (a daemon asks it every sweep)."""
    campaigns = select(func.count(), func.coalesce(func.sum(CampaignRow.id), 0))
    links = select(
        func.count(),
        func.coalesce(func.sum(CampaignAccountRow.account_id), 0),
        func.coalesce(func.sum(CampaignAccountRow.campaign_id), 0),
    )
    if scope is not None:
        campaigns = campaigns.where(CampaignRow.id == scope)
        links = links.where(CampaignAccountRow.campaign_id == scope)
    first = session.execute(campaigns).one()
    second = session.execute(links).one()
    return tuple(int(value) for value in (*first, *second))
