"""What the review pages and commands call: `store.review.comment(...)` and so on, each one
short transaction over the functions of `review.py` and `review_queue.py`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from campaign.store import review, review_queue
from campaign.store.audit import Actor, as_actor
from campaign.store.content_rows import CommentRow
from campaign.store.review_queue import QueueItem

if TYPE_CHECKING:
    from campaign.store import Store


class ReviewStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    def comment(self, slug: str, key: str, actor: str | Actor, body: str) -> CommentRow:
        """Add a comment to the post's current revision (audited "commented")."""
        who = as_actor(actor)
        with self._store.transaction() as session:
            campaign, [row] = self._store._signoff_rows(session, slug, [key], None)
            return review.add_comment(session, campaign, row, who, self._store.clock.now(), body)

    def request_changes(
        self, slug: str, key: str, actor: str | Actor, body: str, *, shown_hash: str | None = None
    ) -> CommentRow:
        """Send the post back with a comment; its approval, if any, is withdrawn. Locks the
        campaign as an approval does, so the two never interleave. With `shown_hash`, a post
        changed since the reviewer read it is refused."""
        who = as_actor(actor)
        with self._store.transaction() as session:
            campaign, [row] = self._store._signoff_rows(session, slug, [key], None)
            now = self._store.clock.now()
            return review.request_changes(
                session, campaign, row, who, now, body, shown_hash=shown_hash
            )

    def comments(self, slug: str, key: str) -> list[CommentRow]:
        with self._store.reading() as session:
            [row] = self._store._select_posts(session, slug, [key], None)
            return review.comments(session, row)

    def queue(self, slug: str) -> list[QueueItem]:
        """The drafts waiting for an approver, each in its group (see `review_queue`)."""
        with self._store.reading() as session:
            return review_queue.queue(session, self._store.campaign(slug, session))

    def self_approval(self, slug: str) -> bool:
        """Whether the campaign lets the author of a post's latest version approve it."""
        return review.review_settings(self._store.campaign(slug)).self_approval
