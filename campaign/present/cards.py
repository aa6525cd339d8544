"""One card per post, the same for the sign-off preview, the dashboard and the terminal.

A stored post's card shows what is stored, because that is what would be sent and what an
approval binds to. The check findings, lengths and reading ease of the templates as they render
now are shown only when they render exactly the stored content; otherwise the card carries the
face's "the files differ" note. A post only in the files is shown as rendered, "not stored".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict
from zoneinfo import ZoneInfo

from campaign.checks.findings import CheckReport, Finding
from campaign.config import Account, CampaignConfig, Image
from campaign.fingerprints import short_hash
from campaign.platforms import facts
from campaign.present.languages import (
    Language,
    Reading,
    Text,
    alt_texts,
    english_score,
    languages_of,
    readings,
    texts,
)
from campaign.present.platforms import display_name, length_limit, lengths
from campaign.present.status import PostStatusView, post_status, problem
from campaign.present.times import clock_time, day_month, short_time
from campaign.render import PostContent, RenderedPost, content_hash, stored_variants
from campaign.states import PostState

if TYPE_CHECKING:
    from campaign.store.models import PostRow

NOT_STORED = "not stored"
SENDABLE = (
    PostState.DRAFT,
    PostState.APPROVED,
    PostState.SCHEDULED,
)  # states in which the stored text may still go out
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


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
    data_uri: str | None  # any image URL; None: the file could not be read
    alts: tuple[Text, ...] = ()  # the alt text by language (a bilingual post's holds each)


@dataclass(frozen=True)
class AccountView:
    name: str
    handle: str | None
    key: str = ""  # the account's key in config.toml (the channel)


@dataclass(frozen=True)
class StoredPost(PostContent):
    """A post as stored in the database: what would be sent (read in one transaction)."""

    account: AccountView
    day: date
    theme: str
    status: PostStatus
    platform_post_id: str | None = None

    @classmethod
    def from_row(cls, row: PostRow, zone: ZoneInfo) -> StoredPost:
        return cls(
            key=row.key,
            platform=row.account.platform,
            account=AccountView(row.account.name, row.account.handle, row.channel),
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
            platform_post_id=row.platform_post_id,
            variants=stored_variants(row.variants),
            unit=row.unit_key,
            position=row.unit_position,
        )


@dataclass(frozen=True)
class CardView:
    """Everything one post's card (or table row) shows; the faces only lay it out."""

    post: RenderedPost | StoredPost
    account: Account | AccountView
    channel: str  # the account's key in config.toml
    initials: str
    time_label: str  # "10:00 BST": the day is said around the card
    when: str  # "Mon 20 Apr 10:00 BST"
    date_label: str  # "20 Apr", as the platforms print it beside a post
    platform_name: str  # "X", "Facebook"
    card_class: str  # the look of the platform's card: cards/<card_class>.html.j2
    day: date
    day_number: int
    theme: str
    status: PostStatus | None  # None: not stored
    lengths: tuple[PartLength, ...]
    reading_ease: float | None  # its English text's (None: not English, or not scored)
    findings: tuple[Finding, ...]  # errors first
    images: tuple[ImageView, ...]
    fingerprint: str = ""  # of the stored content: `campaign approve KEY@FINGERPRINT`
    content_hash: str = ""  # what an approval from this card is bound to
    differs_note: str = ""  # the files now render something else than is stored
    live: PostStatusView | None = None  # the stored post's publishing status in words
    approved_at: str = ""  # when the current approval was given, in the campaign's zone
    reapproval_note: str = ""  # an edit cleared an approval: who had approved
    problem: str = ""  # what went wrong, for a status table
    # Each thread part's texts, each in its language (a bilingual post's in order).
    texts: tuple[tuple[Text, ...], ...] = ()
    languages: tuple[Language, ...] = ()  # the languages it holds, in order
    multilingual: bool = False  # the campaign posts in several languages: say each card's
    readings: tuple[Reading, ...] = ()  # each text's reading ease ("Not scored (Welsh)")

    @property
    def state(self) -> str:
        if self.live:
            return self.live.state
        return self.status.state if self.status else NOT_STORED

    @property
    def state_label(self) -> str:
        return self.live.label if self.live else self.state

    @property
    def state_class(self) -> str:
        return self.live.css if self.live else self.state.replace(" ", "-")

    @property
    def approval(self) -> str:
        return approval_label(self.status)


