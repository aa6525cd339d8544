"""The week page's record of who did what: recent activity, and posts whose edit cleared an
approval (so the card can say who had approved it)."""

from __future__ import annotations

from dataclasses import dataclass

from campaign.config import CampaignConfig
from campaign.present.times import short_time
from campaign.store.models import AuditRow

APPROVAL_ACTIONS = ("approved", "approval-withdrawn", "approval-cleared")
QUIET_ACTIONS = {"claimed"}  # daemon bookkeeping: in the audit export, not the activity list
ACTION_WORDS = {
    "planned": "added to the plan",
    "approved": "approved",
    "approval-withdrawn": "withdrew approval",
    "approval-cleared": "approval cleared: content changed",
    "edited": "edited",
    "rescheduled": "rescheduled",
    "cancelled": "cancelled",
    "restored": "restored to the plan",
    "paused": "PAUSED publishing",
    "resumed": "resumed publishing",
    "published": "published",
    "failed": "failed",
    "missed": "missed",
    "retry-scheduled": "will retry",
    "partial": "ONLY PARTLY PUBLISHED",
    "partial-resumed": "finishing the partly published thread",
    "abandoned": "abandoned the rest of the thread",
    "commented": "commented",
    "changes-requested": "asked for changes",
    "plan-conflict-resolved": "chose which version to keep",
}


@dataclass(frozen=True)
class ActivityView:
    when: str
    actor: str
    action: str
    css: str
    post: str
    detail: str


def recent_activity(
    audit: list[AuditRow], config: CampaignConfig, limit: int = 12
) -> list[ActivityView]:
    """The latest entries first, without the daemon's bookkeeping."""
    shown = [entry for entry in audit if entry.action not in QUIET_ACTIONS][-limit:]
    return [activity_view(entry, config) for entry in reversed(shown)]


def actor_label(actor: str, details: dict[str, object]) -> str:
    """The name, and for the command line whose account it ran under: a typed name is not a
    sign-in, so the page must not make it look like one."""
    if details.get("via") != "cli":
        return actor
    account = details.get("os_user") or "unknown account"
    host = f" on {details['host']}" if details.get("host") else ""
    return f"{actor} (command line, account {account}{host})"


def reapproval_notes(audit: list[AuditRow]) -> dict[str, str]:
    """Posts whose approval was cleared by an edit (and not given again): who had approved."""
    last_approver: dict[str, str] = {}
    notes: dict[str, str] = {}
    for entry in audit:
        key = str((entry.details or {}).get("post", ""))
        if not key or entry.action not in APPROVAL_ACTIONS:
            continue
        if entry.action == "approved":
            last_approver[key] = entry.actor
            notes.pop(key, None)
        elif entry.action == "approval-cleared":
            who = last_approver.get(key)
            notes[key] = (
                f"Changed after {who} approved it: it needs approval again."
                if who
                else "Changed since it was approved: it needs approval again."
            )
        else:
            notes.pop(key, None)
    return notes


def activity_view(entry: AuditRow, config: CampaignConfig) -> ActivityView:
    details = dict(entry.details or {})
    detail = details.get("reason") or details.get("error") or details.get("platform_id") or ""
    return ActivityView(
        when=short_time(entry.at, config.zone),
        actor=actor_label(entry.actor, details),
        action=ACTION_WORDS.get(entry.action, entry.action.replace("-", " ")),
        css=entry.action,
        post=str(details.get("post", "") or ""),
        detail=str(detail),
    )
