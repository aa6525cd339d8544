"""Sums over a group of posts, the one way every table of the report adds up."""

from __future__ import annotations

from dataclasses import dataclass

from campaign.report.dataset import Row


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
