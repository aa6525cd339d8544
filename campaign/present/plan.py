"""What storing the plan changed, in one wording for `campaign plan` and the dashboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from campaign.store import PlanChanges
    from campaign.store.sources import Conflict

# (PlanChanges field, words); the first five are changes, the rest what was left alone.
CHANGE_WORDS = (
    ("added", "added"),
    ("edited", "edited (need approval again)"),
    ("rescheduled", "rescheduled"),
    ("cancelled", "cancelled (no longer in the files)"),
    ("restored", "restored"),
    ("kept", "kept as edited in the dashboard"),
    ("frozen", "already sent, left unchanged"),
    ("unchanged", "unchanged"),
)
CHANGES = 5


def change_groups(
    changes: PlanChanges, *, changed_only: bool = False
) -> list[tuple[str, list[str]]]:
    """(words, keys) for each kind of change; only the real changes when `changed_only`."""
    kinds = CHANGE_WORDS[:CHANGES] if changed_only else CHANGE_WORDS
    return [(words, list(getattr(changes, name))) for name, words in kinds]


def changes_sentence(changes: PlanChanges) -> str:
    """'Plan updated: 2 added, 1 edited (need approval again).'"""
    parts = [
        f"{len(keys)} {words}" for words, keys in change_groups(changes, changed_only=True) if keys
    ]
    sentence = "Plan updated: " + (", ".join(parts) if parts else "nothing had changed")
    if changes.kept:
        sentence += f"; kept {_edits(len(changes.kept))} made in the dashboard"
    return sentence + "."


def _edits(count: int) -> str:
    return "1 edit" if count == 1 else f"{count} edits"


def conflict_words(conflict: Conflict) -> str:
    """'text, time' or 'removed from the files': what a plan found changed on both sides."""
    if conflict.kind == "removed":
        return "removed from the files"
    # Nothing listed: saved in the dashboard while the plan ran (it read the older revision).
    return ", ".join(conflict.differs) or "saved while this plan ran: plan again"