def approval_label(status: PostStatus | None) -> str:
    """'Sgt Smith', or 'Sgt Smith (stale)' when the content changed since."""
    if not status or not status.approved_by:
        return ""
    stale = "" if status.approval_current else " (stale)"
    return f"{status.approved_by}{stale}"


def no_image(image: Image) -> ImageView:
    """For faces that show no pictures (the terminal)."""
    return ImageView(image.file, image.alt, None)


@dataclass(frozen=True)
class CardSource:
    """What the cards of one page or table share."""

    config: CampaignConfig
    report: CheckReport = field(default_factory=CheckReport)
    # The posts as the templates render now; None: not rendered (not asked, or they are broken).
    rendered: Mapping[str, RenderedPost] | None = None
    compare_images: bool = False  # without a render, still say when the images on disk changed
    image: Callable[[Image], ImageView] = no_image
    differs_note: str = ""  # what this face tells the reader to do when the files differ
    fingerprints: bool = True  # show the fingerprint to approve with on the command line
    now: datetime | None = None  # the store's clock: a draft can say its time has passed
    # Count each part's length (X's weighted count takes about a millisecond a part): off for
    # a face that shows no lengths, such as the status table of a national week.
    count_lengths: bool = True


def files_differ(stored: StoredPost, rendered: RenderedPost | None, posts_dir: Path) -> bool:
    """The files would give other content than is stored (text, alt text or image bytes), for a
    post that may still be sent; removed from the files counts too (a plan would cancel it)."""
    if stored.status.state not in SENDABLE:
        return False
    if rendered is None:
        return True
    on_disk = content_hash(
        stored.parts, stored.images, posts_dir, languages=stored.hashed_languages
    )
    return rendered.content_hash != stored.content_hash or on_disk != stored.content_hash


def stored_card(source: CardSource, post: StoredPost, reapproval_note: str = "") -> CardView:
    """The card of a stored post: its stored content, and the checks if the files agree."""
    config, report = source.config, source.report
    rendered = source.rendered.get(post.key) if source.rendered is not None else None
    matches = rendered is not None and rendered.content_hash == post.content_hash
    counted: list[int | None] = []
    if matches and report.lengths.get(post.key):
        counted = list(report.lengths[post.key])
    elif source.count_lengths:
        counted = list(lengths(post.platform, post.parts))
    return CardView(
        **_common(config, post, post.account, post.account.key, post.day),
        day_number=(post.day - config.campaign.start).days + 1,
        theme=post.theme,
        status=post.status,
        lengths=_lengths(post.platform, counted, len(post.parts), config),
        **_readings(config, post, report, matches),
        findings=by_severity(report.for_post(post.key)) if matches else (),
        images=_images(source, post),
        fingerprint=short_hash(post.content_hash) if source.fingerprints else "",
        content_hash=post.content_hash,
        differs_note=source.differs_note if _differs(source, post, rendered) else "",
        reapproval_note=reapproval_note if post.status.state == PostState.DRAFT else "",
    )


def _differs(source: CardSource, post: StoredPost, rendered: RenderedPost | None) -> bool:
    posts_dir = source.config.posts_dir
    if source.rendered is not None:
        return files_differ(post, rendered, posts_dir)
    if source.compare_images:  # without a render, only the images on disk can be compared
        on_disk = content_hash(post.parts, post.images, posts_dir, languages=post.hashed_languages)
        return post.status.state in SENDABLE and on_disk != post.content_hash
    return False


