"""Rich renderings for the terminal. Only the CLI imports this: the core stays free of UI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.panel import Panel
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:  # `check` needs no database layer, `status` no checks: import where used
    from zoneinfo import ZoneInfo

    from campaign.checks import CheckReport, Finding
    from campaign.health import Health
    from campaign.render import RenderedPost
    from campaign.store import PlanChanges, PostRow

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


def findings_table(findings: list[Finding]) -> Table:
    table = Table(title="Findings", show_lines=True)
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
    from campaign.store.approvals import short_hash
    from campaign.store.partial import progress

    table = Table(title=title)
    columns = ("When", "Channel", "Post", "Fingerprint", "State", "Approved by", "Platform id")
    for column in (*columns, "Note"):
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
            short_hash(row.content_hash),
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
    from campaign.store.partial import part_links, progress

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
