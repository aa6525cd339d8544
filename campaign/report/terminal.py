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
from campaign.report.languages import (
    LANGUAGE_DEFINITIONS,
    LanguageTotals,
    Unit,
    languages_label,
    several_languages,
    units,
)
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


def _post_columns(title: str) -> Table:
    table = _table(title, ("When", "Channel", "Post", "Language", "Status", "Snapshot"))
    table.columns[2].no_wrap = True  # a post's key stays whole: analysts look it up
    return table


def _posts_table(title: str, rows: list[Row], zone: ZoneInfo) -> Table:
    table = _post_columns(title)
    for row in rows:
        table.add_row(*_post_cells(row, zone), *_measures(row))
    return table


def _post_cells(row: Row, zone: ZoneInfo, indent: str = "") -> list[str]:
    return [
        short_time(row.scheduled_at, zone),
        row.channel,
        indent + row.post_key,
        languages_label(row.languages),
        row.status,
        row.snapshot or "–",
    ]


NOT_SUMMED = Text("not summed", "dim italic")


def _unit_measures(unit: Unit) -> list[Text | str]:
    """A pair's summed figures; one its posts do not all have reads "not summed", never a
    total that counts the missing one as 0 (the notes say whose is missing)."""
    shown = []
    for name, suffix in (("impressions", ""), ("engagements", ""), ("engagement_rate", " %"),
                         ("link_clicks", ""), ("shares", "")):  # fmt: skip
        missing = unit.why_not_summed(name)
        shown.append(NOT_SUMMED if missing else _n(getattr(unit, name), suffix))
    return shown


def _units_table(title: str, together: list[Unit], zone: ZoneInfo) -> Table:
    """Each post on a line; a pair's line sums both posts, and each language's post follows."""
    table = _post_columns(title)
    for unit in together:
        if not unit.pair:
            table.add_row(*_post_cells(unit.first, zone), *_measures(unit.first))
            continue
        if table.rows:
            table.rows[-1].end_section = True  # a pair sits between two lines
        table.add_row(
            short_time(unit.first.scheduled_at, zone),
            unit.channel,
            Text(unit.key, "bold"),
            unit.language,
            unit.status,
            unit.snapshot,
            *_unit_measures(unit),
        )
        for i, row in enumerate(unit.members):
            table.add_row(
                *_post_cells(row, zone, "└ "),
                *_measures(row),
                end_section=i == len(unit.members) - 1,
            )
    return table


def _languages_table(lines: list[LanguageTotals]) -> Table:
    """Each language's posts; a bilingual post once, on its own line."""
    table = _table("By language", ("", "Tag"), ("Posts", "Measured"))
    table.add_column("Also in bilingual posts", justify="right")
    for line in lines:
        table.add_row(
            line.label,
            line.lang,
            str(line.posts),
            str(line.measured),
            *_measures(line),
            "–" if line.bilingual else str(line.in_bilingual),
        )
    return table


def render_terminal(summary: Summary, latest: list[Row], zone: ZoneInfo) -> Group:
    parts: list[RenderableType] = [
        _totals_table("Campaign", [summary.campaign]),
        _totals_table("By day", summary.by_day),
        _totals_table("By theme", summary.by_theme),
        _totals_table("By channel", summary.by_channel),
        _languages_table(summary.by_language),
        _posts_table("Top posts by engagement rate", summary.top, zone),
        _posts_table("Bottom posts by engagement rate", summary.bottom, zone),
        _units_table("Every post (latest snapshot)", summary.units or units(latest), zone),
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
    explain = several_languages(summary.by_language, summary.units)
    for name, meaning in (DEFINITIONS | (LANGUAGE_DEFINITIONS if explain else {})).items():
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
