"""Sign-off: an approval records who approved exactly which content (its hash), and when.

An approver approves what they were shown. The dashboard's forms and `campaign approve
KEY@FINGERPRINT` carry the content hash that was shown for each post, and the hash is compared
with the stored one in the same transaction that records the approval: if any post changed in
between (`campaign plan` stored an edit), nothing is approved. The fingerprint is the hash's
first SHORT_HASH hex digits, or more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from campaign.errors import BadInput, ContentChanged, TimePassed
from campaign.fingerprints import FINGERPRINT, SHORT_HASH, short_hash  # noqa: F401
from campaign.present.late import late_heading as late_heading  # re-exported: the wording
from campaign.present.late import late_line
from campaign.present.late import late_summary as late_summary
from campaign.store import pairs
from campaign.store.audit import Actor
from campaign.store.models import CampaignRow, PostRow, PostState
from campaign.store.review import OWN_WORK, OwnWork, own_work
from campaign.store.transitions import transition

PARTNER_OWN = (
    "you wrote the latest version of the other post of its pair; another person must approve "
    "the pair"
)
# A pair's posts an approval must name: those not yet on their way (or still approved).
SIGN_OFF_STATES = (PostState.DRAFT, PostState.APPROVED, PostState.SCHEDULED)


@dataclass
class ApprovalResult:
    changed: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # key -> why not
    hashes: dict[str, str] = field(default_factory=dict)  # changed key -> its content hash
    times: dict[str, datetime] = field(default_factory=dict)  # changed key -> when it is due


def hash_matches(shown: str | None, stored: str) -> bool:
    """True if `shown` is the stored hash or a prefix of it at least SHORT_HASH digits long."""
    return shown is not None and bool(FINGERPRINT.fullmatch(shown)) and stored.startswith(shown)


def approve(
    session: Session,
    campaign: CampaignRow,
    rows: list[PostRow],
    actor: Actor,
    now: datetime,
    *,
    expected: Mapping[str, str] | None = None,
    allow_past: bool = True,
    allow_own: bool = False,
    refuse_own: bool = False,
    named: Sequence[str] | None = None,
) -> ApprovalResult:
    """Approve the drafts among `rows`, all or none; a pair's posts always together.

    A post of a pair (one post per language on separate accounts) brings the others of its
    pair: approving one approves the pair. With `expected`, or with `named` (the keys an
    approver named, without hashes), every post of the pair not yet out must be among them,
    or PairIncomplete names the missing ones with their fingerprints; the two-person rule
    holds for the pair (one post written by the approver holds both).

    With `expected` (key -> hash shown), every draft must be one the approver was shown with
    exactly its stored content, or ContentChanged is raised and nothing is approved. Without
    `allow_past`, a draft already due raises TimePassed, so the approver can be asked first.
    Unless `allow_own`, drafts whose latest revision the approver made are skipped (the
    two-person rule), or refused with OwnWork when `refuse_own` (one post was asked for).
    """
    result = ApprovalResult()
    rows = with_partners(session, rows)
    if expected is not None or named is not None:
        covered = set(expected) if expected is not None else set(named or ())
        require_whole_pairs(session, rows, covered)
    drafts = []
    for row in rows:
        if row.state == PostState.APPROVED and row.approval_current:
            shown = expected.get(row.key) if expected is not None else row.content_hash
            result.skipped[row.key] = (
                "already approved"
                if hash_matches(shown, row.content_hash)
                else f"already approved by {row.approved_by}, for text you were not shown"
            )
        elif row.state != PostState.DRAFT:
            result.skipped[row.key] = f"is {row.state}; only drafts can be approved"
        else:
            drafts.append(row)
    own = [] if allow_own else own_work(session, drafts, actor.name)
    if own and refuse_own:
        raise OwnWork([row.key for row in own])
    # The two-person rule holds for a pair: one post written by the approver holds both.
    with_own = [row for row in drafts if row not in own and _pair_of_any(row, own)]
    for row in own:
        result.skipped[row.key] = OWN_WORK
    for row in with_own:
        result.skipped[row.key] = PARTNER_OWN
    drafts = [row for row in drafts if row not in own and row not in with_own]
    if expected is not None:
        changed = [
            row.key for row in drafts if not hash_matches(expected.get(row.key), row.content_hash)
        ]
        if changed:
            raise ContentChanged(changed)
    due = {row.key: row.scheduled_at for row in drafts if row.scheduled_at <= now}
    if due and not allow_past:
        raise TimePassed(due)
    for row in drafts:
        row.approved_hash, row.approved_by, row.approved_at = row.content_hash, actor.name, now
        shown_hash = {"shown_hash": expected[row.key]} if expected is not None else {}
        transition(
            session,
            campaign,
            row,
            PostState.APPROVED,
            actor,
            now,
            content_hash=row.content_hash,
            **shown_hash,
        )
        result.changed.append(row.key)
        result.hashes[row.key] = row.content_hash
        result.times[row.key] = row.scheduled_at
    return result


class PairIncomplete(BadInput):
    """An approval named some posts of a pair but not the others: nothing was approved.

    `missing` maps each post left out to the fingerprint to approve it with."""

    def __init__(self, named: str, missing: dict[str, str]) -> None:
        self.named, self.missing = named, missing
        others = " and ".join(f"{key}@{fingerprint}" for key, fingerprint in missing.items())
        super().__init__(
            f"nothing was approved: {named} is one of a pair (one post per language, sent "
            f"together): approve it with {others}"
        )


def with_partners(session: Session, rows: list[PostRow]) -> list[PostRow]:
    """`rows` and every other post of their pairs, in time order (a pair is one unit)."""
    by_unit = pairs.partners(session, rows)
    if not by_unit:
        return rows
    seen = {row.id for row in rows}
    extra = [row for unit in by_unit.values() for row in unit if row.id not in seen]
    for row in extra:
        _ = row.account  # loaded while the session is open
    return sorted([*rows, *extra], key=_in_order)


def _in_order(row: PostRow) -> tuple[datetime, str, int, str]:
    """By time, a pair's posts together in their language order."""
    return (row.scheduled_at, row.unit_key or row.key, row.unit_position, row.key)


