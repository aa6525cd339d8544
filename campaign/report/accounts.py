"""Engagement per account across every campaign in the database.

A force posts every campaign through the same few accounts, so an analyst asks how each account
did over the year, and which campaign brought what. Each campaign's posts are read with its own
dataset (the report's definitions, each post once at its latest snapshot) and grouped by the
account they went out on: one account however many campaigns name it, and under whatever key.
"""

from __future__ import annotations

from dataclasses import dataclass

from campaign.report.dataset import Row, Source, build_dataset
from campaign.report.summary import Totals, coverage, totals
from campaign.store import Store
from campaign.store.models import AccountRow


@dataclass(frozen=True)
class CampaignShare:
    """What one campaign brought to an account."""

    slug: str
    name: str
    totals: Totals


@dataclass(frozen=True)
class AccountTotals:
    """One account: its totals over every campaign, and each campaign's part, earliest first."""

    identity: str  # "x:@derbyshirepolice", "facebook:<page id>": the account, however keyed
    platform: str
    name: str
    total: Totals
    campaigns: list[CampaignShare]
    notes: list[str]  # where a total covers only some of the measured posts


def engagement_by_account(store: Store) -> list[AccountTotals]:
    """Every account that has posts in the database, by platform and identity."""
    rows: dict[str, dict[str, list[Row]]] = {}  # identity -> campaign slug -> latest rows
    accounts: dict[str, AccountRow] = {}
    names: dict[str, str] = {}
    for campaign in store.campaigns():
        names[campaign.slug] = campaign.name
        posts, snapshots = store.posts_and_snapshots(campaign.slug)
        identity = {post.key: post.account.identity for post in posts}
        for post in posts:
            accounts.setdefault(identity[post.key], post.account)
        for row in build_dataset(Source.of_row(campaign), posts, snapshots).latest:
            rows.setdefault(identity[row.post_key], {}).setdefault(campaign.slug, []).append(row)
    result = []
    for key in sorted(rows, key=lambda k: (accounts[k].platform, k)):
        per_campaign = rows[key]
        every = [row for members in per_campaign.values() for row in members]
        result.append(
            AccountTotals(
                identity=key,
                platform=accounts[key].platform,
                name=accounts[key].name,
                total=totals(key, every),
                campaigns=[
                    CampaignShare(slug, names[slug], totals(slug, members))
                    for slug, members in per_campaign.items()
                ],
                notes=coverage(every),
            )
        )
    return result
