"""Upsert the rendered plan into the database, idempotently, in one transaction.

Rules: a new post is a draft; an edit to the content clears its approval; a time change is
audited; a post gone from the config is cancelled, never deleted; a post the platform has (or
may have) is never changed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.config import CampaignConfig
from campaign.content.library import Library
from campaign.content.source import ORIGIN_BROWSER, ORIGIN_FILES
from campaign.errors import ConfigError, PlanConflict
from campaign.render import RenderedPost
from campaign.store.accounts import link_accounts
from campaign.store.audit import Actor, as_actor, record
from campaign.store.content_rows import RevisionRow
from campaign.store.models import FROZEN_STATES, AccountRow, CampaignRow, PostRow, PostState
from campaign.store.reschedule import back_to_draft
from campaign.store.revisions import source_of_post, store_media, store_templates, write_revision
from campaign.store.sources import Conflict, Merge, current, record_resolved
from campaign.store.transitions import transition


@dataclass
class PlanChanges:
    """What `campaign plan` did, by post key."""

    added: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    approvals_cleared: list[str] = field(default_factory=list)
    rescheduled: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited in the dashboard; the files agree
    resolved: dict[str, str] = field(default_factory=dict)  # key -> the side --take chose
    frozen: list[str] = field(default_factory=list)  # differs, but already sent: left alone
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any((self.added, self.edited, self.rescheduled, self.cancelled, self.restored))


def sync_plan(
    session: Session,
    config: CampaignConfig,
    posts: list[RenderedPost],
    actor: str | Actor,
    now: datetime,
    *,
    update_accounts: bool = False,
    merge: Merge | None = None,
    library: Library | None = None,
) -> PlanChanges:
    """Store the plan `posts` (rendered from `merge`'s sources, with `library`'s templates and
    images). Without `merge`, every post is as the files give it."""
    library = library or Library.from_folder(config.posts_dir)
    sources = {post.key: source_of_post(post, library) for post in posts}
    if merge is None:
        merge = Merge(dict(sources), set(sources), {k: s.source_hash for k, s in sources.items()})
    campaign = _upsert_campaign(session, config)
    accounts = link_accounts(session, config, campaign, actor, now, update=update_accounts)
    stored = current(session, campaign)
    _refuse_edits_since(stored, merge)
    existing = {key: row for key, (row, _) in stored.items()}
    store_templates(session, campaign, library)
    store_media(session, (image for s in sources.values() for image in s.images), library)
    author = as_actor(actor).name
    changes = PlanChanges(kept=list(merge.kept), resolved=dict(merge.resolved))
    record_resolved(session, campaign, stored, merge, actor, now)
    for post in posts:
        source = sources[post.key]
        origin = ORIGIN_FILES if post.key in merge.from_files else ORIGIN_BROWSER
        row = existing.pop(post.key, None)
        if row is None:
            row = new_row(campaign, accounts[post.channel], post, now)
            session.add(row)
            session.flush()
            write_revision(session, row, source, post, origin, author, now)
            row.files_hash = merge.files_hashes.get(post.key)
            record(
                session,
                campaign,
                "planned",
                actor,
                now,
                post=row,
                content_hash=post.content_hash,
                scheduled_at=post.scheduled_at.isoformat(),
            )
            changes.added.append(post.key)
        else:
            update_row(session, campaign, row, accounts[post.channel], post, actor, now, changes)
            revision = stored[post.key][1]
            if row.state not in FROZEN_STATES and (
                revision is None
                or revision.source_hash != source.source_hash
                or revision.content_hash != post.content_hash
            ):
                write_revision(session, row, source, post, origin, author, now)
            if post.key in merge.files_hashes:
                row.files_hash = merge.files_hashes[post.key]
    for row in existing.values():
        if row.state not in FROZEN_STATES and row.state != PostState.CANCELLED:
            row.files_hash = None  # the files no longer have it: back in them is a new start
            transition(
                session,
                campaign,
                row,
                PostState.CANCELLED,
                actor,
                now,
                reason="removed from config.toml",
            )
            changes.cancelled.append(row.key)
    clear_partners(session, campaign, actor, now, changes)
    return changes


def _upsert_campaign(session: Session, config: CampaignConfig) -> CampaignRow:
    info = config.campaign
    row = session.scalar(select(CampaignRow).where(CampaignRow.slug == info.slug))
    if row is None:
        row = CampaignRow(slug=info.slug, paused=False)
        session.add(row)
    else:
        _refuse_a_second_folder(row, config)
    values = {
        "name": info.name,
        "organisation": info.organisation,
        "hashtag": info.hashtag,
        "timezone": info.timezone,
        "start": info.start,
        "end": info.end,
        "settings": {
            "publishing": config.publishing.model_dump(mode="json"),
            "metrics": config.metrics.model_dump(mode="json"),
            "review": config.review.model_dump(mode="json"),
            "alerts": config.alerts.model_dump(mode="json"),
        },
        "media_dir": str(config.posts_dir),
        "config_path": str(config.path),
        "source": config.model_dump(mode="json", exclude={"days", "path"}),
    }
    for name, value in values.items():
        if getattr(row, name, None) != value:
            setattr(row, name, value)
    session.flush()
    return row


def _refuse_edits_since(
    stored: dict[str, tuple[PostRow, RevisionRow | None]], merge: Merge
) -> None:
    """A post saved in the dashboard after the plan read it: refuse rather than overwrite."""
    for key, revision_id in merge.seen.items():
        entry = stored.get(key)
        now_id = entry[0].revision_id if entry else None
        if now_id != revision_id and entry is not None:
            raise PlanConflict(
                [Conflict(key, "edited", "someone in the dashboard", entry[0].updated_at, ())]
            )


def _refuse_a_second_folder(row: CampaignRow, config: CampaignConfig) -> None:
    """One slug, one campaign: a config elsewhere that still holds the stored campaign's slug
    but names or dates it otherwise is a copy (last year's folder, slug unchanged), and
    planning it would rename, re-date and cancel that campaign. A folder moved away from where
    it was, or another checkout of the same campaign, is the same campaign."""
    info = config.campaign
    if (row.name, row.start, row.end) == (info.name, info.start, info.end):
        return
    if not row.config_path or Path(row.config_path).resolve() == config.path.resolve():
        return
    try:
        with Path(row.config_path).open("rb") as file:
            other = tomllib.load(file).get("campaign", {}).get("slug")
    except (OSError, tomllib.TOMLDecodeError, AttributeError):
        return  # gone or unreadable: this config is where the campaign lives now
    if other == row.slug:
        raise ConfigError(
            f"campaign {row.slug!r} is planned from {row.config_path}, which still holds it "
            f"({row.name}): give this campaign its own [campaign] slug, or, if this folder "
            "replaces that one, remove or rename the old folder first",
            path=config.path,
        )


def _media(post: RenderedPost) -> list[dict[str, str]]:
    return [{"file": image.file, "alt": image.alt} for image in post.images]


def _languages(post: RenderedPost) -> dict[str, object]:
    """The language columns of a post (all NULL for a post in the campaign's one language)."""
    several = bool(post.spec.templates)
    return {
        "lang": post.lang if several else None,
        "variants": [{"lang": v.lang, "parts": list(v.parts)} for v in post.variants]
        if several
        else None,
        "unit_key": post.unit,
        "unit_position": post.position,
    }


def template_name(post: RenderedPost) -> str:
    """The template a post is stored as made from (its first language's, for several)."""
    return post.variants[0].template if post.spec.templates else post.spec.template


def clear_partners(
    session: Session,
    campaign: CampaignRow,
    actor: str | Actor,
    now: datetime,
    changes: PlanChanges,
) -> None:
    """An approval binds every post of a pair: when one's content changed, the others need a
    new sign-off too (an approver approves the pair as they saw it)."""
    edited = set(changes.edited)
    rows = session.scalars(
        select(PostRow).where(PostRow.campaign_id == campaign.id, PostRow.unit_key.is_not(None))
    ).all()
    touched_units = {row.unit_key for row in rows if row.key in edited}
    for row in rows:
        if row.unit_key not in touched_units or row.key in edited:
            continue
        if row.state in FROZEN_STATES:
            continue
        if back_to_draft(session, campaign, row, actor, now, "the other language changed"):
            changes.approvals_cleared.append(row.key)
        row.clear_approval()
        row.updated_at = now


def new_row(
    campaign: CampaignRow, account: AccountRow, post: RenderedPost, now: datetime
) -> PostRow:
    return PostRow(
        campaign_id=campaign.id,
        account_id=account.id,
        channel=post.channel,
        key=post.key,
        day=post.day.date,
        day_slug=post.day.slug,
        theme=post.day.theme,
        template=template_name(post),
        scheduled_at=post.scheduled_at,
        parts=list(post.parts),
        media=_media(post),
        content_hash=post.content_hash,
        state=PostState.DRAFT,
        attempts=0,
        updated_at=now,
        **_languages(post),
    )


def update_row(
    session: Session,
    campaign: CampaignRow,
    row: PostRow,
    account: AccountRow,
    post: RenderedPost,
    actor: str | Actor,
    now: datetime,
    changes: PlanChanges,
) -> None:
    content_changed = row.content_hash != post.content_hash
    time_changed = row.scheduled_at != post.scheduled_at
    meta = {
        "day": post.day.date,
        "day_slug": post.day.slug,
        "theme": post.day.theme,
        "template": template_name(post),
        "account_id": account.id,
        "channel": post.channel,
        **_languages(post),
    }
    meta_changed = any(getattr(row, name) != value for name, value in meta.items())
    if row.state in FROZEN_STATES:
        if content_changed or time_changed or meta_changed:
            changes.frozen.append(row.key)
        else:
            changes.unchanged.append(row.key)
        return
    touched = False
    if row.state == PostState.CANCELLED:
        row.clear_approval()
        transition(
            session,
            campaign,
            row,
            PostState.DRAFT,
            actor,
            now,
            action="restored",
            reason="back in config.toml; needs approval again",
        )
        changes.restored.append(row.key)
        touched = True
    if content_changed:
        record(
            session,
            campaign,
            "edited",
            actor,
            now,
            post=row,
            old_hash=row.content_hash,
            new_hash=post.content_hash,
        )
        row.parts, row.media, row.content_hash = list(post.parts), _media(post), post.content_hash
        if back_to_draft(session, campaign, row, actor, now, "content changed since approval"):
            changes.approvals_cleared.append(row.key)
        row.clear_approval()
        changes.edited.append(row.key)
        touched = True
    if time_changed:
        record(
            session,
            campaign,
            "rescheduled",
            actor,
            now,
            post=row,
            old=row.scheduled_at.isoformat(),
            new=post.scheduled_at.isoformat(),
        )
        row.scheduled_at = post.scheduled_at
        changes.rescheduled.append(row.key)
        touched = True
    if meta_changed:
        for name, value in meta.items():
            setattr(row, name, value)
        touched = True
    if touched:
        row.updated_at = now
    elif row.key not in changes.kept:  # a kept dashboard edit is listed as kept, not twice
        changes.unchanged.append(row.key)
