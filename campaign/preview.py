"""One self-contained HTML page of the week, for the officer who signs it off.

The page shows each post as it will look on its platform (X thread, Facebook post) beside what the
checks found, so a reviewer reads the words, the images and their alt text, and the problems in one
place. It must open anywhere, offline and from an email attachment: CSS is inline, images are
base64 data URIs, and nothing is fetched from the network. Every piece of post text is escaped.

Once a plan is stored, the cards show the stored posts, because that is what would be sent and
what an approval binds to; a post whose files now render something else is marked "the files
differ from the stored plan: run plan" (its checks are shown once it is stored again). Posts
only in the files are shown as rendered, marked "not stored".
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup, escape

from campaign.config import Account, CampaignConfig, Image
from campaign.render import RenderedPost, content_hash
from campaign.store.approvals import short_hash
from campaign.x_length import weighted_length

if TYPE_CHECKING:  # the checks package pulls in the length counter; the page only reads a report
    from campaign.checks.findings import CheckReport, Finding
    from campaign.store.models import PostRow

X_MAX_LENGTH = 280  # twitter-text weighted limit; `report.lengths` holds the weighted counts
NOT_STORED = "not stored"
FILES_DIFFER = (
    "The files differ from the stored plan: run plan (`campaign plan`) to store them, then "
    "approve again. This card shows the stored text, which is what would be sent."
)
SENDABLE = ("draft", "approved", "scheduled")  # states in which the stored text may still go out
# Links first so a `#fragment` or `@` inside a URL stays part of the link.
_TOKENS = re.compile(
    r"(?P<link>(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)])"
    r"|(?P<tag>(?<![\w/&#])#[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<handle>(?<![\w@])@[A-Za-z0-9_]{1,15})"
)


@dataclass(frozen=True)
class PostStatus:
    """A post's stored state, as far as the reviewer needs it (from `PostRow`)."""

    state: str  # draft / approved / scheduled / published / ...
    approved_by: str | None
    approval_current: bool


@dataclass(frozen=True)
class PartLength:
    count: int | None  # None: the report did not count this part
    limit: int

    @property
    def over(self) -> bool:
        return self.count is not None and self.count > self.limit


@dataclass(frozen=True)
class ImageView:
    file: str
    alt: str
    data_uri: str | None  # None: the file could not be read


@dataclass(frozen=True)
class AccountView:
    name: str
    handle: str | None


@dataclass(frozen=True)
class StoredPost:
    """A post as stored in the database: what would be sent (read in one transaction)."""

    key: str
    platform: str
    account: AccountView
    day: date
    theme: str
    scheduled_at: datetime  # UTC
    local_time: datetime  # the campaign's zone
    parts: tuple[str, ...]
    images: tuple[Image, ...]
    content_hash: str
    status: PostStatus

    @property
    def text(self) -> str:
        return "\n\n".join(self.parts)

    @classmethod
    def from_row(cls, row: PostRow, zone: ZoneInfo) -> StoredPost:
        return cls(
            key=row.key,
            platform=row.account.platform,
            account=AccountView(row.account.name, row.account.handle),
            day=row.day,
            theme=row.theme,
            scheduled_at=row.scheduled_at,
            local_time=row.scheduled_at.astimezone(zone),
            parts=tuple(row.parts),
            images=tuple(
                Image(file=str(item.get("file", "")), alt=str(item.get("alt", "")))
                for item in row.media
            ),
            content_hash=row.content_hash,
            status=PostStatus(row.state, row.approved_by, row.approval_current),
        )


@dataclass(frozen=True)
class Card:
    """Everything one post's card shows; built here so the template only lays it out."""

    post: RenderedPost | StoredPost
    account: Account | AccountView
    initials: str
    time_label: str
    status: PostStatus | None
    lengths: tuple[PartLength, ...]
    reading_ease: float | None
    findings: tuple[Finding, ...]
    images: tuple[ImageView, ...]
    day: date
    day_number: int
    theme: str
    fingerprint: str = ""  # of the stored content: `campaign approve KEY@FINGERPRINT`
    differs_note: str = ""  # the files now render something else than is stored

    @property
    def state(self) -> str:
        return self.status.state if self.status else NOT_STORED


@dataclass(frozen=True)
class DayGroup:
    date: date
    label: str  # "Monday 20 April 2020"
    number: int
    theme: str
    cards: tuple[Card, ...]


def render_preview_html(
    config: CampaignConfig,
    posts: list[RenderedPost],
    report: CheckReport,
    stored: Sequence[StoredPost] = (),
    generated_at: datetime | None = None,
) -> str:
    """The review page: the `stored` posts as stored, and `posts` (as rendered, with `report`'s
    findings) where nothing is stored for them.

    `generated_at` is printed when given (in the campaign's zone); it is a parameter, not the wall
    clock, so the same plan gives the same page.
    """
    images = _ImageCache(config.posts_dir)
    rendered = {post.key: post for post in posts}
    cards = [_stored_card(config, post, rendered.get(post.key), report, images) for post in stored]
    known = {post.key for post in stored}
    cards += [_card(config, post, report, images) for post in posts if post.key not in known]
    cards.sort(key=lambda card: (card.post.scheduled_at, card.post.key))
    keys = known | set(rendered)
    plan_findings = [f for f in report.findings if f.key is None or f.key not in keys]
    template = _environment().get_template("preview.html.j2")
    return template.render(
        config=config,
        campaign=config.campaign,
        days=_group_by_day(cards),
        plan_findings=_by_severity(plan_findings),
        post_count=len(cards),
        differ_count=sum(1 for card in cards if card.differs_note),
        error_count=len(report.errors),
        warning_count=len(report.warnings),
        date_range=_date_range(config.campaign.start, config.campaign.end),
        generated=_when(generated_at.astimezone(config.zone)) if generated_at else None,
    )


