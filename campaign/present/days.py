"""The week as days of cards: one grouping for the sign-off preview and the dashboard."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from campaign.config import CampaignConfig
from campaign.present.cards import CardView
from campaign.present.languages import Unit, units
from campaign.present.times import long_date, short_date
from campaign.states import PostState

NO_POSTS = "No posts planned"


@dataclass(frozen=True)
class DayView:
    date: date
    label: str  # "Monday 20 April 2020"
    short: str  # "Mon 20 Apr"
    number: int  # day 1 is the campaign's first day
    theme: str
    cards: tuple[CardView, ...]

    @property
    def units(self) -> tuple[Unit, ...]:
        """The cards as shown: a pair's posts together, as one unit."""
        return units(self.cards)

    @property
    def draft_cards(self) -> list[CardView]:
        return [card for card in self.cards if card.state == PostState.DRAFT]

    @property
    def drafts(self) -> int:
        return len(self.draft_cards)

    @property
    def approved(self) -> int:
        """Posts whose approval can still be withdrawn (approved, not yet sent)."""
        return sum(1 for card in self.cards if card.live and card.live.signoff == "withdraw")

    def count(self, *states: str) -> int:
        return sum(1 for card in self.cards if card.state in states)


def group_by_day(
    config: CampaignConfig, cards: Iterable[CardView], *, every_day: bool = False
) -> list[DayView]:
    """The cards by day, in their order; with `every_day`, also the campaign's days that have
    no posts (a calendar shows every day)."""
    groups: dict[date, list[CardView]] = {}
    for card in cards:
        groups.setdefault(card.day, []).append(card)
    days = sorted(groups)
    if every_day:
        first = min([config.campaign.start, *days])
        last = max([config.campaign.end, *days])
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [_day(config, day, tuple(groups.get(day, ()))) for day in days]


def _day(config: CampaignConfig, day: date, cards: tuple[CardView, ...]) -> DayView:
    if cards:
        number, theme = cards[0].day_number, cards[0].theme
    else:
        number = (day - config.campaign.start).days + 1
        theme = next((d.theme for d in config.days if d.date == day), NO_POSTS)
    return DayView(day, long_date(day), short_date(day), number, theme, cards)
