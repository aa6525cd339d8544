"""A campaign beside another as one self-contained HTML page, like the results report: inline
CSS and SVG charts, nothing fetched, every value escaped. Each chart carries a text alternative
in words and its figures are in the tables below it. Unavailable reads "unavailable", a side
with no posts in a group reads "no posts", and a change that cannot be worked out reads "–":
never 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup

from campaign.present.pages import page_environment
from campaign.present.times import dated_day, long_time
from campaign.report import charts
from campaign.report.compare import Comparison, Pair, Side
from campaign.report.dataset import DEFINITIONS
from campaign.report.html import (
    LABELS,
    NO_DATA,
    UNAVAILABLE,
    ChartView,
    Definition,
    number,
    percent,
)
from campaign.report.summary import Totals


@dataclass(frozen=True)
class ComparisonContext:
    """Everything comparison.html.j2 receives. Template authors may rely on these names."""

    this: Side
    other: Side
    generated: str | None
    overall: Pair
    by_day: list[Pair]
    by_platform: list[Pair]
    notes: list[str]
    definitions: list[Definition]
    charts: list[ChartView]
    no_data: str = NO_DATA


def render_comparison_html(comparison: Comparison, generated_at: datetime | None = None) -> str:
    """The comparison page; `generated_at` is printed in this campaign's zone when given."""
    context = comparison_context(comparison, generated_at)
    env = page_environment(number=number, percent=percent, change=change, dated_day=dated_day)
    template = env.get_template("comparison.html.j2")
    return template.render({f.name: getattr(context, f.name) for f in fields(context)})


def comparison_context(
    comparison: Comparison, generated_at: datetime | None = None
) -> ComparisonContext:
    zone = ZoneInfo(comparison.this.timezone)
    return ComparisonContext(
        this=comparison.this,
        other=comparison.other,
        generated=long_time(generated_at, zone) if generated_at else None,
        overall=comparison.overall,
        by_day=comparison.by_day,
        by_platform=comparison.by_platform,
        notes=comparison.notes,
        definitions=[
            Definition(name, LABELS.get(name, name), text) for name, text in DEFINITIONS.items()
        ],
        charts=_charts(comparison),
    )


def change(value: float | None, metric: str) -> Markup:
    """'+12.5 %' for a count, '+0.40 points' for the rate, or a quiet '–' when not computable."""
    if value is None:
        return Markup('<span class="na" title="{}">–</span>').format("cannot be worked out")
    if metric == "engagement_rate":
        return Markup("{:+.2f} points").format(value)
    return Markup("{:+,.1f} %").format(value)


def _charts(comparison: Comparison) -> list[ChartView]:
    names = (comparison.this.name, comparison.other.name)
    views = []
    for group, pairs in (("campaign day", comparison.by_day), ("platform", comparison.by_platform)):
        for metric in ("engagement_rate", "engagements"):
            title = f"{LABELS[metric]} by {group}"
            chart_id = f"{metric}-by-{group}".replace("_", "-").replace(" ", "-")
            svg = charts.side_by_side(
                chart_id,
                title,
                [pair.label for pair in pairs],
                [
                    (names[0], *_series([pair.this for pair in pairs], metric)),
                    (names[1], *_series([pair.other for pair in pairs], metric)),
                ],
                unit="%" if metric == "engagement_rate" else "",
            )
            views.append(
                ChartView(
                    chart_id,
                    title,
                    f"{title}: {names[0]} (solid) beside {names[1]} (hatched), each post at its "
                    "latest snapshot.",
                    Markup(svg) if svg else None,  # our own matplotlib output, ids prefixed
                    _describe(title, names, pairs, metric),
                    wide=group == "campaign day",
                )
            )
    return views


def _series(groups: Sequence[Totals], metric: str) -> tuple[list[float | None], list[str]]:
    """One campaign's values for the chart, and what to write where there is none."""
    return [getattr(group, metric) for group in groups], [_absent(group) for group in groups]


def _absent(group: Totals) -> str:
    return UNAVAILABLE if group.posts else "no posts"


def _describe(title: str, names: tuple[str, str], pairs: Sequence[Pair], metric: str) -> str:
    """The chart in words, for screen readers: every group's two values."""
    if not any(
        getattr(side, metric) is not None for pair in pairs for side in (pair.this, pair.other)
    ):
        return f"{title}: {NO_DATA.lower()}."

    def plain(group: Totals) -> str:
        value = getattr(group, metric)
        if value is None:
            return _absent(group)
        return f"{value:.2f} %" if metric == "engagement_rate" else f"{value:,}"

    return (
        f"Bar chart of {title[0].lower()}{title[1:]}, {names[0]} beside {names[1]}: "
        + "; ".join(f"{pair.label} {plain(pair.this)} and {plain(pair.other)}" for pair in pairs)
    )
