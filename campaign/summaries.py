"""What a deployment holds: every campaign in the database, its dates and its posts' states.

`campaign list` prints it; anything else that shows all campaigns at once can read the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from campaign.store import Store


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
        }


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
        )
        for row in store.campaigns()
    ]
