"""Which campaigns use each of a campaign's accounts: what the dashboard names before an
account is paused, because the pause stops it in every one of them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from campaign.store import Store
from campaign.store.models import AccountRow, CampaignAccountRow, CampaignRow


@dataclass(frozen=True)
class SharedAccount:
    key: str  # what this campaign calls it ("x", "facebook")
    account: AccountRow
    used_by: tuple[str, ...]  # names of every campaign that uses it, earliest first


def shared_accounts(store: Store, slug: str) -> list[SharedAccount]:
    """The campaign's accounts by its keys, each with every campaign that uses it."""
    with store.reading() as session:
        campaign = store.campaign(slug, session)
        links = list(
            session.scalars(
                select(CampaignAccountRow)
                .where(CampaignAccountRow.campaign_id == campaign.id)
                .order_by(CampaignAccountRow.key)
            )
        )
        users = session.execute(
            select(CampaignAccountRow.account_id, CampaignRow.name)
            .join(CampaignRow, CampaignRow.id == CampaignAccountRow.campaign_id)
            .where(CampaignAccountRow.account_id.in_([link.account_id for link in links]))
            .order_by(CampaignRow.start, CampaignRow.slug)
        )
        names: dict[int, list[str]] = {}
        for account_id, name in users:
            names.setdefault(account_id, []).append(name)
        accounts = {
            row.id: row
            for row in session.scalars(
                select(AccountRow).where(AccountRow.id.in_([link.account_id for link in links]))
            )
        }
        return [
            SharedAccount(link.key, accounts[link.account_id], tuple(names[link.account_id]))
            for link in links
        ]
