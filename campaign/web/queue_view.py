"""The approval queue page's model: each waiting post as a card, with who changed it, its
comment thread, what changed since it was approved (word by word) and what an approver may do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from campaign.checks import CheckReport
from campaign.config import CampaignConfig
from campaign.planning import CheckedPlan
from campaign.present.cards import CardSource, CardView, ImageView, row_card
from campaign.present.diff import PartDiff, parts_diff
from campaign.present.languages import Language, language, pair_kind
from campaign.present.platforms import display_name
from campaign.present.times import short_time
from campaign.store.approvals import LatePost
from campaign.store.content_rows import CommentRow
from campaign.store.models import PostRow
from campaign.store.review import OWN_WORK
from campaign.store.review_queue import CHANGED, NEEDS_APPROVAL, SENT_BACK, QueueItem

HEADINGS = {
    NEEDS_APPROVAL: "Needs approval",
    CHANGED: "Changed since it was approved",
    SENT_BACK: "Sent back for changes",
}
EMPTY = {
    NEEDS_APPROVAL: "No new posts are waiting for approval.",
    CHANGED: "No approved post has been changed since.",
    SENT_BACK: "No post is waiting for changes.",
}


@dataclass(frozen=True)
class CommentView:
    author: str
    when: str
    body: str
    changes_requested: bool


@dataclass
class QueuedPost:
    key: str
    group: str
    label: str  # "Monday 10:00 X post": unique on the page, for the buttons' names
    when: str  # "Mon 20 Apr 10:00 BST"
    content_hash: str
    due: datetime
    card: CardView | None  # None: no config to build a card with (text shown plainly)
    parts: list[str]
    changed_by: str  # "olive, Mon 20 Apr 09:12 BST" or "from the files, ..."
    author: str | None
    own: bool  # the viewer wrote the latest version and may not approve it
    thread: list[CommentView] = field(default_factory=list)
    request: CommentView | None = None
    diff: list[PartDiff] = field(default_factory=list)
    approved_by: str | None = None
    diff_unknown: bool = False  # approved once, but the approved text is not kept
    unit: str | None = None  # the pair it belongs to (its posts are approved together)
    pair_label: str = ""  # "Monday 10:00 X pair", for the pair's buttons
    lang: str = ""  # its language, for a post written in several ("" otherwise)

    @property
    def held(self) -> bool:
        """Not for "Approve all": the viewer's own work, or sent back for changes."""
        return self.own or self.group == SENT_BACK


@dataclass(frozen=True)
class QueuedUnit:
    """The posts of one group shown as one: a pair's (approved together), or one post."""

    key: str
    posts: tuple[QueuedPost, ...]
    partners: tuple[QueuedPost, ...]  # every queued post of the pair, whatever its group

    @property
    def paired(self) -> bool:
        return len(self.posts) > 1

    @property
    def languages(self) -> tuple[Language, ...]:
        return tuple(language(post.lang) for post in self.posts)

    @property
    def kind(self) -> str:
        return pair_kind(self.languages)

    @property
    def own(self) -> bool:
        return any(post.own for post in self.partners)

    @property
    def label(self) -> str:
        return self.posts[0].pair_label


@dataclass
class QueueView:
    posts: list[QueuedPost]

    def group(self, name: str) -> list[QueuedPost]:
        return [post for post in self.posts if post.group == name]

    def units(self, name: str) -> list[QueuedUnit]:
        """A group's posts, a pair's together (where its first one is)."""
        grouped: dict[tuple[bool, str], list[QueuedPost]] = {}
        for post in self.group(name):
            grouped.setdefault((post.unit is not None, post.unit or post.key), []).append(post)
        return [
            QueuedUnit(key, tuple(posts), self._partners(key) if paired else tuple(posts))
            for (paired, key), posts in grouped.items()
        ]

    def _partners(self, unit: str) -> tuple[QueuedPost, ...]:
        return tuple(post for post in self.posts if post.unit == unit)

    @property
    def approvable(self) -> list[QueuedPost]:
        """What "Approve all" approves: not the viewer's own work, not posts sent back, and
        not a pair's post whose partner is either (a pair is approved together or not)."""
        return [post for post in self.posts if not self._held(post)]

    @property
    def skipped(self) -> list[tuple[QueuedPost, str]]:
        """What "Approve all" leaves, and why."""
        return [(post, self._why(post)) for post in self.posts if self._held(post)]

    def _held(self, post: QueuedPost) -> bool:
        if post.unit is None:
            return post.held
        return any(partner.held for partner in self._partners(post.unit))

    @staticmethod
    def _why(post: QueuedPost) -> str:
        if post.own:
            return OWN_WORK
        if post.group == SENT_BACK:
            return "sent back for changes: its author fixes it first"
        return "its pair's other post is not approved now, and a pair is approved together"