def highlight(text: str) -> Markup:
    """Escape post text and wrap hashtags, @handles and links as the platforms colour them."""
    out: list[str] = []
    last = 0
    for match in _TOKENS.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(Markup('<span class="{}">{}</span>').format(match.lastgroup, match.group()))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("campaign", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["highlight"] = highlight
    return env


def files_differ(stored: StoredPost, rendered: RenderedPost | None, posts_dir: Path) -> bool:
    """The files would give other content than is stored (text, alt text or image bytes), for a
    post that may still be sent; removed from the files counts too (a plan would cancel it)."""
    if stored.status.state not in SENDABLE:
        return False
    if rendered is None:
        return True
    on_disk = content_hash(stored.parts, stored.images, posts_dir)
    return rendered.content_hash != stored.content_hash or on_disk != stored.content_hash


def _stored_card(
    config: CampaignConfig,
    post: StoredPost,
    rendered: RenderedPost | None,
    report: CheckReport,
    images: _ImageCache,
) -> Card:
    differs = files_differ(post, rendered, config.posts_dir)
    counted: list[int | None]
    if post.platform == "x":
        limit = X_MAX_LENGTH
        counted = [weighted_length(part) for part in post.parts]
    else:
        limit = config.checks.facebook_max_length
        counted = [len(part) for part in post.parts]
    if not differs and report.lengths.get(post.key):
        counted = list(report.lengths[post.key])
    return Card(
        post=post,
        account=post.account,
        initials=_initials(post.account.name),
        time_label=post.local_time.strftime("%H:%M %Z"),
        status=post.status,
        lengths=tuple(PartLength(count, limit) for count in counted[: len(post.parts)]),
        reading_ease=None if differs else report.reading_ease.get(post.key),
        findings=() if differs else tuple(_by_severity(report.for_post(post.key))),
        images=tuple(images.view(image) for image in post.images),
        day=post.day,
        day_number=(post.day - config.campaign.start).days + 1,
        theme=post.theme,
        fingerprint=short_hash(post.content_hash),
        differs_note=FILES_DIFFER if differs else "",
    )


def _card(
    config: CampaignConfig,
    post: RenderedPost,
    report: CheckReport,
    images: _ImageCache,
) -> Card:
    account = config.accounts[post.channel]
    if post.platform == "x":
        limit = X_MAX_LENGTH
        counted: list[int | None] = list(report.lengths.get(post.key, []))
    else:
        limit = config.checks.facebook_max_length
        counted = list(report.lengths.get(post.key) or [len(part) for part in post.parts])
    counted += [None] * (len(post.parts) - len(counted))
    return Card(
        post=post,
        account=account,
        initials=_initials(account.name),
        time_label=post.local_time.strftime("%H:%M %Z"),
        status=None,
        lengths=tuple(PartLength(count, limit) for count in counted[: len(post.parts)]),
        reading_ease=report.reading_ease.get(post.key),
        findings=tuple(_by_severity(report.for_post(post.key))),
        images=tuple(images.view(image) for image in post.images),
        day=post.day.date,
        day_number=post.day_number,
        theme=post.day.theme,
    )


def _group_by_day(cards: list[Card]) -> list[DayGroup]:
    groups: dict[date, list[Card]] = {}
    for card in cards:
        groups.setdefault(card.day, []).append(card)
    return [
        DayGroup(
            date=day,
            label=_long_date(day),
            number=members[0].day_number,
            theme=members[0].theme,
            cards=tuple(members),
        )
        for day, members in sorted(groups.items())
    ]


def _by_severity(findings: list[Finding]) -> list[Finding]:
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order.get(f.severity, 3))


def _initials(name: str) -> str:
    """'Derbyshire Constabulary on X' -> 'DC': the capitalised words, as an avatar would."""
    words = [w for w in name.split() if w[:1].isupper() and len(w) > 1]
    return "".join(w[0] for w in words[:2]) or name[:1].upper()


def _long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _date_range(start: date, end: date) -> str:
    return _long_date(start) if start == end else f"{_long_date(start)} to {_long_date(end)}"


def _when(moment: datetime) -> str:
    return f"{_long_date(moment.date())} at {moment:%H:%M %Z}"


class _ImageCache:
    """Reads each image once (a week reuses its cards) and hands back a data URI."""

    def __init__(self, posts_dir: Path) -> None:
        self._posts_dir = posts_dir
        self._uris: dict[str, str | None] = {}

    def view(self, image: Image) -> ImageView:
        if image.file not in self._uris:
            self._uris[image.file] = self._data_uri(self._posts_dir / image.file)
        return ImageView(file=image.file, alt=image.alt, data_uri=self._uris[image.file])

    @staticmethod
    def _data_uri(path: Path) -> str | None:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
