"""A campaign side by side with another (this year's week against last year's).

Both sides are the report's own totals (`summary.totals`) over each post's latest snapshot, with
the same metric definitions, so nothing is redefined for the comparison. Two campaigns rarely
share dates or length, so they are lined up by campaign day (day 1 is each campaign's first day)
and by platform, never by calendar date; the notes say so, and say where the lengths differ.
A metric neither side could measure stays None (unavailable), and so does a change that cannot
be worked out: never 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from campaign.errors import BadInput
from campaign.present.times import dated_day
from campaign.report.dataset import Dataset, Row, Source
from campaign.report.summary import Totals, coverage, totals

COUNTS = ("impressions", "engagements", "link_clicks", "shares")
PARTIAL = (
    "Where a side has a count for only some of its measured posts, no change is given for it: "
    "the two totals would cover different posts. Engagement rates stay comparable (each is "
    "over the posts with both numbers)."
)


@dataclass(frozen=True)
class Side:
    """One of the two campaigns: who it is and when it ran."""

    slug: str
    name: str
    start: date
    end: date
    timezone: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @classmethod
    def of(cls, source: Source) -> Side:
        return cls(source.slug, source.name, source.start, source.end, source.timezone)


@dataclass(frozen=True)
class Pair:
    """One group (the whole campaign, a campaign day or a platform) in both campaigns.

    For a campaign day, `this_date`/`other_date` are that day's date in each campaign, None
    when the campaign is shorter than that.
    """

    label: str
    this: Totals
    other: Totals
    this_date: date | None = None
    other_date: date | None = None
    partial: frozenset[str] = frozenset()  # counts a side has for only some measured posts

    def change(self, metric: str) -> float | None:
        """This campaign against the other: percentage points for the engagement rate, per cent
        of the other's value for a count. None when either side lacks it, or has it for only
        some of its measured posts (the totals would then cover unlike sets of posts), or the
        other's is 0. The rate is over the posts with both numbers, so it stays comparable."""
        now: float | None = getattr(self.this, metric)
        then: float | None = getattr(self.other, metric)
        if now is None or then is None or metric in self.partial:
            return None
        if metric == "engagement_rate":
            return round(now - then, 2)
        return round(100 * (now - then) / then, 1) if then else None


@dataclass(frozen=True)
class Comparison:
    this: Side
    other: Side
    overall: Pair
    by_day: list[Pair]
    by_platform: list[Pair]
    notes: list[str]  # how the campaigns are lined up, and what either side is missing


def compare(this: Dataset, other: Dataset) -> Comparison:
    """`this` campaign against `other`, both datasets loaded from the store (with a source)."""
    here, there = _source(this), _source(other)
    if here.slug == there.slug:
        raise BadInput(f"{here.slug!r} is this campaign: compare it with another one")
    now, then = this.latest, other.latest
    overall = _pair("Campaign", now, then)
    by_day = _by_day(here, now, there, then)
    by_platform = _pairs(now, then, lambda row: row.platform)
    notes = _notes(here, now, there, then)
    if any(pair.partial for pair in [overall, *by_day, *by_platform]):
        notes.append(PARTIAL)
    return Comparison(Side.of(here), Side.of(there), overall, by_day, by_platform, notes)


def campaign_day(row: Row, start: date) -> int:
    """Day 1 is the campaign's first day."""
    return (row.day - start).days + 1


def _source(dataset: Dataset) -> Source:
    if dataset.source is None:
        raise ValueError("only a dataset loaded from the store knows its campaign's dates")
    return dataset.source


def _pair(
    label: str,
    now: list[Row],
    then: list[Row],
    dates: tuple[date | None, date | None] = (None, None),
) -> Pair:
    partial = {name for rows in (now, then) for name in COUNTS if _covers_some(rows, name)}
    return Pair(label, totals(label, now), totals(label, then), *dates, frozenset(partial))


def _covers_some(rows: list[Row], metric: str) -> bool:
    """Whether the metric is known for some measured posts but not all."""
    have = [getattr(row, metric) is not None for row in rows if row.status == "ok"]
    return any(have) and not all(have)


def _pairs(now: list[Row], then: list[Row], key: Callable[[Row], str]) -> list[Pair]:
    labels = sorted({key(row) for row in now} | {key(row) for row in then})
    return [
        _pair(label, [r for r in now if key(r) == label], [r for r in then if key(r) == label])
        for label in labels
    ]


def _by_day(here: Source, now: list[Row], there: Source, then: list[Row]) -> list[Pair]:
    """Every campaign day with a post on either side, in order."""
    days = sorted(
        {campaign_day(row, here.start) for row in now}
        | {campaign_day(row, there.start) for row in then}
    )
    return [
        _pair(
            f"Day {day}",
            [row for row in now if campaign_day(row, here.start) == day],
            [row for row in then if campaign_day(row, there.start) == day],
            (_date_of(here, day), _date_of(there, day)),
        )
        for day in days
    ]


def _date_of(source: Source, day: int) -> date | None:
    moment = date.fromordinal(source.start.toordinal() + day - 1)
    return moment if source.start <= moment <= source.end else None


def _notes(here: Source, now: list[Row], there: Source, then: list[Row]) -> list[str]:
    a, b = Side.of(here), Side.of(there)
    notes = [
        f"Compared by campaign day (day 1 is each campaign's first day: {dated_day(a.start)} for "
        f"{a.name}, {dated_day(b.start)} for {b.name}) and by platform, not by date. Each post "
        "counts once, at its latest snapshot, with the same definitions on both sides."
    ]
    if a.days != b.days:
        longer, shorter = (a, b) if a.days > b.days else (b, a)
        extra = (
            f"day {longer.days} is"
            if longer.days == shorter.days + 1
            else f"days {shorter.days + 1} to {longer.days} are"
        )
        notes.append(
            f"The campaigns differ in length: {longer.name} ran {longer.days} days and "
            f"{shorter.name} {shorter.days}, so {extra} {longer.name}'s only and its totals "
            "cover more days."
        )
    for label, field in (
        ("impressions", "facebook_impressions"),
        ("link clicks", "facebook_clicks"),
    ):
        mine, theirs = getattr(here.metrics, field), getattr(there.metrics, field)
        if mine != theirs:
            notes.append(
                f"Facebook {label} are Meta's {mine!r} in {a.name} and {theirs!r} in {b.name} "
                "(Meta renames its metrics): read that comparison with care."
            )
    for side, rows in ((a, now), (b, then)):
        unmeasured = sum(1 for row in rows if row.status != "ok")
        if unmeasured:
            notes.append(
                f"{side.name}: {unmeasured} of {len(rows)} posts not measured; its own report "
                "lists them."
            )
        notes.extend(f"{side.name}: {note}" for note in coverage(rows))
    return notes
