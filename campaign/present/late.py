"""What happens to posts approved after their time: one wording for the pages and the CLI."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from campaign.present.times import short_time

if TYPE_CHECKING:
    from campaign.store.approvals import LatePost


def late_line(post: LatePost, zone: ZoneInfo) -> str:
    """'2020-04-20-x (due Mon 20 Apr 10:00 BST) will be sent at once, late'."""
    fate = "will be marked missed" if post.missed else "will be sent at once, late"
    return f"{post.key} (due {short_time(post.due, zone)}) {fate}"


def late_summary(late: list[LatePost], total: int, zone: ZoneInfo, grace_minutes: float) -> str:
    """One plain sentence: '2 of these 3 posts' times have passed: ...'."""
    if not late:
        return ""
    rule = f"a post more than {grace_minutes:g} minutes late is marked missed rather than sent"
    details = "; ".join(late_line(post, zone) for post in late)
    return f"{late_heading(len(late), total)}: {details} ({rule})."


def late_heading(late: int, total: int) -> str:
    """'This post's time has passed', '2 of these 3 posts' times have passed'..."""
    if total == 1:
        return "This post's time has passed"
    if late == 1:
        return f"1 of these {total} posts' time has passed"
    if late < total:
        return f"{late} of these {total} posts' times have passed"
    return f"All {total} of these posts' times have passed"
