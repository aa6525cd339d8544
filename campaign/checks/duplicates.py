"""Plan-level rule: the platforms refuse a post (or thread part) that repeats one already sent
from the same account (X: 403 duplicate content; Facebook: error 506), so say so now."""

from __future__ import annotations

from collections.abc import Iterator

from campaign.checks.findings import Finding, post_finding
from campaign.render import RenderedPost


def check_duplicates(posts: list[RenderedPost]) -> Iterator[Finding]:
    first_seen: dict[tuple[str, str], tuple[str, int]] = {}
    for post in sorted(posts, key=lambda p: p.scheduled_at):
        for index, part in enumerate(post.parts, 1):
            text = " ".join(part.split())
            if not text:
                continue
            earlier = first_seen.setdefault((post.channel, text), (post.key, index))
            if earlier != (post.key, index):
                label = f"part {index}" if len(post.parts) > 1 else "the text"
                yield post_finding(
                    post,
                    "error",
                    "duplicate-text",
                    f"{label} repeats {earlier[0]} (part {earlier[1]}) word for word; "
                    f"{post.platform} refuses duplicate posts from one account",
                    "reword one of them, e.g. add the day's theme",
                )
