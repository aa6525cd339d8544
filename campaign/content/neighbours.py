"""The live check's rules that need the rest of the week: the account's posting caps and
duplicate text, judged against the other posts' stored content (what they will send), so a
keystroke does not render the whole campaign again. Saving checks the whole campaign."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from campaign.checks.findings import Finding, Severity
from campaign.config import CampaignConfig
from campaign.render import RenderedPost


class Sent(Protocol):
    """A stored post as these rules read it (a `PostRow`)."""

    key: str
    channel: str
    scheduled_at: datetime
    parts: list[Any]


def duplicates(post: RenderedPost, others: Sequence[Sent]) -> Iterator[Finding]:
    """A part that repeats another post of the same account word for word: the platform refuses
    it (X 403 duplicate, Facebook 506), whichever of the two goes first."""
    seen: dict[str, tuple[str, int]] = {}
    for row in others:
        if row.channel != post.channel:
            continue
        for index, part in enumerate(row.parts, 1):
            seen.setdefault(" ".join(str(part).split()), (row.key, index))
    for index, part in enumerate(post.parts, 1):
        match = seen.get(" ".join(part.split()))
        if match:
            label = f"part {index}" if len(post.parts) > 1 else "the text"
            yield _finding_post(
                post,
                "error",
                "duplicate-text",
                f"{label} repeats {match[0]} (part {match[1]}) word for word; "
                f"{post.platform} refuses duplicate posts from one account",
                "reword one of them, e.g. add the day's theme",
            )


def caps(post: RenderedPost, others: Sequence[Sent], config: CampaignConfig) -> Iterator[Finding]:
    """The account's posting caps over any window holding the draft's sends (each thread part
    is a send), counting the other posts stored on the same account of this campaign."""
    account = config.accounts[post.channel]
    moments = sorted(
        [
            row.scheduled_at
            for row in others
            if row.channel == post.channel
            for _ in range(len(row.parts))
        ]
        + [post.scheduled_at] * len(post.parts)
    )
    for window, cap in account.limits.items():
        if _over(moments, post.scheduled_at, window, cap):
            yield _finding_post(
                post,
                "error",
                "posting-limit",
                f"with this post, {post.channel} would send more than {cap} times within "
                f"{_words(window)} (the account's limit); the platform would refuse the excess",
                "move the post to another time, or shorten the thread",
            )
            return


def _over(moments: list[datetime], at: datetime, window: timedelta, cap: int) -> bool:
    """Whether a window of `window` that holds `at` holds more than `cap` of `moments`."""
    for start in moments:
        if start <= at < start + window:
            if sum(1 for m in moments if start <= m < start + window) > cap:
                return True
    return False


def _words(window: timedelta) -> str:
    minutes = int(window.total_seconds() // 60)
    return f"{minutes // 60} hours" if minutes % 60 == 0 else f"{minutes} minutes"


def _finding_post(
    post: RenderedPost, severity: Severity, rule: str, message: str, fix: str
) -> Finding:
    return Finding(
        severity,
        rule,
        message,
        fix,
        key=post.key,
        day=post.day.date.isoformat(),
        channel=post.channel,
    )
