"""The report in the terminal: rich tables, for an analyst at a command line."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from campaign.present.times import dated_day, short_time
from campaign.report.accounts import AccountTotals
from campaign.report.compare import Comparison, Pair
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


NO_POSTS = Text("no posts", "dim italic")


def _side_measures(group: Totals) -> list[Text | str]:
    """A side's counts and measures; a side with no posts in the group says so, not 0."""
    if not group.posts:
        return ["0", "0", *[NO_POSTS] * len(MEASURES)]
    return [str(group.posts), str(group.measured), *_measures(group)]


def _change(value: float | None, unit: str) -> Text | str:
    if value is None:
        return Text("–", "dim")
    return f"{value:+,.1f} %" if unit == "%" else f"{value:+,.2f} pts"


def _pairs_table(
    title: str, pairs: list[Pair], comparison: Comparison, *, days: bool = False
) -> Table:
    """Each group as three lines: this campaign, the other, and the change between them."""
    table = _table(
        title, ("", "Campaign", "Date") if days else ("", "Campaign"), ("Posts", "Measured")
    )
    for pair in pairs:
        for label, side, day, group in (
            (pair.label, comparison.this, pair.this_date, pair.this),
            ("", comparison.other, pair.other_date, pair.other),
        ):
            dated = [dated_day(day) if day else "after its last day"] if days else []
            table.add_row(label, side.slug, *dated, *_side_measures(group))
        changes = [pair.change(name) for name in ("impressions", "engagements")]
        table.add_row(
            "",
            Text("change", "italic"),
            *[""] * (3 if days else 2),
            _change(changes[0], "%"),
            _change(changes[1], "%"),
            _change(pair.change("engagement_rate"), "pts"),
            _change(pair.change("link_clicks"), "%"),
            _change(pair.change("shares"), "%"),
            end_section=True,
        )
    return table


def render_comparison(comparison: Comparison) -> Group:
    """Both campaigns side by side: the whole campaign, each campaign day, each platform."""
    heading = Text("Comparing\n", "bold")
    for side in (comparison.this, comparison.other):
        heading.append(
            f"  {side.slug}: {side.name}, {dated_day(side.start)} to {dated_day(side.end)} "
            f"({side.days} days, {side.timezone})\n"
        )
    heading.append(
        "Change: this campaign against the other; rate in percentage points, counts in per cent.\n"
    )
    notes = Text("Notes\n", "bold")
    for line in comparison.notes:
        notes.append(f"  {line}\n")
    notes.append("Definitions\n", "bold")
    for name, meaning in DEFINITIONS.items():
        notes.append(f"  {name}: {meaning}\n")
    return Group(
        heading,
        _pairs_table("Campaign", [comparison.overall], comparison),
        _pairs_table("By campaign day", comparison.by_day, comparison, days=True),
        _pairs_table("By platform", comparison.by_platform, comparison),
        notes,
    )


def render_accounts(accounts: list[AccountTotals]) -> Group:
    """Each account over every campaign, then each campaign's part."""
    table = _table(
        "Engagement per account, every campaign", ("Account", "Campaign"), ("Posts", "Measured")
    )
    # Names are never cut: a campaign's slug stays whole on one line (analysts give it to
    # --campaign), and a long identity (a Mastodon or Bluesky handle) wraps instead.
    table.columns[0].overflow = "fold"
    table.columns[1].no_wrap = True
    for account in accounts:
        table.add_row(
            Text(account.identity, "bold"),
            Text("all campaigns", "bold"),
            str(account.total.posts),
            str(account.total.measured),
            *_measures(account.total),
        )
        for i, share in enumerate(account.campaigns):
            table.add_row(
                account.name if i == 0 else "",
                share.slug,
                str(share.totals.posts),
                str(share.totals.measured),
                *_measures(share.totals),
                end_section=i == len(account.campaigns) - 1,
            )
    notes = Text("Notes\n", "bold")
    for account in accounts:
        for line in account.notes:
            notes.append(f"  {account.identity}: {line}\n")
    if not accounts:
        notes.append("  No posts in the database yet.\n")
    notes.append("Definitions\n", "bold")
    for name, meaning in DEFINITIONS.items():
        notes.append(f"  {name}: {meaning}\n")
    return Group(table, notes)
