"""The campaign results report as one self-contained HTML page, for analysts and the officers
they brief.

Like the sign-off preview it must open anywhere, offline and from an email attachment: CSS is
inline, charts are inline SVG drawn by matplotlib, and nothing is fetched from the network. All
text goes through Jinja2 autoescaping. A metric nobody could measure reads "unavailable", never 0,
because a zero would be a claim the platforms never made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup

from campaign.present.pages import page_environment
from campaign.present.times import long_time, template_filters
from campaign.report import charts
from campaign.report.dataset import DEFINITIONS, Dataset, Row
from campaign.report.languages import (
    LANGUAGE_DEFINITIONS,
    LanguageTotals,
    Unit,
    languages_label,
    several_languages,
)
from campaign.report.summary import GrowthPoint, Summary, Totals

UNAVAILABLE = "unavailable"
NO_DATA = "No data yet"
LABELS = {
    "impressions": "Impressions",
    "engagements": "Engagements",
    "engagement_rate": "Engagement rate",
    "link_clicks": "Link clicks",
    "shares": "Shares",
    "lang": "Language",
    "unit": "Pairs",
    "by_language": "By language",
}
TEXT_PREVIEW = 90  # characters of a post's first line shown in the ranking tables


@dataclass(frozen=True)
class ChartView:
    """One chart as the template lays it out: a figure, its caption and its text alternative."""

    id: str
    title: str
    caption: str
    svg: Markup | None  # None: nothing to plot yet, the template shows NO_DATA
    description: str  # the aria-label: what the chart shows, in words
    wide: bool = False


@dataclass(frozen=True)
class Definition:
    metric: str
    label: str
    text: str


@dataclass(frozen=True)
class MissingNote:
    post_key: str | None  # None when the note does not start with a post key
    reason: str


@dataclass(frozen=True)
class ReportContext:
    """Everything report.html.j2 receives. Template authors may rely on these names."""

    campaign: str
    timezone: str
    generated: str | None
    snapshots: int  # rows that are a real snapshot (a post with none yet has one row too)
    totals: Totals  # the campaign's, from each post's latest snapshot
    definitions: list[Definition]
    charts: list[ChartView]
    by_day: list[Totals]
    by_theme: list[Totals]
    by_channel: list[Totals]
    top: list[Row]
    bottom: list[Row]
    latest: list[Row]
    missing: list[MissingNote]
    colours: dict[str, str]  # channel -> chart colour, for the tables' keys
    no_data: str = NO_DATA
    # Posts in several languages: the post-by-post table's lines (a pair's posts as one unit,
    # each post alone as its own), each language's totals, and whether to explain them.
    units: list[Unit] = field(default_factory=list)
    by_language: list[LanguageTotals] = field(default_factory=list)
    languages: bool = False  # more than one language, or pairs: the definitions say how
    pairs: int = 0


def render_report_html(
    dataset: Dataset, summary: Summary, generated_at: datetime | None = None
) -> str:
    """The results page for `dataset` and its `summary` (from `summarise(dataset)`).

    `generated_at` is printed when given, in the campaign's zone; it is a parameter rather than
    the wall clock so the same data always gives the same page.
    """
    context = report_context(dataset, summary, generated_at)
    env = page_environment(
        number=number,
        percent=percent,
        first_line=first_line,
        languages=languages_label,
        **template_filters(ZoneInfo(dataset.timezone)),
    )
    template = env.get_template("report.html.j2")
    return template.render({f.name: getattr(context, f.name) for f in fields(context)})


def report_context(
    dataset: Dataset, summary: Summary, generated_at: datetime | None = None
) -> ReportContext:
    """Build the template's context; separate so tests can check the contract, not markup."""
    zone = ZoneInfo(dataset.timezone)
    latest = dataset.latest
    explain = several_languages(summary.by_language, summary.units)
    definitions = dict(DEFINITIONS) | (LANGUAGE_DEFINITIONS if explain else {})
    return ReportContext(
        campaign=dataset.campaign,
        timezone=dataset.timezone,
        generated=long_time(generated_at, zone) if generated_at else None,
        snapshots=sum(1 for row in dataset.rows if row.collected_at is not None),
        totals=summary.campaign,
        definitions=[
            Definition(name, LABELS.get(name, name.replace("_", " ").capitalize()), text)
            for name, text in definitions.items()
        ],
        charts=_charts(summary) + (_language_chart(summary.by_language) if explain else []),
        by_day=summary.by_day,
        by_theme=summary.by_theme,
        by_channel=summary.by_channel,
        top=summary.top,
        bottom=summary.bottom,
        latest=latest,
        missing=[_missing_note(note) for note in summary.missing],
        colours=charts.channel_colours(row.channel for row in latest),
        units=summary.units,
        by_language=summary.by_language,
        languages=explain,
        pairs=sum(1 for unit in summary.units if unit.pair),
    )


def number(value: int | None) -> Markup:
    """'12,345', or a visibly different 'unavailable' for a metric nobody could read."""
    if value is None:
        return Markup('<span class="na">{}</span>').format(UNAVAILABLE)
    return Markup("{:,}").format(value)


def percent(value: float | None) -> Markup:
    """'6.43 %', or 'unavailable'."""
    if value is None:
        return number(None)
    return Markup("{:.2f} %").format(value)