def queue_view(
    items: list[QueueItem],
    zone: ZoneInfo,
    viewer: str,
    self_approval: bool,
    config: CampaignConfig | None,
    media_url: Callable[[str], str],
    now: datetime,
    checked: CheckedPlan | None = None,
) -> QueueView:
    """The queue's posts as cards; with `checked` (the stored campaign checked), each card
    shows its findings."""
    source = None
    if config is not None:
        source = CardSource(
            config,
            report=checked.report if checked is not None else CheckReport(),
            rendered={post.key: post for post in checked.posts} if checked else None,
            image=lambda image: ImageView(image.file, image.alt, media_url(image.file)),
            fingerprints=False,  # the page's forms carry the hash themselves
            now=now,
        )
    labels = _labels(items, zone)
    posts = []
    for item in items:
        row = item.row
        when = item.revision.created_at if item.revision is not None else row.updated_at
        who = item.author or (
            f"from the files (planned by {item.planned_by})"
            if item.planned_by
            else "from the files"
        )
        thread = [comment_view(comment, zone) for comment in item.thread]
        post = QueuedPost(
            key=row.key,
            group=item.group,
            label=labels[row.key],
            when=short_time(row.scheduled_at, zone),
            content_hash=row.content_hash,
            due=row.scheduled_at,
            card=row_card(source, row) if source is not None else None,
            parts=[str(part) for part in row.parts],
            changed_by=f"{who}, {short_time(when, zone)}",
            author=item.author,
            own=not self_approval and item.author == viewer,
            thread=thread,
            request=comment_view(item.request, zone) if item.request is not None else None,
            approved_by=item.approved_by,
            unit=row.unit_key,
            pair_label=f"{row.scheduled_at.astimezone(zone):%A %H:%M} "
            f"{display_name(row.account.platform)} pair",
            lang=row.lang or "",
        )
        if item.group == CHANGED:
            if item.approved_parts is None:
                post.diff_unknown = True
            else:
                post.diff = parts_diff(item.approved_parts, post.parts)
        posts.append(post)
    return QueueView(posts)


def late_notes(late: list[LatePost], zone: ZoneInfo) -> dict[str, str]:
    """By key: what happens to a post approved after its time, in words."""
    return {post.key: post.describe(zone) for post in late}


def _labels(items: list[QueueItem], zone: ZoneInfo) -> dict[str, str]:
    """'Monday 10:00 X post'; the key is added where two posts would read the same."""
    plain = {
        item.row.key: f"{item.row.scheduled_at.astimezone(zone):%A %H:%M} "
        f"{display_name(item.row.account.platform)} post{_in_language(item.row)}"
        for item in items
    }
    counts = Counter(plain.values())
    return {key: label if counts[label] == 1 else f"{label} {key}" for key, label in plain.items()}


def comment_view(comment: CommentRow, zone: ZoneInfo) -> CommentView:
    return CommentView(
        comment.author,
        short_time(comment.at, zone),
        comment.body,
        comment.kind == "changes-requested",
    )


def _in_language(row: PostRow) -> str:
    """' in Welsh' for a pair's post (its partner is at the same time on the same platform)."""
    return f" in {language(row.lang).english}" if row.unit_key and row.lang else ""
