"""Publish one post: claim it, check its approval still holds, send it, record what happened.

At most once: only the claimer sends, and a send whose outcome is unknown settles before it is
judged: the post waits `settle_seconds` (longer than a request; a slow platform may still be
creating it), is looked for on the account from its first attempt, and only if it is not there
is it sent again. A "duplicate content" refusal of a post once sent in doubt means it is live:
it is found and recorded as published. The pause is checked before every create. Never silently
lost: every path ends published, scheduled for a retry, held, failed, missed or partial (a
thread with parts already public), with the reason audited.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from campaign.clock import Clock
from campaign.config import Image, Publishing
from campaign.errors import (
    AuthRejected,
    DuplicateContent,
    OutcomeUnknown,
    Permanent,
    PublishError,
    RateLimited,
    StoreError,
    Transient,
)
from campaign.render import hash_content
from campaign.store import Store
from campaign.store.alert_facts import failure_kind
from campaign.store.daemon_api import ClaimedPost, Published
from campaign.store.models import PostState
from scheduler.batching import BatchedCalls
from scheduler.channels.base import Channel, OutgoingMedia, OutgoingPost, Sent
from scheduler.deployment import LiveDeployment
from scheduler.media import MediaFiles, file_digest

log = logging.getLogger(__name__)
# Posts claimed before first attempts were recorded: how far back from the claim to look.
RECONCILE_LOOKBACK = timedelta(minutes=10)
# The platform stamps a post with its own clock: look a little before our first attempt.
CLOCK_SKEW = timedelta(minutes=2)


class PausedBeforeCreate(Exception):
    """A pause was recorded since the claim: stop before the next create."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
    first_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    sent_in_doubt: bool = False
    campaign_id: int = 0
    account_id: int = 0
    media_dir: Path | None = None  # None: the database does not know where the images are
    unplaced_images: tuple[str, ...] = ()  # neither stored nor in a known folder
    unit: str | None = None  # the pair it belongs to (None: it goes out alone)
    position: int = 0  # its place in the pair's order
    hashed_languages: list[str] | None = None  # what its content hash binds besides the text


