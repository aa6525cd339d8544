"""Publish one post: claim it, check its approval still holds, send it, record what happened.

At most once: only the claimer sends, and a send whose outcome is unknown is first looked for
on the account (reconciliation) before anything is sent again. Never silently lost: every path
ends published, scheduled for a retry, held, failed or missed, with the reason audited.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from campaign.clock import Clock
from campaign.config import CampaignConfig, Image
from campaign.errors import (
    AuthRejected,
    OutcomeUnknown,
    Permanent,
    PublishError,
    RateLimited,
    StoreError,
    Transient,
)
from campaign.render import content_hash
from campaign.store import Store
from campaign.store import outcomes as record
from campaign.store.models import PostRow, PostState
from campaign.store.publishing import claim_many
from scheduler.channels.base import Channel, OutgoingMedia, OutgoingPost, Sent

log = logging.getLogger(__name__)
RECONCILE_LOOKBACK = timedelta(minutes=10)


class PausedMidThread(Exception):
    """A pause arrived between two parts of a thread: stop before the next part."""


@dataclass(frozen=True)
class Claimed:
    """What the publisher needs from a claimed row, read inside the claim's transaction."""

    id: int
    key: str
    channel: str
    scheduled_at: datetime
    claimed_at: datetime
    attempts: int
    approved_hash: str | None
    post: OutgoingPost
    images: tuple[Image, ...]
    part_ids: tuple[str, ...]


