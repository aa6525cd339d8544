"""The report in the terminal: rich tables, for an analyst at a command line."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from campaign.present.times import short_time
from campaign.report.dataset import DEFINITIONS, Row
from campaign.report.summary import Summary, Totals

UNAVAILABLE = Text("unavailable", "dim italic")


def _n(value: int | float | None, suffix: str = "") -> Text | str:
    if value is None:
        return UNAVAILABLE
    return f"{value:,.2f}{suffix}" if isinstance(value, float) else f"{value:,}{suffix}"


# The measures every table ends with, right-aligned: totals and single posts alike.
MEASURES = ("Impressions", "Engagements", "Rate", "Link clicks", "Shares")


def _measures(item: Totals | Row) -> list[Text | str]:
    return [
        _n(item.impressions),
        _n(item.engagements),
        _n(item.engagement_rate, " %"),
        _n(item.link_clicks),
        _n(item.shares),
    ]


def _table(title: str, left: tuple[str, ...], counts: tuple[str, ...] = ()) -> Table:
    """Text columns on the left, then counts and the measures right-aligned."""
    table = Table(title=title)
    for column in left:
        table.add_column(column, justify="left")
    for column in counts + MEASURES:
        table.add_column(column, justify="right")
    return table


def _totals_table(title: str, groups: list[Totals]) -> Table:
    table = _table(title, ("",), ("Posts", "Measured"))
    for group in groups:
        table.add_row(group.label, str(group.posts), str(group.measured), *_measures(group))
    return table


def _posts_table(title: str, rows: list[Row], zone: ZoneInfo) -> Table:
    table = _table(title, ("When", "Channel", "Post", "Status", "Snapshot"))
    for row in rows:
        table.add_row(
            short_time(row.scheduled_at, zone),
            row.channel,
            row.post_key,
            row.status,
            row.snapshot or "–",
            *_measures(row),
        )
    return table


def render_terminal(summary: Summary, latest: list[Row], zone: ZoneInfo) -> Group:
    parts: list[RenderableType] = [
        _totals_table("Campaign", [summary.campaign]),
        _totals_table("By day", summary.by_day),
        _totals_table("By theme", summary.by_theme),
        _totals_table("By channel", summary.by_channel),
        _posts_table("Top posts by engagement rate", summary.top, zone),
        _posts_table("Bottom posts by engagement rate", summary.bottom, zone),
        _posts_table("Every post (latest snapshot)", latest, zone),
    ]
    if summary.growth:
        growth = Table(title="Growth since publishing (engagements at each snapshot)")
        growth.add_column("Post")
        growth.add_column("Hours after publishing → engagements")
        by_post: dict[str, list[str]] = {}
        for point in summary.growth:
            by_post.setdefault(point.post_key, []).append(
                f"{point.hours_since_published:g}h: {point.engagements:,}"
            )
        for key, points in by_post.items():
            growth.add_row(key, "  ".join(points))
        parts.append(growth)
    notes = Text("Definitions\n", "bold")
    for name, meaning in DEFINITIONS.items():
        notes.append(f"  {name}: {meaning}\n")
    notes.append("Missing\n", "bold")
    for line in summary.missing or ["nothing: every post is published and measured"]:
        notes.append(f"  {line}\n")
    parts.append(notes)
    return Group(*parts)
