"""Totals and comparisons analysts ask for, built from each post's latest snapshot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from campaign.report.dataset import Dataset, Row


@dataclass(frozen=True)
class Totals:
    """Sums over a group of posts; None when no post in it has the metric."""

    label: str
    posts: int
    measured: int  # posts with an ok snapshot
    impressions: int | None
    engagements: int | None
    link_clicks: int | None
    shares: int | None
    # Engagements ÷ impressions over the posts that have both, so a post whose impressions
    # are unavailable cannot inflate the rate.
    engagement_rate: float | None


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


def _sum(rows: list[Row], name: str) -> int | None:
    values = [getattr(row, name) for row in rows if getattr(row, name) is not None]
    return sum(values) if values else None


def _rate(rows: list[Row]) -> float | None:
    both = [r for r in rows if r.engagements is not None and r.impressions]
    if not both:
        return None
    return round(
        100 * sum(r.engagements or 0 for r in both) / sum(r.impressions or 0 for r in both), 2
    )


def totals(label: str, rows: list[Row]) -> Totals:
    return Totals(
        label=label,
        posts=len(rows),
        measured=sum(1 for row in rows if row.status == "ok"),
        impressions=_sum(rows, "impressions"),
        engagements=_sum(rows, "engagements"),
        link_clicks=_sum(rows, "link_clicks"),
        shares=_sum(rows, "shares"),
        engagement_rate=_rate(rows),
    )


def coverage(rows: list[Row]) -> list[str]:
    """Say where a total covers only some of the measured posts."""
    measured = [row for row in rows if row.status == "ok"]
    notes = []
    for name in ("impressions", "engagements", "link_clicks", "shares"):
        have = sum(1 for row in measured if getattr(row, name) is not None)
        if measured and have < len(measured):
            notes.append(
                f"{name}: measured on {have} of {len(measured)} posts; totals and "
                "rates cover those only"
            )
    return notes


def _group(rows: list[Row], key: Callable[[Row], str]) -> list[Totals]:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return [totals(label, members) for label, members in groups.items()]


def summarise(dataset: Dataset, top_n: int = 3) -> Summary:
    latest = dataset.latest
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
        missing=coverage(latest) + dataset.missing,
    )
