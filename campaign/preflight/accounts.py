"""Accounts whose posts will not go out: held for new credentials (a problem: nobody chose
it) or paused (a warning: someone did, and said why); and a paused campaign."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from campaign.preflight.findings import Problem
from campaign.present.platforms import display_name
from campaign.store.models import AccountRow, CampaignRow, DeploymentRow


def held_or_paused(
    campaign: CampaignRow, accounts: Sequence[AccountRow], everything: DeploymentRow | None
) -> Iterator[Problem]:
    if everything is not None and everything.paused:
        yield Problem(
            severity="warning",
            check="accounts",
            where=campaign.name,
            what=f"Everything is paused, in every campaign, by {everything.paused_by}: "
            f"{everything.pause_reason}. Nothing goes out.",
            fix="When it is safe, run `campaign resume --all`.",
            campaign=campaign.slug,
        )
    if campaign.paused:
        yield Problem(
            severity="warning",
            check="accounts",
            where=campaign.name,
            what=f"The campaign is paused by {campaign.paused_by}: {campaign.pause_reason}. "
            "None of its posts go out.",
            fix=f"When it is safe, run `campaign resume --campaign {campaign.slug}`.",
            campaign=campaign.slug,
        )
    for account in accounts:
        where = f"{campaign.name} / {account.name} ({display_name(account.platform)})"
        if account.needs_credentials:
            yield Problem(
                severity="problem",
                check="accounts",
                where=where,
                what=f"{account.name} is held: the platform refused its credentials "
                f"({account.credentials_problem}). Its posts wait and nothing goes out on it.",
                fix="Renew the token, give it to whoever runs the publishing service, then "
                f"run `campaign resume --campaign {campaign.slug} --account {account.key}`.",
                campaign=campaign.slug,
                account=account.key,
            )
        elif account.paused:
            yield Problem(
                severity="warning",
                check="accounts",
                where=where,
                what=f"{account.name} is paused ({account.pause_reason}): nothing goes out on "
                "it, in any campaign that uses it.",
                fix="When it is safe, run "
                f"`campaign resume --campaign {campaign.slug} --account {account.key}`.",
                campaign=campaign.slug,
                account=account.key,
            )
