"""Posts written and changed in the dashboard: the store's methods for them.

Every change is a new revision (origin "browser", by the signed-in user), checked like a plan
(the whole campaign, with the change) before it is written, and clears the post's approval.
`base_revision` is the revision the editor started from: if someone saved since, nothing is
saved (`RevisionConflict`), so two officers never overwrite each other unseen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.config import CampaignConfig
from campaign.content.library import Library
from campaign.content.source import ORIGIN_BROWSER, ImageRef, PostSource
from campaign.errors import BadInput, CheckFailed, PostNotFound, RevisionConflict
from campaign.render import RenderedPost
from campaign.store.audit import MAX_REASON, Actor, as_actor, bounded_text, record
from campaign.store.content import StoredCampaign, load
from campaign.store.content_rows import MediaRow, RevisionRow
from campaign.store.models import (
    FROZEN_STATES,
    AccountRow,
    CampaignAccountRow,
    CampaignRow,
    PostRow,
    PostState,
)
from campaign.store.plan_sync import (
    PlanChanges,
    clear_partners,
    new_row,
    sync_plan,
    update_row,
)
from campaign.store.reschedule import back_to_draft
from campaign.store.revisions import media_row, write_revision
from campaign.store.sources import Merge, Side, current, merge
from campaign.store.transitions import transition

if TYPE_CHECKING:  # checking pulls in the checks and Pillow: `campaign status` needs neither
    from campaign.checks import CheckReport
    from campaign.clock import Clock
    from campaign.planning import CheckedPlan
    from campaign.store import Store


class _Transactions(Protocol):
    clock: Clock

    def transaction(self) -> AbstractContextManager[Session]: ...
    def reading(self) -> AbstractContextManager[Session]: ...
    def _lock_campaign(
        self, session: Session, slug: str, *, required: bool = True
    ) -> CampaignRow | None: ...
    def media_bytes(self, sha256: str) -> bytes | None: ...
    def campaign(self, slug: str, session: Session | None = None) -> CampaignRow: ...


class EditResult:
    """A saved change: the post, its new revision number, and the checks' report (warnings)."""

    def __init__(self, row: PostRow, revision: int, checked: CheckedPlan, changed: bool) -> None:
        self.row, self.revision, self.checked, self.changed = row, revision, checked, changed

    @property
    def report(self) -> CheckReport:
        return self.checked.report


