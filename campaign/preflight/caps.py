"""Caps that do not fit: the sends every campaign in the database plans on an account, counted
in each of the account's windows (`checks.limits.over_cap`, as `campaign check` counts them),
for the windows that end in the pre-flight's period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from campaign.checks.limits import over_cap, words
from campaign.config import Account
from campaign.preflight.findings import Problem
from campaign.present.platforms import display_name
from campaign.present.times import short_time
from campaign.store import Store
from campaign.store.models import AccountRow, CampaignRow


def caps_over(
    store: Store,
    accounts: Sequence[tuple[CampaignRow, AccountRow]],
    now: datetime,
    until: datetime,
) -> Iterator[Problem]:
    """A problem for the first window of each account's cap that goes over it in the period
    (every campaign's sends on the account counted, each thread part one send)."""
    by_identity: dict[str, tuple[CampaignRow, AccountRow, Account]] = {}
    for campaign, row in accounts:
        if row.identity in by_identity or row.definition is None:
            continue
        try:
            by_identity[row.identity] = (campaign, row, Account.model_validate(row.definition))
        except ValidationError:
            continue  # the credentials check reports an account it cannot read
    sends = store.other_sends(list(by_identity), excluding="")
    moments: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for send in sends:
        moments[send.identity] += [(send.at, send.key)] * send.parts
    for identity, (campaign, row, account) in by_identity.items():
        zone = ZoneInfo(campaign.timezone)
        for window, cap in account.limits.items():
            near = [m for m in moments[identity] if now - window < m[0] < until]
            yield from _first_over(campaign, row, near, window, cap, now, zone)


def _first_over(
    campaign: CampaignRow,
    row: AccountRow,
    moments: list[tuple[datetime, str]],
    window: timedelta,
    cap: int,
    now: datetime,
    zone: ZoneInfo,
) -> Iterator[Problem]:
    for start, end in over_cap(moments, window, cap):
        if moments[end][0] < now:
            continue  # already over before now: nothing left to move
        first, key = moments[start][0], moments[end][1]
        count = sum(1 for at, _ in moments if first <= at < first + window)
        platform = display_name(row.platform)
        yield Problem(
            severity="problem",
            check="caps",
            where=f"{row.name} ({platform}) / {short_time(first, zone)}",
            what=f"{count} sends on {row.name} ({platform}) within {words(window)} from "
            f"{short_time(first, zone)}, over the account's limit of {cap}: the platform "
            f"will refuse the excess (from post {key} on).",
            fix="Move posts apart, shorten threads, or cancel a post; every campaign using "
            "this account counts towards its limit.",
            campaign=campaign.slug,
            post=key,
            account=row.key,
        )
        return
