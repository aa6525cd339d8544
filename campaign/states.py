"""A post's states, in a module of their own: the faces name them without loading the database
layer (`campaign check` must start fast), and the store types its `state` column with them."""

from __future__ import annotations

from enum import StrEnum


class PostState(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    MISSED = "missed"
    CANCELLED = "cancelled"
    # A thread whose first part(s) are public but not the rest: publishing stopped (pause,
    # give-up, grace) mid-thread. Finished at `campaign resume`, or abandoned by an approver.
    PARTIAL = "partial"
    ABANDONED = "abandoned"


# States a plan edit may no longer touch: the platform has (or may have) the post.
FROZEN_STATES = {
    PostState.PUBLISHING,
    PostState.PUBLISHED,
    PostState.PARTIAL,
    PostState.ABANDONED,
}
