"""One post's publishing state in words an officer reads at a glance.

Every state has a colour AND a word; the words and notes are built here, once, so the cards,
the live updates of `/api/status` (which only set text, never markup) and the terminal agree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from campaign.present.platforms import link_text, post_url
from campaign.present.threads import progress
from campaign.present.times import short_time
from campaign.states import PostState

if TYPE_CHECKING:
    from campaign.store.models import PostRow

# Which sign-off action a post in each state offers; other states offer none.
SIGNOFF_OPEN = {
    PostState.DRAFT: "approve",
    PostState.APPROVED: "withdraw",
    PostState.SCHEDULED: "withdraw",
}


@dataclass(frozen=True)
class PostStatusView:
    """One post's publishing status: badge words and colour, a note, a link once published."""

    state: str
    label: str
    css: str  # the badge's class: a state, or "retrying" / "checking"
    note: str
    link: str | None
    link_text: str | None
    signoff: str | None  # which sign-off action applies now: "approve", "withdraw" or None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def post_status(row: PostRow, zone: ZoneInfo, now: datetime | None = None) -> PostStatusView:
    """`now` (the store's clock) lets a draft say that its time has already passed."""
    state = row.state
    link = link_words = None
    if state in (PostState.PUBLISHED, PostState.PARTIAL, PostState.ABANDONED):
        link, link_words = post_link(row)
    label, css, note = _words(row, zone, now)
    return PostStatusView(state, label, css, note, link, link_words, SIGNOFF_OPEN.get(state))


def _words(row: PostRow, zone: ZoneInfo, now: datetime | None) -> tuple[str, str, str]:
    """(badge label, badge class, note) for the row's state."""
    state, at = row.state, short_time(row.scheduled_at, zone)
    if state == PostState.DRAFT and now is not None and row.scheduled_at <= now:
        return (
            "Draft – its time has passed",
            "draft",
            f"Not approved, and its time ({at}) has passed: if it is approved now it goes out "
            "late, or is marked missed if it is past the grace window.",
        )
    if state == PostState.SCHEDULED and row.next_attempt_at and row.last_error:
        return (
            "Retrying",
            "retrying",
            f"Attempt {row.attempts} did not go through: {row.last_error}. "
            f"Next try {short_time(row.next_attempt_at, zone)}.",
        )
    if state == PostState.PUBLISHING and row.in_doubt:
        return (
            "Checking",
            "checking",
            "The platform did not answer in time; checking whether the post went out before "
            "trying again (it is never sent twice).",
        )
    label, note = _plain_words(row, zone, at)
    return label, state, note


def _plain_words(row: PostRow, zone: ZoneInfo, at: str) -> tuple[str, str]:
    """(label, note) for the states whose badge is the state itself."""
    state, error = row.state, row.last_error
    if state == PostState.PARTIAL:
        return f"Partly published – {progress(row)}", (
            f"Only part of this thread is public: {progress(row)}. Stopped because: "
            f"{error or 'publishing stopped'}. The rest is sent when publishing is "
            "resumed, even if it is late; an approver can abandon it instead."
        )
    if state == PostState.ABANDONED:
        note = (error or "The rest of this thread will not be sent.").capitalize()
        return f"Abandoned – {progress(row)}", note
    words = {
        PostState.DRAFT: (
            "Draft – needs approval",
            "Not approved yet: it will not be sent until an approver approves it.",
        ),
        PostState.APPROVED: (
            "Approved",
            f"Will be sent {at} once a publishing daemon picks it up.",
        ),
        PostState.SCHEDULED: ("Scheduled", f"Queued to be sent {at}."),
        PostState.PUBLISHING: ("Publishing now", ""),
        PostState.PUBLISHED: ("Published", f"Published {short_time(row.published_at, zone)}."),
        PostState.FAILED: ("Failed", f"The platform said: {error or 'no message'}"),
        PostState.MISSED: ("Missed", (error or "not sent in time").capitalize()),
        PostState.CANCELLED: ("Cancelled", "No longer in the plan; it will not be sent."),
    }
    return words.get(state, (state.capitalize(), ""))


def post_link(row: PostRow) -> tuple[str | None, str | None]:
    """The public address of a published post (X status, Facebook Page post), and its words."""
    post_id = row.platform_post_id
    if not post_id:
        return None, None
    account = row.account
    return post_url(account.platform, account.handle, post_id), link_text(account.platform)


def problem(row: PostRow) -> str:
    """The short note a status table shows: what went wrong, and how much of a thread is out."""
    if row.live_part_ids and row.state != PostState.PUBLISHED:
        return f"{progress(row)}. {row.last_error}"
    return row.last_error or ""