class Publisher:
    def __init__(
        self,
        store: Store,
        config: CampaignConfig,
        channels: dict[str, Channel],
        clock: Clock,
        daemon_id: str,
        rng: random.Random | None = None,
    ) -> None:
        self.store, self.config, self.channels, self.clock = store, config, channels, clock
        self.daemon_id = daemon_id
        self.rng = rng or random.Random()
        self.settings = config.publishing

    # -- entry points -------------------------------------------------------------------------

    def publish(self, post_id: int) -> str:
        """Claim and send one due post; returns the outcome's name (for counts and tests)."""
        claimed = self.claim([post_id])
        return self.send(claimed[0]) if claimed else "not-claimed"

    def claim(self, post_ids: list[int]) -> list[Claimed]:
        """Claim a batch of due posts in one transaction."""
        with self.store.transaction() as session:
            campaign = self.store.campaign(self.config.campaign.slug, session)
            rows = claim_many(session, campaign, post_ids, self.daemon_id, self.clock.now())
            return [self._claimed(row) for row in rows]

    def send(self, claimed: Claimed, finished: Finished | None = None) -> str:
        """Send a post this daemon holds, if its approval still matches what would go out.

        With `finished`, a success is appended there (with the moment it went out) for the
        caller to record with others in one transaction; otherwise it is recorded at once.
        """
        expected = content_hash(claimed.post.parts, claimed.images, self.config.posts_dir)
        if expected != claimed.approved_hash:
            self._record(
                record.approval_void,
                claimed.id,
                reason="the content (text, images or alt text) changed since approval",
            )
            return "approval-void"
        return self._send(claimed, finished)

    def record_published(self, finished: Finished) -> None:
        """Record a wave of successful sends in one transaction (one write, not one per post)."""
        if not finished:
            return
        with self.store.transaction() as session:
            campaign = self.store.campaign(self.config.campaign.slug, session)
            for claimed, sent, at in finished:
                try:
                    record.published(
                        session,
                        campaign,
                        claimed.id,
                        self.daemon_id,
                        at,
                        part_ids=list(sent.part_ids),
                        url=sent.url,
                    )
                except StoreError:
                    log.exception("lost the claim on %s before recording it", claimed.key)

    def reconcile(self, row: PostRow) -> str:
        """A post left in doubt: look for it on the account, then finish or resend it."""
        claimed = self._claimed(row)
        channel = self.channels[claimed.channel]
        try:
            found = channel.find_published(
                claimed.post,
                claimed.claimed_at - RECONCILE_LOOKBACK,
                already_sent=claimed.part_ids,
            )
        except PublishError as exc:
            return self._after_error(claimed, exc, looking=True)
        if found is not None and len(found.part_ids) == len(claimed.post.parts):
            self._record(
                record.published,
                claimed.id,
                part_ids=list(found.part_ids),
                url=found.url,
                found_by_reconciliation=True,
            )
            return "published"
        if found is not None:
            for index, part_id in enumerate(found.part_ids):
                self._record(record.part_sent, claimed.id, index=index, part_id=part_id)
            claimed = replace(claimed, part_ids=tuple(found.part_ids))
        if self.clock.now() > self._deadline(claimed):
            return self._missed(
                claimed,
                "the send's outcome was unknown and the post was not "
                "found on the account within the grace window",
            )
        return self._send(claimed)

    # -- sending ------------------------------------------------------------------------------

    def _send(self, claimed: Claimed, finished: Finished | None = None) -> str:
        channel = self.channels[claimed.channel]

        def on_part_sent(index: int, part_id: str) -> None:
            if index + 1 == len(claimed.post.parts):
                return  # the last part: `published` records it in a moment
            if self._record_part_and_check_pause(claimed.id, index, part_id):
                raise PausedMidThread

        try:
            sent = channel.publish(
                claimed.post, already_sent=claimed.part_ids, on_part_sent=on_part_sent
            )
        except PausedMidThread:
            self._record(record.release, claimed.id, reason="paused between thread parts")
            return "paused"
        except PublishError as exc:
            return self._after_error(claimed, exc)
        except StoreError:
            log.exception("lost the claim on %s while sending", claimed.key)
            return "claim-lost"
        if finished is not None:
            finished.append((claimed, sent, self.clock.now()))
        else:
            self._published(claimed, sent)
        return "published"

    def _published(self, claimed: Claimed, sent: Sent) -> None:
        self._record(record.published, claimed.id, part_ids=list(sent.part_ids), url=sent.url)
        log.info("published %s as %s", claimed.key, sent.platform_post_id)

    def _after_error(self, claimed: Claimed, exc: PublishError, looking: bool = False) -> str:
        message = str(exc)
        now = self.clock.now()
        if isinstance(exc, AuthRejected):
            self._record(record.hold_for_credentials, claimed.id, error=message)
            return "held"
        if isinstance(exc, Permanent):
            self._record(record.failed, claimed.id, error=message)
            return "failed"
        assert isinstance(exc, Transient)
        in_doubt = looking or isinstance(exc, OutcomeUnknown)
        if isinstance(exc, OutcomeUnknown) and not looking:
            log.warning("outcome of %s unknown (%s): reconciling", claimed.key, message)
            row = self._reload(claimed.id)
            return self.reconcile(row) if row is not None else "claim-lost"
        if claimed.attempts >= self.settings.max_attempts:
            self._record(
                record.failed,
                claimed.id,
                error=f"gave up after {claimed.attempts} attempts: {message}",
            )
            return "failed"
        at = self._retry_time(claimed.attempts, now, exc)
        if at > self._deadline(claimed) and not in_doubt:
            return self._missed(claimed, f"could not publish within the grace window: {message}")
        self._record(record.retry_later, claimed.id, at=at, error=message, in_doubt=in_doubt)
        return "retry"

    def _retry_time(self, attempts: int, now: datetime, exc: Transient) -> datetime:
        """Exponential backoff with full jitter, or the platform's own reset time."""
        if isinstance(exc, RateLimited) and exc.reset_at is not None:
            return max(exc.reset_at, now) + timedelta(seconds=self.rng.uniform(0, 1))
        ceiling = min(
            self.settings.retry_max_seconds, self.settings.retry_base_seconds * 2 ** (attempts - 1)
        )
        return now + timedelta(seconds=self.rng.uniform(ceiling / 2, ceiling))

    def _missed(self, claimed: Claimed, why: str) -> str:
        self._record(record.failed, claimed.id, error=why, state=PostState.MISSED)
        return "missed"

    def _deadline(self, claimed: Claimed) -> datetime:
        return claimed.scheduled_at + self.settings.grace

    # -- helpers ------------------------------------------------------------------------------

    def _record(self, action: Callable[..., object], post_id: int, **kwargs: Any) -> None:
        """Run one outcome function in its own short transaction."""
        with self.store.transaction() as session:
            campaign = self.store.campaign(self.config.campaign.slug, session)
            action(session, campaign, post_id, self.daemon_id, self.clock.now(), **kwargs)

    def _record_part_and_check_pause(self, post_id: int, index: int, part_id: str) -> bool:
        """Record a thread part before the next one goes, and say whether a pause arrived."""
        with self.store.transaction() as session:
            campaign = self.store.campaign(self.config.campaign.slug, session)
            record.part_sent(
                session,
                campaign,
                post_id,
                self.daemon_id,
                self.clock.now(),
                index=index,
                part_id=part_id,
            )
            return bool(campaign.paused)

    def _reload(self, post_id: int) -> PostRow | None:
        with self.store.transaction() as session:
            row = session.get(PostRow, post_id)
            if row is not None and row.claimed_by == self.daemon_id:
                _ = row.account
                return row
        return None

    def _claimed(self, row: PostRow) -> Claimed:
        images = tuple(Image(file=m["file"], alt=m["alt"]) for m in row.media)
        media = tuple(
            OutgoingMedia(path=Path(self.config.posts_dir) / image.file, alt=image.alt)
            for image in images
        )
        return Claimed(
            id=row.id,
            key=row.key,
            channel=row.account.key,
            scheduled_at=row.scheduled_at,
            claimed_at=row.claimed_at or self.clock.now(),
            attempts=row.attempts,
            approved_hash=row.approved_hash,
            post=OutgoingPost(key=row.key, parts=tuple(row.parts), media=media),
            images=images,
            part_ids=tuple(p for p in (row.platform_part_ids or []) if p),
        )


Finished = list[tuple[Claimed, Sent, datetime]]
