"""What the week page shows: its filters (channel, state, needs my approval), today, the compact
list, and a name for every post that its controls can say ("Approve Monday 10:00 X post").

Filters are a plain GET form, so a filtered week is an address that can be bookmarked or sent,
and works without JavaScript. "Needs my approval" is the drafts whose latest revision someone
else wrote: the two-person rule means a writer's own revision waits for another approver.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import abort
from sqlalchemy import select

from campaign.config import CampaignConfig
from campaign.content.source import ORIGIN_BROWSER
from campaign.present.cards import CardView
from campaign.present.days import DayView
from campaign.present.platforms import display_name
from campaign.present.times import wall_clock, weekday
from campaign.states import FROZEN_STATES, PostState
from campaign.store import Store
from campaign.store.content_rows import RevisionRow
from campaign.store.models import CampaignRow, PostRow

# The states a filter offers, in the order of a post's life, in the words of the badges.
STATES = (
    (PostState.DRAFT, "Drafts"),
    (PostState.APPROVED, "Approved"),
    (PostState.SCHEDULED, "Scheduled"),
    (PostState.PUBLISHED, "Published"),
    (PostState.PARTIAL, "Partly published"),
    (PostState.FAILED, "Failed"),
    (PostState.MISSED, "Missed"),
    (PostState.CANCELLED, "Cancelled"),
)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class WeekFilter:
    """The week page's filters and layout, as its address carries them."""

    channel: str = ""  # an account key of the campaign; "" for every channel
    state: str = ""  # a post state; "" for every state
    mine: bool = False  # only the drafts that wait for the signed-in user's approval
    compact: bool = False  # one line per post instead of cards

    @property
    def active(self) -> bool:
        return bool(self.channel or self.state or self.mine)

    def query(self, **changes: object) -> str:
        """This filter's query string ('' when nothing is set), with `changes` applied."""
        chosen = replace(self, **changes)  # type: ignore[arg-type]
        pairs = [("channel", chosen.channel), ("state", chosen.state)]
        pairs += [("mine", "1" if chosen.mine else ""), ("view", "list" if chosen.compact else "")]
        text = urlencode([(name, value) for name, value in pairs if value])
        return f"?{text}" if text else ""


def parse_filter(args: Mapping[str, str], channels: Iterable[str]) -> WeekFilter:
    """The filter an address asks for; an unknown channel or state is a plain 400."""
    channel, state = args.get("channel", ""), args.get("state", "")
    if channel and channel not in set(channels):
        abort(
            400, description="There is no such channel in this campaign: choose one from the list."
        )
    if state and state not in {value for value, _ in STATES}:
        abort(400, description="There is no such state: choose one from the list.")
    view = args.get("view", "")
    if view not in ("", "cards", "list"):
        abort(400, description="Show the week as cards or as a list.")
    return WeekFilter(channel, state, args.get("mine", "") in ("1", "on", "yes"), view == "list")


def channel_choices(config: CampaignConfig | None, rows: list[PostRow]) -> list[Choice]:
    """Every channel of the campaign, named as an officer knows it: 'X @DerbyshirePolice'."""
    named: dict[str, str] = {}
    if config is not None:
        for key, account in config.accounts.items():
            named[key] = f"{display_name(account.platform)} {account.handle or account.name}"
    for row in rows:
        stored = row.account
        named.setdefault(
            row.channel, f"{display_name(stored.platform)} {stored.handle or stored.name}"
        )
    return [Choice(key, label) for key, label in named.items()]


def state_choices() -> list[Choice]:
    return [Choice(str(value), label) for value, label in STATES]


@dataclass(frozen=True)
class Latest:
    """A post's current revision: its number (what a move is based on) and who wrote it."""

    number: int
    author: str
    origin: str  # "files" | "browser": the two-person rule counts dashboard revisions only

    def written_by(self, user: str) -> bool:
        """Whether `user` wrote this version in the dashboard (the two-person rule's sense)."""
        return self.origin == ORIGIN_BROWSER and self.author == user


def latest_revisions(store: Store, campaign: CampaignRow) -> dict[str, Latest]:
    """Each post's current revision, in one query (posts planned before revisions: none)."""
    with store.reading() as session:
        found = session.execute(
            select(PostRow.key, RevisionRow.number, RevisionRow.author, RevisionRow.origin)
            .join(RevisionRow, RevisionRow.id == PostRow.revision_id)
            .where(PostRow.campaign_id == campaign.id)
        )
        return {key: Latest(number, author, origin) for key, number, author, origin in found}


def needs_approval_by(
    card: CardView, user: str, latest: Mapping[str, Latest], self_approval: bool = False
) -> bool:
    """A draft whose latest version someone else wrote in the dashboard, or that came from the
    files; with `[review] self_approval = true` (a one-person office) every draft."""
    if card.state != PostState.DRAFT:
        return False
    revision = latest.get(card.post.key)
    return self_approval or revision is None or not revision.written_by(user)


def apply_filter(
    days: list[DayView],
    chosen: WeekFilter,
    user: str,
    latest: Mapping[str, Latest],
    self_approval: bool = False,
) -> list[DayView]:
    """The days with only the cards the filter keeps (every day stays: it is a calendar)."""
    if not chosen.active:
        return days

    def keep(card: CardView) -> bool:
        if chosen.channel and card.channel != chosen.channel:
            return False
        if chosen.state and card.state != chosen.state:
            return False
        return not chosen.mine or needs_approval_by(card, user, latest, self_approval)

    return [replace(day, cards=tuple(card for card in day.cards if keep(card))) for day in days]


def post_names(days: Iterable[DayView], zone: ZoneInfo) -> dict[str, str]:
    """Each post as its controls name it, unique on the page: 'Monday 10:00 X post' (with the
    account, then the key, when two posts would share a name); a pair's post says its language
    ('Monday 10:00 X post in Welsh'), and the pair is named too, by its key ('Monday 10:00 X
    pair')."""
    days = list(days)
    names: dict[str, str] = {}
    taken: set[str] = set()

    def name(key: str, choices: Iterable[str]) -> None:
        for each in choices:
            if each not in taken:
                break
        names[key] = each
        taken.add(each)

    for card in (card for day in days for card in day.cards):
        when = f"{weekday(card.day)} {wall_clock(card.post.scheduled_at, zone)}"
        handle = card.account.handle or card.account.name
        in_language = [f"{when} {card.platform_name} post in {card.languages[0].english}"]
        name(
            card.post.key,
            [
                *(in_language if card.post.unit is not None else []),
                f"{when} {card.platform_name} post",
                f"{when} {card.platform_name} {handle} post",
                f"{when} {card.platform_name} post {card.post.key}",
            ],
        )
    for unit in (unit for day in days for unit in day.units if unit.paired):
        first = unit.cards[0]
        when = f"{weekday(first.day)} {wall_clock(first.post.scheduled_at, zone)}"
        name(unit.key, [f"{when} {first.platform_name} pair", f"{when} pair {unit.key}"])
    return names


def movable(card: CardView) -> bool:
    """Whether a post can still be moved: not sent (nor being sent), not cancelled."""
    return card.state not in FROZEN_STATES and card.state != PostState.CANCELLED