class Publisher:
    """Sends claimed posts of any campaign in the deployment, each by its own campaign's
    settings (grace, attempts, retries, settle, images) through its account's channel."""

    def __init__(
        self,
        store: Store,
        deployment: LiveDeployment,
        clock: Clock,
        daemon_id: str,
        rng: random.Random | None = None,
    ) -> None:
        self.store, self.deployment, self.clock = store, deployment, clock
        self.api = store.publishing
        self.daemon_id = daemon_id
        self.rng = rng or random.Random()
        # Sends starting together note their attempts (and check the pause) in one transaction.
        self._attempts: BatchedCalls[int] = BatchedCalls(self._attempting_many)
        self.media = MediaFiles(store)

    # -- entry points -------------------------------------------------------------------------

    def publish(self, post_id: int) -> str:
        """Claim and send one due post; returns the outcome's name (for counts and tests)."""
        claimed = self.claim([post_id])
        return self.send(claimed[0]) if claimed else "not-claimed"

    def claim(self, post_ids: list[int]) -> list[Claimed]:
        """Claim a batch of due posts in one transaction."""
        won = self.api.acquire(self.daemon_id, post_ids, self.clock.now())
        return [self._claimed(post) for post in won]

    def claim_due(
        self, limit: int, scope: int | tuple[int, ...] | None, exclude: frozenset[int]
    ) -> list[Claimed]:
        """Claim everything due now (up to `limit`, none of `exclude`) in one transaction."""
        won = self.api.acquire_due(self.daemon_id, self.clock.now(), limit, scope, exclude)
        return [self._claimed(post) for post in won]

    def send(self, claimed: Claimed, finished: Finished | None = None) -> str:
        """Send a post this daemon holds, if its approval still matches what would go out.

        With `finished`, a success is appended there (with the moment it went out) for the
        caller to record with others in one transaction; otherwise it is recorded at once.
        """
        if claimed.unplaced_images:
            unknown = Transient(
                "the database does not hold this post's images nor say where they are (it was "
                "planned by an older version): run `campaign plan` for it again"
            )
            return self._after_error(claimed, unknown)
        expected = hash_content(
            claimed.post.parts,
            [
                (image.file, image.alt, file_digest(media.path))
                for image, media in zip(claimed.images, claimed.post.media, strict=True)
            ],
            claimed.hashed_languages,
        )
        if expected != claimed.approved_hash:
            self.api.void_approval(
                claimed.id,
                self.daemon_id,
                self.clock.now(),
                reason="the content (text, images or alt text) changed since approval",
            )
            return "approval-void"
        return self._send(claimed, finished)

    def record_published(self, finished: Finished) -> None:
        """Record a wave of successful sends in one transaction (one write, not one per post)."""
        done = [
            Published(claimed.id, tuple(sent.part_ids), sent.url, at)
            for claimed, sent, at in finished
        ]
        keys = {claimed.id: claimed.key for claimed, _, _ in finished}
        for post_id in self.api.record_outcomes(self.daemon_id, done):
            log.error("lost the claim on %s before recording it", keys[post_id])

    def reconcile(self, post: ClaimedPost) -> str:
        """A post left in doubt: once its last attempt has had time to land, look for it on the
        account from its first attempt; record what is there, and send again only what is not.
        """
        claimed = self._claimed(post)
        settings = self._settings(claimed)
        now = self.clock.now()
        last = claimed.last_attempt_at  # None: no create of this post ever left
        if last is not None and now < last + settings.settle:
            settled = last + settings.settle
            why = "waiting for a send whose outcome is unknown to land before looking for it"
            self._retry(claimed.id, at=settled, error=why, in_doubt=True)
            return "settling"
        try:
            found = self._find(claimed)
        except PublishError as exc:
            return self._after_error(claimed, exc, looking=True)
        if found is not None and len(found.part_ids) == len(claimed.post.parts):
            self._found(claimed, found)
            return "published"
        claimed = self._note_parts(claimed, found)
        if not claimed.part_ids and now > self._deadline(claimed):
            return self._missed(
                claimed,
                "the send's outcome was unknown and the post was not "
                "found on the account within the grace window",
            )
        if claimed.attempts >= settings.max_attempts:
            return self._give_up(
                claimed,
                f"the last send's outcome was unknown and it was not on the account "
                f"{settings.settle_seconds:g} s later",
            )
        # Not there after settling: it is sent again through a new claim, which checks the
        # pause, the approval and the attempt budget like any send.
        why = "not found on the account after its send's outcome was unknown: sending again"
        self._retry(claimed.id, at=now, error=why)
        return "retry"

    def _find(self, claimed: Claimed) -> Sent | None:
        """Look on the account from a little before the post's first attempt."""
        start = claimed.first_attempt_at or claimed.claimed_at - RECONCILE_LOOKBACK
        channel = self.channel(claimed)
        return channel.find_published(
            claimed.post, start - CLOCK_SKEW, already_sent=claimed.part_ids
        )

    def _found(self, claimed: Claimed, found: Sent, **why: Any) -> None:
        self.api.record_published(
            self.daemon_id,
            Published(claimed.id, tuple(found.part_ids), found.url, self.clock.now(), True),
        )
        log.info("found %s on the account as %s %s", claimed.key, found.platform_post_id, why)

    def _note_parts(self, claimed: Claimed, found: Sent | None) -> Claimed:
        """Record thread parts found on the account beyond those already recorded."""
        if found is None or len(found.part_ids) <= len(claimed.part_ids):
            return claimed
        for index, part_id in enumerate(found.part_ids):
            if index >= len(claimed.part_ids):
                self._part(claimed.id, index, part_id)
        return replace(claimed, part_ids=tuple(found.part_ids))

    # -- sending ------------------------------------------------------------------------------

    def _send(self, claimed: Claimed, finished: Finished | None = None) -> str:
        parts = list(claimed.part_ids)

        def before_create(index: int) -> None:
            paused = self._record_attempt(claimed.id)
            if paused:
                raise PausedBeforeCreate(paused)

        def on_part_sent(index: int, part_id: str) -> None:
            parts.append(part_id)
            if index + 1 < len(claimed.post.parts):  # the last: `published` records it
                self._part(claimed.id, index, part_id)

        try:
            sent = self.channel(claimed).publish(
                claimed.post,
                already_sent=claimed.part_ids,
                on_part_sent=on_part_sent,
                before_create=before_create,
            )
        except PausedBeforeCreate as stop:
            self.api.release(
                claimed.id,
                self.daemon_id,
                self.clock.now(),
                reason=f"stopped before sending: {stop}",
            )
            return "paused"
        except PublishError as exc:
            return self._after_error(replace(claimed, part_ids=tuple(parts)), exc)
        except StoreError:
            log.exception("lost the claim on %s while sending", claimed.key)
            return "claim-lost"
        if finished is not None:
            finished.append((claimed, sent, self.clock.now()))
        else:
            self._published(claimed, sent)
        return "published"

    def _published(self, claimed: Claimed, sent: Sent) -> None:
        done = Published(claimed.id, tuple(sent.part_ids), sent.url, self.clock.now())
        self.api.record_published(self.daemon_id, done)
        log.info("published %s as %s", claimed.key, sent.platform_post_id)

    def _after_error(self, claimed: Claimed, exc: PublishError, looking: bool = False) -> str:
        message = str(exc)
        now = self.clock.now()
        settings = self._settings(claimed)
        if isinstance(exc, AuthRejected):
            self.api.hold_for_credentials(claimed.id, self.daemon_id, now, error=message)
            return "held"
        if isinstance(exc, DuplicateContent) and claimed.sent_in_doubt and not looking:
            return self._refused_as_duplicate(claimed, exc)
        if isinstance(exc, Permanent):
            self.api.fail(claimed.id, self.daemon_id, now, error=message, failure=failure_kind(exc))
            return "partial" if claimed.part_ids else "failed"
        assert isinstance(exc, Transient)
        if isinstance(exc, OutcomeUnknown) and not looking:
            # It may still land: let it settle, then look, and only then send again.
            at = now + settings.settle
            log.warning("outcome of %s unknown (%s): looking again at %s", claimed.key, message, at)
            self._retry(claimed.id, at=at, error=message, in_doubt=True)
            return "in-doubt"
        if claimed.attempts >= settings.max_attempts and not looking:
            return self._give_up(claimed, message)
        at = self._retry_time(settings, claimed.attempts, now, exc)
        if at > self._deadline(claimed) and not looking and not claimed.part_ids:
            return self._missed(claimed, f"could not publish within the grace window: {message}")
        self._retry(claimed.id, at=at, error=message, in_doubt=looking)
        return "retry"

    def _refused_as_duplicate(self, claimed: Claimed, exc: DuplicateContent) -> str:
        """The platform refused a resend as a duplicate: after an unknown outcome, that is
        evidence the post is live. Find it and record it; never call it failed."""
        try:
            found = self._find(claimed)
        except PublishError as error:
            return self._after_error(claimed, error, looking=True)
        if found is not None and len(found.part_ids) == len(claimed.post.parts):
            self._found(claimed, found, refused_as_duplicate=str(exc))
            return "published"
        progressed = self._note_parts(claimed, found)
        if progressed.part_ids != claimed.part_ids:
            return self._send(progressed)  # the refused part is live: send the rest
        if claimed.attempts >= self._settings(claimed).max_attempts:
            return self._give_up(claimed, f"refused as a duplicate but not found: {exc}")
        at = self.clock.now() + self._settings(claimed).settle
        why = f"refused as a duplicate of a send whose outcome was unknown: looking again ({exc})"
        self._retry(claimed.id, at=at, error=why, in_doubt=True)
        return "in-doubt"

    def _give_up(self, claimed: Claimed, message: str) -> str:
        why = f"gave up after {claimed.attempts} attempts: {message}"
        self.api.fail(claimed.id, self.daemon_id, self.clock.now(), error=why)
        return "partial" if claimed.part_ids else "failed"

    def _retry_time(
        self, settings: Publishing, attempts: int, now: datetime, exc: Transient
    ) -> datetime:
        """Exponential backoff with full jitter, or the platform's own reset time."""
        if isinstance(exc, RateLimited) and exc.reset_at is not None:
            return max(exc.reset_at, now) + timedelta(seconds=self.rng.uniform(0, 1))
        ceiling = min(settings.retry_max_seconds, settings.retry_base_seconds * 2 ** (attempts - 1))
        return now + timedelta(seconds=self.rng.uniform(ceiling / 2, ceiling))

    def _missed(self, claimed: Claimed, why: str) -> str:
        self.api.fail(
            claimed.id, self.daemon_id, self.clock.now(), error=why, state=PostState.MISSED
        )
        return "partial" if claimed.part_ids else "missed"

    def _deadline(self, claimed: Claimed) -> datetime:
        return claimed.scheduled_at + self._settings(claimed).grace

    # -- helpers ------------------------------------------------------------------------------

    def _settings(self, claimed: Claimed) -> Publishing:
        """The publishing settings of the post's own campaign."""
        return self.deployment.campaign(claimed.campaign_id).publishing

    def channel(self, claimed: Claimed) -> Channel:
        """The post's account's channel (AuthRejected, located, if it cannot be built)."""
        return self.deployment.channel(claimed.account_id, claimed.campaign_id)

    def _retry(self, post_id: int, **kwargs: Any) -> None:
        self.api.retry_later(post_id, self.daemon_id, self.clock.now(), **kwargs)

    def _part(self, post_id: int, index: int, part_id: str) -> None:
        self.api.record_part(
            post_id, self.daemon_id, self.clock.now(), index=index, part_id=part_id
        )

    def _record_attempt(self, post_id: int) -> str | None:
        """Right before a create: note the attempt; say why to stop if a pause arrived."""
        answer = self._attempts.call(post_id)
        if isinstance(answer, StoreError):
            raise answer
        return answer  # type: ignore[return-value]

    def _attempting_many(self, post_ids: list[int]) -> dict[int, object]:
        return dict(self.api.attempting_many(self.daemon_id, post_ids, self.clock.now()))

    def _claimed(self, post: ClaimedPost) -> Claimed:
        images = tuple(Image(file=file, alt=alt) for file, alt, _ in post.media)
        media_dir = self.deployment.campaign(post.campaign_id).media_dir
        paths = [self.media.path(file, sha256, media_dir) for file, _, sha256 in post.media]
        media = tuple(
            OutgoingMedia(path=path or Path(file), alt=alt, file=file, sha256=sha256)
            for path, (file, alt, sha256) in zip(paths, post.media, strict=True)
        )
        return Claimed(
            id=post.id,
            key=post.key,
            channel=post.account,
            scheduled_at=post.scheduled_at,
            claimed_at=post.claimed_at or self.clock.now(),
            attempts=post.attempts,
            approved_hash=post.approved_hash,
            post=OutgoingPost(
                key=post.key, parts=post.parts, media=media, languages=post.languages
            ),
            images=images,
            part_ids=post.part_ids,
            first_attempt_at=post.first_attempt_at,
            last_attempt_at=post.last_attempt_at,
            sent_in_doubt=post.sent_in_doubt,
            campaign_id=post.campaign_id,
            account_id=post.account_id,
            unit=post.unit,
            position=post.position,
            hashed_languages=post.hashed_languages,
            media_dir=media_dir,
            unplaced_images=tuple(
                f for p, (f, _, _) in zip(paths, post.media, strict=True) if p is None
            ),
        )


Finished = list[tuple[Claimed, Sent, datetime]]