def first_line(text: str, limit: int = TEXT_PREVIEW) -> str:
    """The opening line of a post, shortened on a word boundary: enough to recognise it."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def _charts(summary: Summary) -> list[ChartView]:
    def svg(markup: str) -> Markup | None:
        return Markup(markup) if markup else None  # our own matplotlib output, ids prefixed

    return [
        ChartView(
            "growth",
            "Engagements over time",
            "Engagements over time: each line is one post, from its first snapshot to its latest, "
            "coloured by channel.",
            svg(charts.engagement_over_time(summary.growth)),
            _describe_growth(summary.growth),
            wide=True,
        ),
        ChartView(
            "by-theme",
            "Engagement rate by theme",
            "Engagement rate by theme: engagements as a share of impressions, at each post's "
            "latest snapshot.",
            svg(charts.rate_by_theme(summary.by_theme)),
            _describe_rates("Engagement rate by theme", summary.by_theme),
            wide=True,
        ),
        ChartView(
            "by-day",
            "Engagement rate by day",
            "Engagement rate by day of the campaign, at each post's latest snapshot.",
            svg(charts.rate_by_day(summary.by_day)),
            _describe_rates("Engagement rate by day", summary.by_day),
        ),
        ChartView(
            "by-channel",
            "Impressions and engagements by channel",
            "Impressions (solid) and engagements (hatched) by channel, at each post's latest "
            "snapshot, coloured by channel as in the engagements-over-time chart.",
            svg(charts.reach_by_channel(summary.by_channel)),
            _describe_channels(summary.by_channel),
        ),
    ]


def _language_chart(lines: Sequence[LanguageTotals]) -> list[ChartView]:
    """Impressions and engagements by language, for a campaign in more than one."""
    if len(lines) < 2:
        return []
    series = [
        (LABELS[name], [getattr(line, name) for line in lines], [UNAVAILABLE] * len(lines))
        for name in ("impressions", "engagements")
    ]
    svg = charts.side_by_side(
        "language",
        "Impressions and engagements by language",
        [line.label.replace(" (", "\n(") for line in lines],  # "(bilingual)" below
        series,
    )
    return [
        ChartView(
            "by-language",
            "Impressions and engagements by language",
            "Impressions (solid) and engagements (hatched) by language, at each post's latest "
            "snapshot; a bilingual post is counted once, under its own bar.",
            Markup(svg) if svg else None,
            _describe_languages(lines),
        )
    ]


def _describe_languages(lines: Sequence[LanguageTotals]) -> str:
    if not any(t.impressions is not None or t.engagements is not None for t in lines):
        return f"Impressions and engagements by language: {NO_DATA.lower()}."
    return "Bar chart of impressions and engagements by language: " + "; ".join(
        f"{t.label}: {t.posts} {'post' if t.posts == 1 else 'posts'}, "
        f"{_plain_number(t.impressions)} impressions, {_plain_number(t.engagements)} engagements"
        for t in lines
    )


def _describe_growth(growth: Sequence[GrowthPoint]) -> str:
    if not growth:
        return f"Engagements over time: {NO_DATA.lower()}."
    last: dict[str, GrowthPoint] = {}
    for point in growth:
        seen = last.get(point.post_key)
        if seen is None or point.hours_since_published >= seen.hours_since_published:
            last[point.post_key] = point
    per_channel: dict[str, list[GrowthPoint]] = {}
    for point in last.values():
        per_channel.setdefault(point.channel, []).append(point)
    parts = [
        f"{channel}: {len(points)} {'post' if len(points) == 1 else 'posts'}, "
        f"{sum(p.engagements for p in points):,} engagements at their latest snapshots"
        for channel, points in sorted(per_channel.items())
    ]
    hours = [p.hours_since_published for p in growth]
    return (
        f"Line chart of engagements against hours since published, from {min(hours):g} to "
        f"{max(hours):g} hours. " + "; ".join(parts) + "."
    )


def _describe_rates(title: str, groups: Sequence[Totals]) -> str:
    if not any(t.engagement_rate is not None for t in groups):
        return f"{title}: {NO_DATA.lower()}."
    return f"Bar chart of {title[0].lower()}{title[1:]}: " + "; ".join(
        f"{t.label} {_plain_percent(t.engagement_rate)}" for t in groups
    )


def _describe_channels(groups: Sequence[Totals]) -> str:
    if not any(t.impressions is not None or t.engagements is not None for t in groups):
        return f"Impressions and engagements by channel: {NO_DATA.lower()}."
    return "Bar chart of impressions and engagements by channel: " + "; ".join(
        f"{t.label} {_plain_number(t.impressions)} impressions, "
        f"{_plain_number(t.engagements)} engagements"
        for t in groups
    )


def _plain_number(value: int | None) -> str:
    return UNAVAILABLE if value is None else f"{value:,}"


def _plain_percent(value: float | None) -> str:
    return UNAVAILABLE if value is None else f"{value:.2f} %"


def _missing_note(note: str) -> MissingNote:
    """'<key>: <why>' (the dataset's wording) split so the key can be shown as a key."""
    key, sep, reason = note.partition(": ")
    if not sep or " " in key:
        return MissingNote(None, note)
    return MissingNote(key, reason)
