"""What a deployment holds: every campaign in the database, its dates and its posts' states.

An account paused or waiting for credentials is listed with every campaign that uses it: such
a campaign is "on" but sends nothing on that account. `campaign list` prints it; anything else
that shows all campaigns at once can read the same.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from campaign.store import Store
from campaign.store.models import AccountRow


@dataclass(frozen=True)
class CampaignSummary:
    slug: str
    name: str
    organisation: str
    timezone: str
    start: date
    end: date
    paused: bool
    pause_reason: str | None
    paused_by: str | None
    paused_at: datetime | None
    states: dict[str, int] = field(default_factory=dict)  # post state -> how many
    held_accounts: list[HeldAccount] = field(default_factory=list)

    @property
    def posts(self) -> int:
        return sum(self.states.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "name": self.name,
            "organisation": self.organisation,
            "timezone": self.timezone,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "paused": self.paused,
            "pause_reason": self.pause_reason,
            "paused_by": self.paused_by,
            "paused_at": self.paused_at.isoformat() if self.paused_at else None,
            "posts": self.posts,
            "states": dict(sorted(self.states.items())),
            "held_accounts": [asdict(account) for account in self.held_accounts],
        }


@dataclass(frozen=True)
class HeldAccount:
    """One of the campaign's accounts that sends nothing now, and why."""

    key: str
    platform: str
    handle: str | None
    paused: bool
    pause_reason: str | None
    needs_credentials: bool

    @property
    def label(self) -> str:
        """'x (@AnyshirePolice)': the key officers type, and the account it is."""
        return f"{self.key} ({self.handle})" if self.handle else self.key

    @classmethod
    def of(cls, row: AccountRow) -> HeldAccount:
        return cls(
            key=row.key,
            platform=row.platform,
            handle=row.handle,
            paused=row.paused,
            pause_reason=row.pause_reason if row.paused else None,
            needs_credentials=row.needs_credentials,
        )


def campaign_summaries(store: Store) -> list[CampaignSummary]:
    """Every campaign, earliest first, with how many posts it has in each state."""
    counts = store.state_counts()
    return [
        CampaignSummary(
            slug=row.slug,
            name=row.name,
            organisation=row.organisation,
            timezone=row.timezone,
            start=row.start,
            end=row.end,
            paused=row.paused,
            pause_reason=row.pause_reason if row.paused else None,
            paused_by=row.paused_by if row.paused else None,
            paused_at=row.paused_at if row.paused else None,
            states=counts.get(row.slug, {}),
            held_accounts=[
                HeldAccount.of(account)
                for account in store.accounts(row.slug)
                if account.paused or account.needs_credentials
            ],
        )
        for row in store.campaigns()
    ]
