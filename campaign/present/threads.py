"""How a half-published thread is described: how much is public, and where to see it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from campaign.links import post_url

if TYPE_CHECKING:
    from campaign.store.models import PostRow


def progress(row: PostRow) -> str:
    """'1 of 3 parts public': for status lines, pages and audit rows."""
    return f"{len(row.live_part_ids)} of {len(row.parts)} parts public"


def part_links(row: PostRow) -> list[str]:
    """Where each public part of the thread can be seen (the account must be loaded)."""
    account = row.account
    return [post_url(account.platform, account.handle, part) for part in row.live_part_ids]


def abandoned(row: PostRow) -> str:
    """What an approver is told after abandoning the rest of a thread."""
    return f"Abandoned the rest of {row.key}: {progress(row)} stay public; nothing more is sent."
