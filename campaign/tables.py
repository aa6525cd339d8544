"""Rich renderings for the terminal. Only the CLI imports this: the core stays free of UI."""

from __future__ import annotations

from collections import Counter
from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from campaign.checks import CheckReport, Finding
from campaign.health import Health
from campaign.render import RenderedPost
from campaign.store import PlanChanges, PostRow
from campaign.store.partial import part_links, progress

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
STATE_STYLE = {
    "draft": "white",
    "approved": "green",
    "scheduled": "bold green",
    "publishing": "bold cyan",
    "published": "bold blue",
    "failed": "bold red",
    "missed": "red",
    "cancelled": "dim",
    "partial": "bold red reverse",
    "abandoned": "red",
}


# Above this many posts the terminal gets a summary, not a row per post: printing 10,000 rows
# took longer than checking them, and nobody reads them there. `--json` and the HTML preview
# keep every post.
LARGE_PLAN = 200
SHOWN_ROWS = 100  # posts (or findings) listed one by one in a large plan's summary


def plan_overview(
    posts: list[RenderedPost], report: CheckReport, title: str, *, findings: bool = True
) -> Group:
    """What `campaign check` (and, without `findings`, `campaign preview`) prints.

    A small plan: a row per post, then every finding. A large one: posts by day, then the
    posts with findings (errors first, at most `SHOWN_ROWS`), the findings by rule, the errors
    one by one (at most `SHOWN_ROWS`), and where to see the rest.
    """
    if len(posts) <= LARGE_PLAN:
        shown: list[RenderableType] = [plan_table(posts, report, title)]
        if findings and report.findings:
            shown.append(findings_table(report.findings))
        return Group(*shown)
    flagged = [post for post in posts if report.for_post(post.key)]
    flagged.sort(key=lambda post: not any(f.severity == "error" for f in report.for_post(post.key)))
    shown = [days_table(posts, report, title)]
    if flagged:
        heading = f"Posts with findings ({_first(len(flagged))})"
        shown.append(plan_table(flagged[:SHOWN_ROWS], report, heading))
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
        counts = days.setdefault(f"{post.local_time:%a %d %b %Y}", Counter())
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


def plan_table(posts: list[RenderedPost], report: CheckReport, title: str) -> Table:
    table = Table(title=title, show_lines=False)
    for column in ("Day", "Time", "Channel", "Post", "Parts", "Length", "Ease", "Findings"):
        table.add_column(column, no_wrap=column != "Findings")
    for post in posts:
        lengths = report.lengths.get(post.key, [])
        limit = 280 if post.platform == "x" else None
        length = ", ".join(f"{n}/{limit}" if limit else str(n) for n in lengths)
        findings = report.for_post(post.key)
        summary = Text()
        for severity in ("error", "warning"):
            count = sum(1 for f in findings if f.severity == severity)
            if count:
                summary.append(
                    f"{count} {severity}{'s' if count > 1 else ''} ", SEVERITY_STYLE[severity]
                )
        ease = report.reading_ease.get(post.key)
        table.add_row(
            f"{post.local_time:%a %d %b}",
            f"{post.local_time:%H:%M %Z}",
            post.channel,
            post.key,
            str(len(post.parts)),
            length,
            f"{ease:.0f}" if ease is not None else "–",
            summary or Text("ok", "green"),
        )
    return table


def findings_table(findings: list[Finding], title: str = "Findings") -> Table:
    table = Table(title=title, show_lines=True)
    for column in ("Severity", "Where", "Day", "Channel", "Rule", "Problem", "What to do"):
        table.add_column(column, overflow="fold")
    for finding in sorted(findings, key=lambda f: (f.severity != "error", f.day or "", f.where)):
        table.add_row(
            Text(finding.severity, SEVERITY_STYLE[finding.severity]),
            finding.where,
            finding.day or "",
            finding.channel or "",
            finding.rule,
            finding.message,
            finding.fix,
        )
    return table


def status_table(rows: list[PostRow], zone: ZoneInfo, title: str) -> Table:
    table = Table(title=title)
    for column in ("When", "Channel", "Post", "State", "Approved by", "Platform id", "Note"):
        table.add_column(column, overflow="fold")
    for row in rows:
        local = row.scheduled_at.astimezone(zone)
        approval = row.approved_by or ""
        if row.approved_hash and not row.approval_current:
            approval += " (stale)"
        table.add_row(
            f"{local:%a %d %b %H:%M %Z}",
            row.account.key,
            row.key,
            Text(row.state, STATE_STYLE.get(row.state, "")),
            approval,
            row.platform_post_id or "",
            f"{progress(row)}. {row.last_error}"
            if row.live_part_ids and row.state != "published"
            else row.last_error or "",
        )
    return table


def partial_line(row: PostRow) -> Text:
    """The line an officer must not miss: a thread half public, and where to see it."""
    line = Text(f"{row.key} – partial: {progress(row)}: ", style="bold red")
    line.append(" ".join(part_links(row)))
    line.append(
        f"\n  Why: {row.last_error}. The rest is sent after `campaign resume`, even past the "
        f"grace window; an approver can instead run `campaign abandon {row.key} --reason ...`."
    )
    return line


def changes_table(changes: PlanChanges) -> Table:
    table = Table(title="Plan changes")
    table.add_column("Change")
    table.add_column("Posts", justify="right")
    table.add_column("Keys", overflow="fold")
    for label, keys in (
        ("added", changes.added),
        ("edited (approval cleared)", changes.edited),
        ("rescheduled", changes.rescheduled),
        ("cancelled (gone from config)", changes.cancelled),
        ("restored", changes.restored),
        ("already sent, left unchanged", changes.frozen),
        ("unchanged", changes.unchanged),
    ):
        table.add_row(label, str(len(keys)), ", ".join(keys) if len(keys) <= 6 else "…")
    return table


def health_panel(health: Health, zone: ZoneInfo) -> Panel:
    """The lines an officer must not miss: pause, held accounts, whether a daemon is alive."""
    lines = Text()
    if health.paused:
        lines.append(f"PAUSED by {health.paused_by}: {health.pause_reason}\n", "bold red")
    else:
        lines.append("Publishing is on.\n", "green")
    for account in health.accounts:
        if account.needs_credentials:
            lines.append(
                f"{account.key}: NEEDS NEW CREDENTIALS – posts held "
                f"({account.credentials_problem}). Renew the token, then "
                f"`campaign resume --account {account.key}`.\n",
                "bold red",
            )
        elif account.paused:
            lines.append(f"{account.key}: paused ({account.pause_reason})\n", "red")
    alive = [d for d in health.daemons if d.alive]
    if alive:
        beats = ", ".join(
            f"{d.id} on {d.hostname} (pid {d.pid}), last beat "
            f"{d.heartbeat_at.astimezone(zone):%H:%M:%S}"
            for d in alive
        )
        lines.append(f"Daemons alive: {beats}\n", "green")
    else:
        lines.append(
            "No publishing daemon is alive: start one with `campaign daemon`.\n", "bold yellow"
        )
    if health.next_post_at:
        lines.append(f"Next post due {health.next_post_at.astimezone(zone):%a %d %b %H:%M %Z}.")
    return Panel(lines, title="Publishing", expand=False)
