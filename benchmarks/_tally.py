"""Counting a run on the platforms' side: what the sandbox holds against what was planned.

Every planned part (each tweet of an X thread, each Page post) is looked for on the sandbox by
its account and text, so a post the daemons sent twice, or never, shows whatever the database
says. Both doubles refuse a second copy of a visible text, as X and Graph do, so the create
requests they refused are counted too: a duplicate send shows there.
"""

from __future__ import annotations

import math
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from campaign.store import PostState
from campaign.store.models import PostRow
from scheduler.sandbox import PlatformSandbox

Where = tuple[str, str]  # ("x", username) or ("facebook", page id)


@dataclass
class Tally:
    posts: int = 0
    parts: int = 0
    once: int = 0  # posts whose every part is on the platform exactly once
    duplicated: list[str] = field(default_factory=list)  # campaign/key of posts seen twice+
    missing: list[str] = field(default_factory=list)  # posts with a part not on the platform
    unexpected: int = 0  # records on the sandbox that no planned part accounts for
    refused_creates: Counter[int] = field(default_factory=Counter)  # HTTP status -> count
    states: Counter[str] = field(default_factory=Counter)  # post states in the database

    @property
    def exactly_once(self) -> bool:
        return (
            self.once == self.posts
            and not self.unexpected
            and not self.refused_creates
            and self.states == Counter({PostState.PUBLISHED.value: self.posts})
        )


def _text(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _where(post: PostRow) -> Where:
    account = post.account
    if account.platform == "x":
        # The sandbox names an X user after the handle, as `PlatformSandbox.credentials` does.
        return "x", re.sub(r"\W", "", (account.handle or account.name).lstrip("@")).lower()
    return "facebook", str((account.definition or {}).get("page_id"))


def on_the_platforms(sandbox: PlatformSandbox) -> Counter[tuple[Where, str]]:
    """Every tweet and Page post the sandbox holds, by account and text."""
    users = {user.id: user.username.lower() for user in sandbox.x.users.values()}
    seen: Counter[tuple[Where, str]] = Counter()
    seen.update((("x", users[t.author_id]), _text(t.text)) for t in sandbox.x.tweets)
    seen.update((("facebook", p.page_id), _text(p.message)) for p in sandbox.facebook.posts)
    return seen


def refused_creates(sandbox: PlatformSandbox) -> Counter[int]:
    """Create requests the doubles answered with an error, by HTTP status."""
    refused: Counter[int] = Counter()
    for record in sandbox.x.requests:
        if record.method == "POST" and record.path == "/2/tweets" and record.status >= 400:
            refused[record.status] += 1
    for record in sandbox.facebook.requests:
        creates = record.path.endswith(("/feed", "/photos"))
        if record.method == "POST" and creates and record.status >= 400:
            refused[record.status] += 1
    return refused


def tally(posts: Iterable[tuple[str, PostRow]], sandbox: PlatformSandbox) -> Tally:
    """Compare each planned post (with its campaign's slug) with the sandbox's records."""
    seen = on_the_platforms(sandbox)
    result = Tally(refused_creates=refused_creates(sandbox))
    expected: Counter[tuple[Where, str]] = Counter()
    for slug, post in posts:
        result.posts += 1
        result.parts += len(post.parts)
        result.states[post.state.value] += 1
        keys = [(_where(post), _text(part)) for part in post.parts]
        expected.update(keys)
        counts = [seen[key] for key in keys]
        name = f"{slug}/{post.key}"
        if all(count == 1 for count in counts):
            result.once += 1
        elif any(count > 1 for count in counts):
            result.duplicated.append(name)
        else:
            result.missing.append(name)
    result.unexpected = sum((seen - expected).values())
    return result


@dataclass(frozen=True)
class Spread:
    """p50, p99 and max of a sample, in seconds."""

    p50: float
    p99: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        ordered = sorted(values)
        if not ordered:
            return cls(math.nan, math.nan, math.nan)
        p99 = ordered[math.ceil(0.99 * len(ordered)) - 1]  # nearest rank
        return cls(statistics.median(ordered), p99, ordered[-1])

    def scaled(self, factor: float) -> Spread:
        return Spread(self.p50 * factor, self.p99 * factor, self.max * factor)


@dataclass(frozen=True)
class Late:
    """How late one post went out, in seconds of the daemons' clock."""

    name: str  # campaign slug/post key
    due: datetime
    seconds: float
    parts: int
    images: int


def lateness(posts: Iterable[tuple[str, PostRow]]) -> list[Late]:
    """published_at - scheduled_at of each published post."""
    return [
        Late(
            f"{slug}/{post.key}",
            post.scheduled_at,
            (post.published_at - post.scheduled_at).total_seconds(),
            len(post.parts),
            len(post.media),
        )
        for slug, post in posts
        if post.published_at is not None
    ]


def by_moment(late: Iterable[Late]) -> dict[datetime, list[Late]]:
    """The posts due at each moment, earliest moment first."""
    moments: dict[datetime, list[Late]] = {}
    for item in sorted(late, key=lambda item: item.due):
        moments.setdefault(item.due, []).append(item)
    return moments