def require_whole_pairs(session: Session, rows: list[PostRow], shown: set[str]) -> None:
    """Every post of a pair not yet on its way must be among `shown`, else PairIncomplete."""
    for unit in pairs.partners(session, rows).values():
        waiting = [row for row in unit if row.state in SIGN_OFF_STATES]
        named = [row for row in waiting if row.key in shown]
        missing = {row.key: short_hash(row.content_hash) for row in waiting if row not in named}
        if named and missing:
            raise PairIncomplete(named[0].key, missing)


def _pair_of_any(row: PostRow, others: list[PostRow]) -> bool:
    return row.unit_key is not None and any(
        other.unit_key == row.unit_key and other.campaign_id == row.campaign_id for other in others
    )


def withdraw(
    session: Session,
    campaign: CampaignRow,
    rows: list[PostRow],
    actor: Actor,
    now: datetime,
    reason: str,
) -> ApprovalResult:
    """Withdraw approvals. Never bound to a shown hash: stopping a post is always allowed.
    Withdrawing a post of a pair withdraws the pair (it goes out together or not at all)."""
    result = ApprovalResult()
    named = {row.key for row in rows}
    for row in with_partners(session, rows):
        if row.key not in named and row.state not in (PostState.APPROVED, PostState.SCHEDULED):
            continue  # a partner already out, or never approved: nothing to say about it
        if row.state not in (PostState.APPROVED, PostState.SCHEDULED):
            result.skipped[row.key] = f"is {row.state}; nothing to withdraw"
            continue
        row.clear_approval()
        transition(
            session,
            campaign,
            row,
            PostState.DRAFT,
            actor,
            now,
            action="approval-withdrawn",
            reason=reason,
        )
        result.changed.append(row.key)
        result.hashes[row.key] = row.content_hash
        result.times[row.key] = row.scheduled_at
    return result


@dataclass(frozen=True)
class LatePost:
    """An approved (or to-be-approved) post whose time has already come."""

    key: str
    due: datetime
    missed: bool  # beyond the grace window: the daemon marks it missed instead of sending

    def describe(self, zone: ZoneInfo) -> str:
        return late_line(self, zone)


def late_posts(times: Mapping[str, datetime], now: datetime, grace: timedelta) -> list[LatePost]:
    """Which of these posts are due already, and whether they are past the grace window."""
    return [
        LatePost(key, due, missed=due < now - grace)
        for key, due in sorted(times.items(), key=lambda item: (item[1], item[0]))
        if due <= now
    ]