def row_card(source: CardSource, row: PostRow, reapproval_note: str = "") -> CardView:
    """The card of a stored row, as the dashboard and `campaign status` show it: with its live
    status, when it was approved and what went wrong."""
    zone = source.config.zone
    card = stored_card(source, StoredPost.from_row(row, zone), reapproval_note)
    return replace(
        card,
        live=post_status(row, zone, source.now),
        approved_at=short_time(row.approved_at, zone) if row.approved_by else "",
        problem=problem(row),
    )


def rendered_card(source: CardSource, post: RenderedPost) -> CardView:
    """The card of a post only in the files: as rendered, with the report's findings."""
    config, report = source.config, source.report
    account = config.accounts[post.channel]
    counted: list[int | None] = list(report.lengths.get(post.key, []))
    if not counted and post.platform != "x":  # plain characters: exact without the counter
        counted = list(lengths(post.platform, post.parts))
    return CardView(
        **_common(config, post, account, post.channel, post.day.date),
        day_number=post.day_number,
        theme=post.day.theme,
        status=None,
        lengths=_lengths(post.platform, counted, len(post.parts), config),
        **_readings(config, post, report, True),
        findings=by_severity(report.for_post(post.key)),
        images=_images(source, post),
        content_hash=post.content_hash,
    )


def _images(source: CardSource, post: PostContent) -> tuple[ImageView, ...]:
    held = languages_of(post, source.config.campaign.language)
    return tuple(
        replace(view, alts=alt_texts(view.alt, held))
        for view in (source.image(image) for image in post.images)
    )


class _Scores(TypedDict):
    reading_ease: float | None
    readings: tuple[Reading, ...]


def _readings(
    config: CampaignConfig, post: PostContent, report: CheckReport, shown: bool
) -> _Scores:
    scores = report.reading_ease_by_language.get(post.key)
    reported = report.reading_ease.get(post.key)
    found = readings(post, config.campaign.language, scores, reported, shown)
    return {"reading_ease": english_score(found), "readings": found}


class _Common(TypedDict):
    """The fields of a card that stored and rendered posts fill alike."""

    post: RenderedPost | StoredPost
    account: Account | AccountView
    channel: str
    initials: str
    time_label: str
    when: str
    date_label: str
    platform_name: str
    card_class: str
    day: date
    texts: tuple[tuple[Text, ...], ...]
    languages: tuple[Language, ...]
    multilingual: bool


def _common(
    config: CampaignConfig,
    post: RenderedPost | StoredPost,
    account: Account | AccountView,
    channel: str,
    day: date,
) -> _Common:
    return {
        "post": post,
        "account": account,
        "channel": channel,
        "initials": initials(account.name),
        "time_label": clock_time(post.scheduled_at, config.zone),
        "when": short_time(post.scheduled_at, config.zone),
        "date_label": day_month(post.scheduled_at.astimezone(config.zone)),
        "platform_name": display_name(post.platform),
        "card_class": facts(post.platform).card_class,
        "day": day,
        "texts": texts(post, config.campaign.language),
        "languages": languages_of(post, config.campaign.language),
        "multilingual": config.languages is not None,
    }


def _lengths(
    platform: str, counted: list[int | None], parts: int, config: CampaignConfig
) -> tuple[PartLength, ...]:
    limit = length_limit(platform, config.checks)
    counted = counted[:parts] + [None] * (parts - len(counted))
    return tuple(PartLength(count, limit) for count in counted)


def by_severity(findings: list[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: SEVERITY_ORDER.get(f.severity, 3)))


def initials(name: str) -> str:
    """'Derbyshire Constabulary on X' -> 'DC': the capitalised words, as an avatar would."""
    words = [w for w in name.split() if w[:1].isupper() and len(w) > 1]
    return "".join(w[0] for w in words[:2]) or name[:1].upper()
