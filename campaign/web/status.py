"""Publishing status in words an officer reads at a glance, for the pages and `/api/status`.

Every state has a colour AND a word; the words and notes are built here, once, so the page and
the live updates (which only set text, never markup) always agree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from campaign.config import CampaignConfig
from campaign.health import Health, publishing_health
from campaign.links import post_url
from campaign.store import Store
from campaign.store.models import PostRow, PostState
from campaign.store.partial import progress

# Which sign-off action a post in each state offers; other states offer none.
SIGNOFF_OPEN = {
    PostState.DRAFT: "approve",
    PostState.APPROVED: "withdraw",
    PostState.SCHEDULED: "withdraw",
}


def when(moment: datetime | None, zone: ZoneInfo) -> str:
    """'Mon 20 Apr 10:00 BST': a moment in the campaign's timezone."""
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %H:%M %Z}"


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
    link = link_text = None
    css, note = state, ""
    if state == PostState.DRAFT and now is not None and row.scheduled_at <= now:
        label, css = "Draft – its time has passed", "draft"
        note = (
            f"Not approved, and its time ({when(row.scheduled_at, zone)}) has passed: if it is "
            "approved now it goes out late, or is marked missed if it is past the grace window."
        )
    elif state == PostState.DRAFT:
        label = "Draft – needs approval"
        note = "Not approved yet: it will not be sent until an approver approves it."
    elif state == PostState.APPROVED:
        label = "Approved"
        note = f"Will be sent {when(row.scheduled_at, zone)} once a publishing daemon picks it up."
    elif state == PostState.SCHEDULED and row.next_attempt_at and row.last_error:
        label, css = "Retrying", "retrying"
        note = (
            f"Attempt {row.attempts} did not go through: {row.last_error}. "
            f"Next try {when(row.next_attempt_at, zone)}."
        )
    elif state == PostState.SCHEDULED:
        label = "Scheduled"
        note = f"Queued to be sent {when(row.scheduled_at, zone)}."
    elif state == PostState.PUBLISHING and row.in_doubt:
        label, css = "Checking", "checking"
        note = "The platform did not answer in time; checking whether the post went out before "
        note += "trying again (it is never sent twice)."
    elif state == PostState.PUBLISHING:
        label = "Publishing now"
    elif state == PostState.PUBLISHED:
        label = "Published"
        note = f"Published {when(row.published_at, zone)}."
        link, link_text = post_link(row)
    elif state == PostState.FAILED:
        label = "Failed"
        note = f"The platform said: {row.last_error or 'no message'}"
    elif state == PostState.MISSED:
        label = "Missed"
        note = (row.last_error or "not sent in time").capitalize()
    elif state == PostState.PARTIAL:
        label = f"Partly published – {progress(row)}"
        note = (
            f"Only part of this thread is public: {progress(row)}. Stopped because: "
            f"{row.last_error or 'publishing stopped'}. The rest is sent when publishing is "
            "resumed, even if it is late; an approver can abandon it instead."
        )
        link, link_text = post_link(row)
    elif state == PostState.ABANDONED:
        label = f"Abandoned – {progress(row)}"
        note = (row.last_error or "The rest of this thread will not be sent.").capitalize()
        link, link_text = post_link(row)
    elif state == PostState.CANCELLED:
        label = "Cancelled"
        note = "No longer in the plan; it will not be sent."
    else:
        label = state.capitalize()
    return PostStatusView(state, label, css, note, link, link_text, SIGNOFF_OPEN.get(state))


def post_link(row: PostRow) -> tuple[str | None, str | None]:
    """The public address of a published post (X status, Facebook Page post)."""
    post_id = row.platform_post_id
    if not post_id:
        return None, None
    account = row.account
    name = "View on X" if account.platform == "x" else "View on Facebook"
    return post_url(account.platform, account.handle, post_id), name


