"""What a command needs to know of one campaign, from its config or from its stored row.

A command that works on a stored campaign (status, approve, pause, report...) needs its slug,
name, timezone, dates and its publishing and metrics settings, not its templates. With a config
they come from the config; with only a database (`--campaign SLUG`) from the row `campaign plan`
stored, so an officer at another desk can act on any campaign in the deployment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from campaign.config.settings import Metrics, Publishing
from campaign.errors import StoreError

if TYPE_CHECKING:
    from campaign.config import CampaignConfig
    from campaign.store.models import CampaignRow


@dataclass(frozen=True)
class CampaignFacts:
    slug: str
    name: str
    organisation: str
    timezone: str
    start: date
    end: date
    publishing: Publishing
    metrics: Metrics

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def from_config(cls, config: CampaignConfig) -> CampaignFacts:
        info = config.campaign
        return cls(
            slug=info.slug,
            name=info.name,
            organisation=info.organisation,
            timezone=info.timezone,
            start=info.start,
            end=info.end,
            publishing=config.publishing,
            metrics=config.metrics,
        )

    @classmethod
    def from_row(cls, row: CampaignRow) -> CampaignFacts:
        """The stored campaign's facts; its settings as planned (defaults for a row stored
        before settings were kept), validated as the config's own tables are."""
        settings: dict[str, Any] = dict(row.settings or {})
        try:
            publishing = Publishing.model_validate(settings.get("publishing") or {})
            metrics = Metrics.model_validate(settings.get("metrics") or {})
        except ValidationError as exc:
            raise StoreError(
                f"the stored settings of campaign {row.slug!r} cannot be read "
                f"({exc.error_count()} problem(s)): run `campaign plan` with its config again"
            ) from None
        return cls(
            slug=row.slug,
            name=row.name,
            organisation=row.organisation,
            timezone=row.timezone,
            start=row.start,
            end=row.end,
            publishing=publishing,
            metrics=metrics,
        )
