"""A revision of a post written straight into the store, as an edit in the browser leaves it:
a new revision by its author, the post's parts and hash, and its approval cleared."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from campaign.states import PostState
from campaign.store import Store
from campaign.store.content_rows import RevisionRow
from campaign.store.models import CampaignRow, PostRow


def revise(store: Store, slug: str, key: str, author: str, parts: list[str] | None = None) -> None:
    with store.transaction() as session:
        campaign = session.scalar(select(CampaignRow).where(CampaignRow.slug == slug))
        assert campaign is not None
        row = session.scalar(
            select(PostRow).where(PostRow.campaign_id == campaign.id, PostRow.key == key)
        )
        assert row is not None
        parts = parts if parts is not None else [str(part) for part in row.parts]
        number = session.scalar(
            select(func.coalesce(func.max(RevisionRow.number), 0)).where(
                RevisionRow.post_id == row.id
            )
        )
        content_hash = hashlib.sha256(repr((parts, row.media)).encode()).hexdigest()
        revision = RevisionRow(
            post_id=row.id,
            number=int(number or 0) + 1,
            origin="browser",
            author=author,
            created_at=store.clock.now(),
            template=row.template,
            text="\n---\n".join(parts),
            channel=row.channel,
            day=row.day,
            day_slug=row.day_slug,
            theme=row.theme,
            time=f"{row.scheduled_at:%H:%M}",
            fold=None,
            images=list(row.media),
            parts=parts,
            content_hash=content_hash,
            source_hash=content_hash,
        )
        session.add(revision)
        session.flush()
        row.revision_id, row.parts, row.content_hash = revision.id, parts, content_hash
        if row.state != PostState.DRAFT:
            row.clear_approval()
            row.state = PostState.DRAFT
