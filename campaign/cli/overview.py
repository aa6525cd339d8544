"""What the terminal prints for a plan of any size: a row per post for a small plan, a summary
(posts by day, the posts with findings, findings by rule) for a large one. Printing 10,000 rows
took longer than checking them; `--json` and the HTML preview keep every post."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from campaign.cli.tables import SEVERITY_STYLE, findings_table, plan_table
from campaign.present.times import dated_day

if TYPE_CHECKING:
    from campaign.checks import CheckReport, Finding
    from campaign.config import CampaignConfig
    from campaign.render import RenderedPost

LARGE_PLAN = 200
SHOWN_ROWS = 100  # posts (or findings) listed one by one in a large plan's summary


def plan_overview(
    posts: list[RenderedPost], report: CheckReport, config: CampaignConfig, *, findings: bool = True
) -> Group:
    """What `campaign check` (and, without `findings`, `campaign preview`) prints.

    A small plan: a row per post, then every finding. A large one: posts by day, then the
    posts with findings (errors first, at most `SHOWN_ROWS`), the findings by rule, the errors
    one by one (at most `SHOWN_ROWS`), and where to see the rest.
    """
    if len(posts) <= LARGE_PLAN:
        shown: list[RenderableType] = [plan_table(posts, report, config)]
        if findings and report.findings:
            shown.append(findings_table(report.findings))
        return Group(*shown)
    flagged = [post for post in posts if report.for_post(post.key)]
    flagged.sort(key=lambda post: not any(f.severity == "error" for f in report.for_post(post.key)))
    shown = [days_table(posts, report, config.campaign.name)]
    if flagged:
        heading = f"Posts with findings ({_first(len(flagged))})"
        shown.append(plan_table(flagged[:SHOWN_ROWS], report, config, title=heading))
    if findings and report.findings:
        shown.append(rules_table(report.findings))
        shown.append(findings_overview(report.errors, every=False, title="Errors"))
    shown.append(
        Text(
            f"{len(posts):,} posts: this is a summary. `campaign check --json` lists every post "
            "and finding; `campaign preview` writes every post as a card in an HTML page."
        )
    )
    return Group(*shown)


def findings_overview(
    findings: list[Finding], *, every: bool = True, title: str = "Findings"
) -> Group:
    """The findings as a table, at most `SHOWN_ROWS` of them unless `every`, errors first."""
    if not findings:
        return Group()
    if every or len(findings) <= SHOWN_ROWS:
        return Group(findings_table(findings, title))
    first = sorted(findings, key=lambda f: f.severity != "error")[:SHOWN_ROWS]
    return Group(
        findings_table(first, f"{title} ({_first(len(findings))})"),
        Text(f"`campaign check --json` lists all {len(findings):,}."),
    )


def _first(count: int) -> str:
    return f"the first {SHOWN_ROWS} of {count:,}" if count > SHOWN_ROWS else f"{count:,}"


def days_table(posts: list[RenderedPost], report: CheckReport, title: str) -> Table:
    """Posts per day and platform, with the findings on each day's posts."""
    table = Table(title=title)
    for column in ("Day", "Posts", "X", "Facebook", "Parts", "Errors", "Warnings"):
        table.add_column(column, justify="left" if column == "Day" else "right")
    days: dict[str, Counter[str]] = {}
    for post in posts:
        counts = days.setdefault(dated_day(post.local_time), Counter())
        counts["posts"] += 1
        counts[post.platform] += 1
        counts["parts"] += len(post.parts)
        for finding in report.for_post(post.key):
            counts[finding.severity] += 1
    for day, counts in days.items():
        table.add_row(
            day,
            *(f"{counts[name]:,}" for name in ("posts", "x", "facebook", "parts")),
            Text(f"{counts['error']:,}", SEVERITY_STYLE["error"] if counts["error"] else ""),
            Text(f"{counts['warning']:,}", SEVERITY_STYLE["warning"] if counts["warning"] else ""),
        )
    return table


def rules_table(findings: list[Finding]) -> Table:
    """Findings counted by rule, with one example of each and what to do."""
    table = Table(title="Findings by rule", show_lines=True)
    for column in ("Severity", "Rule", "Findings", "Posts", "Example", "What to do"):
        table.add_column(
            column, overflow="fold", justify="right" if column in ("Findings", "Posts") else "left"
        )
    by_rule: dict[tuple[str, str], list[Finding]] = {}
    for finding in sorted(findings, key=lambda f: f.severity != "error"):
        by_rule.setdefault((finding.severity, finding.rule), []).append(finding)
    for (severity, rule), found in by_rule.items():
        table.add_row(
            Text(severity, SEVERITY_STYLE[severity]),
            rule,
            f"{len(found):,}",
            f"{len({f.key for f in found if f.key}):,}",
            f"{found[0].where}: {found[0].message}",
            found[0].fix,
        )
    return table
