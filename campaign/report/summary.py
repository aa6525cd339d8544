"""Totals and comparisons analysts ask for, built from each post's latest snapshot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from campaign.report.dataset import Dataset, Row
from campaign.report.languages import LanguageTotals, Unit, by_language, unit_notes, units
from campaign.report.totals import Totals, coverage, totals

__all__ = ["GrowthPoint", "Summary", "Totals", "coverage", "summarise", "totals"]


@dataclass(frozen=True)
class GrowthPoint:
    post_key: str
    channel: str
    hours_since_published: float
    engagements: int
    impressions: int | None


@dataclass(frozen=True)
class Summary:
    campaign: Totals
    by_day: list[Totals]
    by_theme: list[Totals]
    by_channel: list[Totals]
    top: list[Row]
    bottom: list[Row]
    growth: list[GrowthPoint]
    missing: list[str]
    # Posts in several languages: a pair's posts together, and each language's posts.
    units: list[Unit] = field(default_factory=list)
    by_language: list[LanguageTotals] = field(default_factory=list)


def _group(rows: list[Row], key: Callable[[Row], str]) -> list[Totals]:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return [totals(label, members) for label, members in groups.items()]


def summarise(dataset: Dataset, top_n: int = 3) -> Summary:
    latest = dataset.latest
    together = units(latest)
    order = dataset.source.order if dataset.source else ()
    latest_status = {row.post_key: row.status for row in latest}
    ranked = sorted(
        (row for row in latest if row.engagement_rate is not None),
        key=lambda row: (row.engagement_rate, row.engagements or 0),
        reverse=True,
    )
    growth = [
        GrowthPoint(
            row.post_key, row.channel, row.hours_since_published, row.engagements, row.impressions
        )
        for row in dataset.rows
        if row.status == "ok"
        and row.hours_since_published is not None
        and row.engagements is not None
        and latest_status[row.post_key] == "ok"  # a post since deleted gets no curve
    ]
    return Summary(
        campaign=totals(dataset.campaign, latest),
        by_day=_group(latest, lambda r: f"{r.day.isoformat()} {r.weekday}"),
        by_theme=_group(latest, lambda r: r.theme),
        by_channel=_group(latest, lambda r: r.channel),
        top=ranked[:top_n],
        bottom=list(reversed(ranked[top_n:][-top_n:])),  # never the same posts as `top`
        growth=growth,
        missing=coverage(latest) + dataset.missing + unit_notes(together),
        units=together,
        by_language=by_language(latest, order),
    )