class ContentMethods:
    """Mixed into `Store`: reading the stored campaign and writing posts from the dashboard."""

    def sync_plan(
        self: _Transactions,
        config: CampaignConfig,
        posts: list[RenderedPost],
        actor: str | Actor,
        *,
        dry_run: bool = False,
        update_accounts: bool = False,
        merge: Merge | None = None,
        library: Library | None = None,
    ) -> PlanChanges:
        """Upsert the plan in one transaction; a dry run computes the changes and rolls back.

        It waits for an approval of the same campaign in progress (and holds one back), so an
        approval's check of the shown content and its record are never split by an edit.
        """
        who = as_actor(actor)
        with self.transaction() as session:
            self._lock_campaign(session, config.campaign.slug, required=False)
            changes = sync_plan(
                session,
                config,
                posts,
                who,
                self.clock.now(),
                update_accounts=update_accounts,
                merge=merge,
                library=library,
            )
            if dry_run:
                session.rollback()
            return changes

    def content(self: _Transactions, slug: str) -> StoredCampaign:
        """The campaign as stored, ready to render and check without its files."""
        with self.reading() as session:
            return load(session, self.campaign(slug, session), self.media_bytes)

    def merge_plan(
        self: _Transactions, slug: str, files: Iterable[PostSource], take: Side | None
    ) -> Merge:
        """The files' posts merged with what the dashboard changed since the last plan."""
        with self.reading() as session:
            row = session.scalar(select(CampaignRow).where(CampaignRow.slug == slug))
            return merge(current(session, row) if row else {}, files, take)

    def revisions(self: _Transactions, slug: str, key: str) -> list[RevisionRow]:
        """Every revision of a post, oldest first."""
        with self.reading() as session:
            row = _post(session, self.campaign(slug, session), key)
            query = select(RevisionRow).where(RevisionRow.post_id == row.id)
            return list(session.scalars(query.order_by(RevisionRow.number)))

    def edit_post(
        self: _Transactions,
        slug: str,
        key: str,
        source: PostSource,
        actor: str | Actor,
        *,
        base_revision: int,
    ) -> EditResult:
        """Save a change to a post made in the dashboard (see the module's docstring)."""
        if source.key != key:
            raise BadInput(f"the change is for {source.key}, not {key}")
        who = as_actor(actor)
        with self.transaction() as session:
            campaign = self._lock_campaign(session, slug)
            assert campaign is not None
            stored = load(session, campaign, self.media_bytes)
            row = _post(session, campaign, key)
            if row.state in FROZEN_STATES:
                raise BadInput(f"{key} is {row.state}: a post the platform has cannot change")
            if row.state == PostState.CANCELLED:
                raise BadInput(f"{key} is cancelled: restore it before changing it")
            revision = stored.revisions.get(key)
            number = revision.number if revision else 0
            if number != base_revision:
                author = "someone"
                if revision is not None:
                    author = (
                        revision.author
                        if revision.origin == ORIGIN_BROWSER
                        else f"a plan of the campaign's files (run by {revision.author})"
                    )
                raise RevisionConflict(key, number, base_revision, author)
            source = _on_its_day(stored, source)
            checked, post = _checked(self, stored, source)
            if revision is not None and revision.source_hash == source.source_hash:
                return EditResult(row, number, checked, changed=False)
            now = self.clock.now()
            changes = PlanChanges()
            update_row(
                session,
                campaign,
                row,
                _account(session, campaign, post.channel),  # a pair's: its language's account
                post,
                who,
                now,
                changes,
            )
            back_to_draft(session, campaign, row, who, now)  # a new time needs a new sign-off
            # A pair is signed off together: its other posts need the new sign-off too.
            clear_partners(session, campaign, who, now, PlanChanges(edited=[row.key]))
            revision = write_revision(session, row, source, post, ORIGIN_BROWSER, who.name, now)
            return EditResult(row, revision.number, checked, changed=True)

    def create_post(
        self: _Transactions, slug: str, source: PostSource, actor: str | Actor
    ) -> EditResult:
        """A new post written in the dashboard: a draft that no plan from files cancels."""
        who = as_actor(actor)
        with self.transaction() as session:
            campaign = self._lock_campaign(session, slug)
            assert campaign is not None
            stored = load(session, campaign, self.media_bytes)
            if source.key in stored.rows:
                raise BadInput(
                    f"a post called {source.key} already exists: give this one another name"
                )
            source = _on_its_day(stored, source)
            checked, post = _checked(self, stored, source)
            now = self.clock.now()
            row = new_row(campaign, _account(session, campaign, post.channel), post, now)
            session.add(row)
            session.flush()
            record(
                session,
                campaign,
                "planned",
                who,
                now,
                post=row,
                content_hash=post.content_hash,
                scheduled_at=post.scheduled_at.isoformat(),
                via="dashboard",
            )
            revision = write_revision(session, row, source, post, ORIGIN_BROWSER, who.name, now)
            return EditResult(row, revision.number, checked, changed=True)

    def cancel_post(
        self: _Transactions, slug: str, key: str, actor: str | Actor, reason: str
    ) -> PostRow:
        """Cancel a post that has not gone out (audited with the reason)."""
        who = as_actor(actor)
        why = bounded_text("reason", reason, MAX_REASON, required=True)
        with self.transaction() as session:
            campaign = self._lock_campaign(session, slug)
            assert campaign is not None
            row = _post(session, campaign, key)
            row.clear_approval()
            transition(
                session, campaign, row, PostState.CANCELLED, who, self.clock.now(), reason=why
            )
            return row

    def add_media(self: _Transactions, data: bytes, name: str) -> ImageRef:
        """Keep an image's bytes (once per content) and name it for a post: `uploads/` and the
        first digits of its SHA-256, so two different pictures never share a name."""
        sha256 = hashlib.sha256(data).hexdigest()
        with self.transaction() as session:
            if session.get(MediaRow, sha256) is None:
                session.add(media_row(data, sha256, name))
        stem = "".join(c if c.isalnum() or c in "-_." else "-" for c in name.rsplit("/", 1)[-1])
        return ImageRef(f"uploads/{sha256[:12]}-{stem or 'image'}", "", sha256)

    def media(self: _Transactions, sha256: str) -> MediaRow | None:
        with self.reading() as session:
            return session.get(MediaRow, sha256)

    def media_bytes(self: _Transactions, sha256: str) -> bytes | None:
        """An image's bytes (read apart from any transaction in progress: SQLite lets a
        reader in while this process writes)."""
        with self.reading() as session:
            row = session.get(MediaRow, sha256)
            return None if row is None else row.data


def _on_its_day(stored: StoredCampaign, source: PostSource) -> PostSource:
    """A post moved (or added) to a day that has posts takes that day's slug and theme: the
    day is theirs, and a moved post must not rename it."""
    for other in stored.sources.values():
        if other.key != source.key and other.date == source.date:
            return source.with_changes(day_slug=other.day_slug, theme=other.theme)
    return source


def _checked(
    store: _Transactions, stored: StoredCampaign, source: PostSource
) -> tuple[CheckedPlan, RenderedPost]:
    """The whole campaign checked with `source` in it; CheckFailed on errors."""
    from campaign.planning import check_shared_caps, check_sources

    sources = {**stored.sources, source.key: source}
    checked = check_sources(stored.config, sources.values(), stored.library)
    shared = check_shared_caps(stored.config, checked.posts, cast("Store", store))
    checked.report.findings.extend(f for f in shared if f.rule != "shared-account")
    if not checked.report.ok:
        raise CheckFailed(checked.report.findings)
    post = next(p for p in checked.posts if p.key == source.key)
    return checked, post


def _post(session: Session, campaign: CampaignRow, key: str) -> PostRow:
    row = session.scalar(
        select(PostRow).where(PostRow.campaign_id == campaign.id, PostRow.key == key)
    )
    if row is None:
        keys = session.scalars(select(PostRow.key).where(PostRow.campaign_id == campaign.id))
        raise PostNotFound(key, list(keys))
    return row


def _account(session: Session, campaign: CampaignRow, channel: str) -> AccountRow:
    link = session.get(CampaignAccountRow, (campaign.id, channel))
    if link is None:
        raise BadInput(f"{channel!r} is not one of this campaign's accounts")
    return link.account
