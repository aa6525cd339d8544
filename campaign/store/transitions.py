"""The post state machine: every change of a post's state goes through `transition`.

`ALLOWED` is the whole table of moves; anything else raises `IllegalTransition` (a bug, never
an input error: the callers check their preconditions first). `transition` sets the state and
`updated_at` and writes the one audit row that says who moved the post, when and why, so no
state change can go unrecorded. The claim is the one bulk move (scheduled -> publishing in one
conditional UPDATE, for the at-most-once guarantee): it checks the table with `check` and
writes its audit rows with `audited`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from campaign.errors import StoreError
from campaign.store.audit import Actor, record
from campaign.store.models import AuditRow, CampaignRow, PostRow, PostState

S = PostState

ALLOWED: dict[PostState, frozenset[PostState]] = {
    # approved; cancelled (gone from the config)
    S.DRAFT: frozenset({S.APPROVED, S.CANCELLED}),
    # scheduled by a daemon; back to draft (withdrawn, edited); cancelled
    S.APPROVED: frozenset({S.SCHEDULED, S.DRAFT, S.CANCELLED}),
    # claimed; missed (past grace); partial (head public, publishing stopped); failed (held:
    # its pair's earlier language did not go out); draft; cancelled
    S.SCHEDULED: frozenset({S.PUBLISHING, S.MISSED, S.PARTIAL, S.FAILED, S.DRAFT, S.CANCELLED}),
    # sent; retried, released or held (scheduled); failed; missed; partial; approval void (draft)
    S.PUBLISHING: frozenset({S.PUBLISHED, S.SCHEDULED, S.FAILED, S.MISSED, S.PARTIAL, S.DRAFT}),
    S.PUBLISHED: frozenset(),
    # an edit makes a new draft; gone from the config
    S.FAILED: frozenset({S.DRAFT, S.CANCELLED}),
    S.MISSED: frozenset({S.DRAFT, S.CANCELLED}),
    # back in the config: a draft again
    S.CANCELLED: frozenset({S.DRAFT}),
    # finished at resume (scheduled), or given up by an approver
    S.PARTIAL: frozenset({S.SCHEDULED, S.ABANDONED}),
    S.ABANDONED: frozenset(),
}


class IllegalTransition(StoreError):
    """A move the state machine does not allow: the code asked for something impossible."""

    def __init__(self, key: str, current: PostState, to: PostState) -> None:
        allowed = ", ".join(sorted(ALLOWED[current])) or "none"
        super().__init__(
            f"post {key}: {current} -> {to} is not allowed (from {current}: {allowed})"
        )
        self.current, self.to = current, to


def check(key: str, current: PostState | str, to: PostState) -> None:
    """Raise IllegalTransition unless `current -> to` is in the table."""
    state = PostState(current)
    if to not in ALLOWED[state]:
        raise IllegalTransition(key, state, to)


def transition(
    session: Session,
    campaign: CampaignRow,
    row: PostRow,
    to: PostState,
    actor: str | Actor,
    now: datetime,
    *,
    action: str | None = None,
    **why: Any,
) -> AuditRow:
    """Move `row` to `to`, stamp `updated_at`, and audit it: the action (by default the new
    state's name), the previous and new states, and `why`, in the audit row's details."""
    previous = PostState(row.state)
    check(row.key, previous, to)
    row.state, row.updated_at = to, now
    return record(
        session,
        campaign,
        action or str(to),
        actor,
        now,
        post=row,
        previous_state=previous,
        new_state=to,
        **why,
    )


def audited(
    session: Session,
    campaign: CampaignRow,
    row: PostRow,
    previous: PostState,
    actor: str | Actor,
    now: datetime,
    *,
    action: str,
    **why: Any,
) -> AuditRow:
    """The audit row of a move already made by a bulk statement (the claim), checked against
    the table like any other."""
    to = PostState(row.state)
    check(row.key, previous, to)
    return record(
        session,
        campaign,
        action,
        actor,
        now,
        post=row,
        previous_state=previous,
        new_state=to,
        **why,
    )
