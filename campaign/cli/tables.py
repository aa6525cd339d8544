"""Rich renderings for the terminal. Only the CLI imports this: the core stays free of UI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from campaign.states import PostState

if TYPE_CHECKING:  # `check` needs no database layer, `status` no checks: import where used
    from collections.abc import Mapping
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from campaign.checks import CheckReport, Finding
    from campaign.config import CampaignConfig
    from campaign.health import Health
    from campaign.present.cards import CardView
    from campaign.render import RenderedPost
    from campaign.store import PlanChanges, PostRow
    from campaign.store.sources import Conflict

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
STATE_STYLE: dict[str, str] = {
    PostState.DRAFT: "white",
    PostState.APPROVED: "green",
    PostState.SCHEDULED: "bold green",
    PostState.PUBLISHING: "bold cyan",
    PostState.PUBLISHED: "bold blue",
    PostState.FAILED: "bold red",
    PostState.MISSED: "red",
    PostState.CANCELLED: "dim",
    PostState.PARTIAL: "bold red reverse",
    PostState.ABANDONED: "red",
}


def plan_table(
    posts: list[RenderedPost],
    report: CheckReport,
    config: CampaignConfig,
    *,
    title: str | None = None,
) -> Table:
    from campaign.present.cards import CardSource, rendered_card
    from campaign.present.times import short_date

    table = Table(title=title or config.campaign.name, show_lines=False)
    for column in ("Day", "Time", "Channel", "Post", "Parts", "Length", "Ease", "Findings"):
        table.add_column(column, no_wrap=column != "Findings")
    source = CardSource(config, report)
    for card in (rendered_card(source, post) for post in posts):
        table.add_row(
            short_date(card.post.local_time),
            card.time_label,
            card.channel,
            card.post.key,
            str(len(card.post.parts)),
            ", ".join(f"{n.count}/{n.limit}" for n in card.lengths if n.count is not None),
            _ease(report, card),
            _findings_summary(card) or Text("ok", "green"),
        )
    return table


def _ease(report: CheckReport, card: CardView) -> str:
    """The post's reading ease; a post in another language than English, or in several, has a
    line per language, "not scored" for any but English (Flesch is for English only)."""
    scores = report.reading_ease_by_language.get(card.post.key, {})
    if card.reading_ease is not None or not scores:
        return f"{card.reading_ease:.0f}" if card.reading_ease is not None else "–"
    return "\n".join(
        f"{tag} {score:.0f}" if score is not None else f"{tag} not scored"
        for tag, score in scores.items()
    )


def _findings_summary(card: CardView) -> Text:
    summary = Text()
    for severity in ("error", "warning"):
        count = sum(1 for f in card.findings if f.severity == severity)
        if count:
            plural = "s" if count > 1 else ""
            summary.append(f"{count} {severity}{plural} ", SEVERITY_STYLE[severity])
    return summary


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


def status_table(rows: list[PostRow], title: str, zone: ZoneInfo) -> Table:
    """Every stored post's time, state and approval: the stored rows alone, so a campaign
    shows the same with its config or with only its database."""
    from campaign.fingerprints import short_hash
    from campaign.present.cards import PostStatus, approval_label
    from campaign.present.status import post_status, problem
    from campaign.present.times import short_time

    table = Table(title=title)
    columns = ("When", "Channel", "Post", "Fingerprint", "State", "Approved by", "Platform id")
    for column in (*columns, "Note"):
        table.add_column(column, overflow="fold")
    for row in rows:
        state = post_status(row, zone, None).state
        table.add_row(
            short_time(row.scheduled_at, zone),
            row.channel,
            row.key,
            short_hash(row.content_hash),
            Text(state, STATE_STYLE.get(state, "")),
            approval_label(PostStatus(row.state, row.approved_by, row.approval_current)),
            row.platform_post_id or "",
            problem(row),
        )
    return table


def partial_line(row: PostRow) -> Text:
    """The line an officer must not miss: a thread half public, and where to see it."""
    from campaign.present.threads import part_links, progress

    line = Text(f"{row.key} – partial: {progress(row)}: ", style="bold red")
    line.append(" ".join(part_links(row)))
    line.append(
        f"\n  Why: {row.last_error}. The rest is sent after `campaign resume`, even past the "
        f"grace window; an approver can instead run `campaign abandon {row.key} --reason ...`."
    )
    return line


def changes_table(changes: PlanChanges) -> Table:
    from campaign.present.plan import change_groups

    table = Table(title="Plan changes")
    table.add_column("Change")
    table.add_column("Posts", justify="right")
    table.add_column("Keys", overflow="fold")
    for label, keys in change_groups(changes):
        table.add_row(label, str(len(keys)), ", ".join(keys) if len(keys) <= 6 else "…")
    return table


def conflicts_table(
    conflicts: list[Conflict], when: Mapping[str, datetime], zone: ZoneInfo
) -> Table:
    """The posts changed both in the files and in the dashboard since the last plan: when each
    goes (as stored), who edited it in the dashboard and when, and what the files say otherwise.
    """
    from campaign.present.plan import conflict_words
    from campaign.present.times import short_time

    table = Table(title="Changed both in the files and in the dashboard", show_lines=True)
    for column in ("Post", "When", "Edited in the dashboard by", "Edited at", "What differs"):
        table.add_column(column, overflow="fold")
    for conflict in conflicts:
        table.add_row(
            conflict.key,
            short_time(when.get(conflict.key), zone),
            conflict.author,
            short_time(conflict.edited_at, zone),
            Text(conflict_words(conflict), "bold red" if conflict.kind == "removed" else "yellow"),
        )
    return table


def health_panel(
    health: Health,
    rows: list[PostRow],
    now: datetime,
    zone: ZoneInfo,
    *,
    shared: Mapping[str, list[str]] | None = None,
) -> Panel:
    """The lines an officer must not miss, in the dashboard banner's words; a pause of
    everything in the database first, and which campaigns a paused shared account stops."""
    from campaign.present.health import health_view

    view = health_view(health, rows, now, zone)
    lines = Text()
    if health.everything is not None:
        lines.append(
            "EVERYTHING IS PAUSED – no campaign in this database is publishing\n", "bold red"
        )
        lines.append(f"{view.detail}. `campaign resume --all` lifts it.\n", "red")
    else:
        tone = "bold red" if view.paused else "bold green" if view.daemons_ok else "bold yellow"
        lines.append(f"{view.title}\n", tone)
        lines.append(f"{view.detail}\n", "red" if view.paused else "")
    for line in view.held:
        lines.append(f"{line}\n", "bold red")
    for line in view.alerts:
        lines.append(f"{line}\n", "bold yellow")
    for key, names in (shared or {}).items():
        lines.append(f"{key} is shared: its pause stops it in {', '.join(names)}\n", "bold red")
    lines.append(f"{view.daemons}\n", "green" if view.daemons_ok else "bold yellow")
    for daemon in (d for d in health.daemons if d.alive):
        lines.append(f"  {daemon.id} on {daemon.hostname} (pid {daemon.pid})\n", "green")
    lines.append(view.next)
    return Panel(lines, title="Publishing", expand=False)
