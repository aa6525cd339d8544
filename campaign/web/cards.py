"""The week page's model: each stored post as a card (the preview's look), grouped by day.

A card shows what is stored, because that is what will be sent and what an approval binds to.
The check findings and reading ease come from rendering the templates now; they are shown only
when the files (templates and images) still give exactly the stored content, otherwise the card
says "the files differ from the stored plan" and how to update it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from campaign.checks.findings import CheckReport, Finding
from campaign.config import CampaignConfig
from campaign.planning import CheckedPlan
from campaign.preview import (
    SENDABLE,
    X_MAX_LENGTH,
    AccountView,
    ImageView,
    PartLength,
    PostStatus,
    StoredPost,
    _initials,
    files_differ,
)
from campaign.render import RenderedPost, content_hash
from campaign.store.models import AuditRow, PostRow
from campaign.web.activity import ActivityView, reapproval_notes, recent_activity
from campaign.web.status import PostStatusView, post_status, when
from campaign.x_length import weighted_length

DIFFERS = (
    "The files differ from the stored plan: this card shows the stored text, which is what "
    "would be sent. Update the stored plan (the button at the top of the page) to use the "
    "files; the post then needs approval again."
)


@dataclass(frozen=True)
class WebCard:
    post: StoredPost
    account: AccountView
    initials: str
    time_label: str
    status: PostStatus
    lengths: tuple[PartLength, ...]
    reading_ease: float | None
    findings: tuple[Finding, ...]
    images: tuple[ImageView, ...]
    live: PostStatusView
    content_hash: str  # what an approval from this card is bound to
    approved_at: str  # when the current approval was given, in the campaign's zone
    differs_note: str  # the files now give other content: update the stored plan
    reapproval_note: str
    fingerprint: str = ""  # not shown on the dashboard: its forms carry the hash themselves

    @property
    def state(self) -> str:
        return self.live.state

    @property
    def state_label(self) -> str:
        return self.live.label

    @property
    def state_class(self) -> str:
        return self.live.css


@dataclass(frozen=True)
class DayView:
    date: date
    label: str  # "Monday 20 April 2020"
    short: str  # "Mon 20 Apr"
    number: int
    theme: str
    cards: tuple[WebCard, ...]

    @property
    def draft_cards(self) -> list[WebCard]:
        return [card for card in self.cards if card.state == "draft"]

    @property
    def drafts(self) -> int:
        return len(self.draft_cards)

    @property
    def approved(self) -> int:
        return sum(1 for card in self.cards if card.live.signoff == "withdraw")

    def count(self, *states: str) -> int:
        return sum(1 for card in self.cards if card.state in states)


@dataclass
class WeekView:
    days: list[DayView]
    template_error: str | None = None
    not_stored: list[str] = field(default_factory=list)  # in the templates, not in the store
    changed: list[str] = field(default_factory=list)  # stored content differs from templates
    plan_findings: list[Finding] = field(default_factory=list)
    activity: list[ActivityView] = field(default_factory=list)

    @property
    def draft_cards(self) -> list[WebCard]:
        return [card for day in self.days for card in day.draft_cards]

    @property
    def drafts(self) -> int:
        return len(self.draft_cards)

    @property
    def approved(self) -> int:
        return sum(day.approved for day in self.days)

    @property
    def published(self) -> int:
        return sum(day.count("published") for day in self.days)

    @property
    def failed(self) -> int:
        return sum(day.count("failed", "missed") for day in self.days)

    @property
    def partial(self) -> int:
        """Threads only partly public: loud on the page until finished or abandoned."""
        return sum(day.count("partial") for day in self.days)


def week_view(
    config: CampaignConfig,
    rows: list[PostRow],
    checked: CheckedPlan | None,
    audit: list[AuditRow],
    media_url: Callable[[str], str],
    template_error: str | None = None,
    now: datetime | None = None,
) -> WeekView:
    rendered = {post.key: post for post in checked.posts} if checked else {}
    report = checked.report if checked else CheckReport()
    notes = reapproval_notes(audit)
    days = _days(config, rows)
    views = []
    for number, day in enumerate(days, start=1):
        members = [row for row in rows if row.day == day]
        cards = tuple(
            _card(config, row, report, rendered, notes.get(row.key, ""), media_url, now)
            for row in members
        )
        theme = members[0].theme if members else _configured_theme(config, day)
        views.append(
            DayView(
                date=day,
                label=f"{day:%A} {day.day} {day:%B %Y}",
                short=f"{day:%a} {day.day} {day:%b}",
                number=number,
                theme=theme,
                cards=cards,
            )
        )
    stored = {row.key: row for row in rows}
    keys = set(rendered)
    return WeekView(
        days=views,
        template_error=template_error,
        not_stored=sorted(keys - set(stored)),
        changed=sorted(
            key
            for key, row in stored.items()
            if checked
            and (key not in rendered or rendered[key].content_hash != row.content_hash)
            and row.state != "cancelled"
        ),
        plan_findings=[f for f in report.findings if f.key is None or f.key not in stored],
        activity=recent_activity(audit, config),
    )


def _days(config: CampaignConfig, rows: list[PostRow]) -> list[date]:
    first = min([config.campaign.start, *(row.day for row in rows)])
    last = max([config.campaign.end, *(row.day for row in rows)])
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _configured_theme(config: CampaignConfig, day: date) -> str:
    return next((d.theme for d in config.days if d.date == day), "No posts planned")


def _card(
    config: CampaignConfig,
    row: PostRow,
    report: CheckReport,
    rendered: dict[str, RenderedPost],
    reapproval_note: str,
    media_url: Callable[[str], str],
    now: datetime | None,
) -> WebCard:
    zone = config.zone
    post = StoredPost.from_row(row, zone)
    local, parts, platform = post.local_time, post.parts, post.platform
    current = rendered.get(row.key)
    # Without a render (a template is broken) only the images on disk can be compared.
    if rendered:
        differs = files_differ(post, current, config.posts_dir)
    else:
        on_disk = content_hash(post.parts, post.images, config.posts_dir)
        differs = post.status.state in SENDABLE and on_disk != post.content_hash
    matches = current is not None and current.content_hash == row.content_hash
    if platform == "x":
        limit = X_MAX_LENGTH
        counts = [weighted_length(part) for part in parts]
    else:
        limit = config.checks.facebook_max_length
        counts = [len(part) for part in parts]
    if matches and report.lengths.get(row.key):
        counts = list(report.lengths[row.key])
    return WebCard(
        post=post,
        account=post.account,
        initials=_initials(row.account.name),
        time_label=local.strftime("%H:%M %Z"),
        status=PostStatus(row.state, row.approved_by, row.approval_current),
        lengths=tuple(PartLength(count, limit) for count in counts),
        reading_ease=report.reading_ease.get(row.key) if matches else None,
        findings=tuple(report.for_post(row.key)) if matches else (),
        images=tuple(_image(config.posts_dir, item, media_url) for item in row.media),
        live=post_status(row, zone, now),
        content_hash=row.content_hash,
        approved_at=when(row.approved_at, zone) if row.approved_by else "",
        differs_note=DIFFERS if differs else "",
        reapproval_note=reapproval_note if row.state == "draft" else "",
    )


def _image(posts_dir: Path, item: dict[str, str], media_url: Callable[[str], str]) -> ImageView:
    file, alt = str(item.get("file", "")), str(item.get("alt", ""))
    exists = (posts_dir / file).resolve().is_file()
    return ImageView(file=file, alt=alt, data_uri=media_url(file) if exists else None)