@dataclass(frozen=True)
class Banner:
    """The line at the top of every page: is publishing on, is anything sending it, what next."""

    paused: bool
    title: str
    detail: str
    daemons_ok: bool
    daemons: str
    next: str
    held: list[str]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def banner(
    store: Store, config: CampaignConfig, rows: list[PostRow], now: datetime
) -> tuple[Banner, Health]:
    zone, slug = config.zone, config.campaign.slug
    health = publishing_health(store, slug, now, config.publishing.heartbeat_timeout_seconds)
    if health.paused:
        campaign = store.campaign(slug)
        title = "PAUSED – nothing is being published"
        detail = f"Paused by {health.paused_by} {when(campaign.paused_at, zone)}: "
        detail += f"{health.pause_reason}"
    else:
        title = "Publishing is ON"
        detail = "Approved posts go out at their times."
    alive = [d for d in health.daemons if d.alive]
    if alive:
        newest = max(d.heartbeat_at for d in alive)
        seconds = max(0, round((now - newest).total_seconds()))
        many = f"{len(alive)} publishing daemons" if len(alive) > 1 else "Publishing daemon"
        daemons = f"{many} running (last heartbeat {seconds} s ago)"
    else:
        daemons = "No publishing daemon is running: approved posts will not be sent until one "
        daemons += "is started (ask whoever runs the system to start `campaign daemon`)."
    upcoming = [
        row
        for row in rows
        if row.state in (PostState.APPROVED, PostState.SCHEDULED) and row.scheduled_at >= now
    ]
    next_text = _next_text(rows, upcoming, now, zone, health.paused)
    held_accounts = [
        f"{a.key}: needs new credentials – its posts are held ({a.credentials_problem}). Renew "
        f"the token, then run `campaign resume --account {a.key}`."
        if a.needs_credentials
        else f"{a.key}: paused ({a.pause_reason})"
        for a in health.accounts
        if a.needs_credentials or a.paused
    ]
    return (
        Banner(health.paused, title, detail, bool(alive), daemons, next_text, held_accounts),
        health,
    )


def _next_text(
    rows: list[PostRow], upcoming: list[PostRow], now: datetime, zone: ZoneInfo, paused: bool
) -> str:
    """What is due next, and what still waits for approval: never "nothing more is
    scheduled" above a pile of drafts."""
    drafts = [row for row in rows if row.state == PostState.DRAFT]
    later = sum(1 for row in drafts if row.scheduled_at >= now)
    passed = len(drafts) - later
    if upcoming:
        first = min(upcoming, key=lambda row: (row.scheduled_at, row.key))
        platform = "X" if first.account.platform == "x" else "Facebook"
        held = " (held while paused)" if paused else ""
        text = f"Next: {when(first.scheduled_at, zone)} on {platform} – {first.theme}{held}"
        if later:
            text += f" {later} later {'post needs' if later == 1 else 'posts need'} approval."
    elif drafts:
        sent = any(
            row.state not in SIGNOFF_OPEN and row.state != PostState.CANCELLED for row in rows
        )
        nothing = "nothing more is scheduled" if sent else "nothing is scheduled yet"
        waiting = "1 post is" if len(drafts) == 1 else f"{len(drafts)} posts are"
        text = f"{waiting} waiting for approval; {nothing}."
    else:
        text = "Nothing more is scheduled."
    if passed:
        if len(drafts) == 1:
            whose = "Its time has passed"
        elif passed == len(drafts):
            whose = f"The times of all {passed} have passed"
        elif passed == 1:
            whose = "1 draft's time has passed"
        else:
            whose = f"{passed} drafts' times have passed"
        text += f" {whose}: approving now sends late, or marks missed past the grace window."
    return text


def status_json(store: Store, config: CampaignConfig, now: datetime) -> dict[str, object]:
    """What the pages poll: the banner, and every post's status by key. No secrets, no markup."""
    rows = store.posts(config.campaign.slug)
    top, _ = banner(store, config, rows, now)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    return {
        "now": now.isoformat(),
        "banner": top.as_dict(),
        "counts": counts,
        "posts": {row.key: post_status(row, config.zone, now).as_dict() for row in rows},
    }
