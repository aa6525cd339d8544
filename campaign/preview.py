"""One self-contained HTML page of the week, for the officer who signs it off.

The page shows each post as it will look on its platform (X thread, Facebook post) beside what the
checks found, so a reviewer reads the words, the images and their alt text, and the problems in one
place. It must open anywhere, offline and from an email attachment: CSS is inline, images are
base64 data URIs, and nothing is fetched from the network. Every piece of post text is escaped.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup, escape

from campaign.config import Account, CampaignConfig, Image
from campaign.render import RenderedPost

if TYPE_CHECKING:  # the checks package pulls in the length counter; the page only reads a report
    from campaign.checks.findings import CheckReport, Finding

X_MAX_LENGTH = 280  # twitter-text weighted limit; `report.lengths` holds the weighted counts
NOT_STORED = "not stored"
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
class Card:
    """Everything one post's card shows; built here so the template only lays it out."""

    post: RenderedPost
    account: Account
    initials: str
    time_label: str
    status: PostStatus | None
    lengths: tuple[PartLength, ...]
    reading_ease: float | None
    findings: tuple[Finding, ...]
    images: tuple[ImageView, ...]

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
    states: Mapping[str, PostStatus] | None = None,
    generated_at: datetime | None = None,
) -> str:
    """The review page for `posts` (as rendered) with `report`'s findings and stored `states`.

    `generated_at` is printed when given (in the campaign's zone); it is a parameter, not the wall
    clock, so the same plan gives the same page.
    """
    images = _ImageCache(config.posts_dir)
    cards = [_card(config, post, report, states or {}, images) for post in posts]
    keys = {post.key for post in posts}
    plan_findings = [f for f in report.findings if f.key is None or f.key not in keys]
    template = _environment().get_template("preview.html.j2")
    return template.render(
        config=config,
        campaign=config.campaign,
        days=_group_by_day(cards),
        plan_findings=_by_severity(plan_findings),
        post_count=len(posts),
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


def _card(
    config: CampaignConfig,
    post: RenderedPost,
    report: CheckReport,
    states: Mapping[str, PostStatus],
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
        status=states.get(post.key),
        lengths=tuple(PartLength(count, limit) for count in counted[: len(post.parts)]),
        reading_ease=report.reading_ease.get(post.key),
        findings=tuple(_by_severity(report.for_post(post.key))),
        images=tuple(images.view(image) for image in post.images),
    )


def _group_by_day(cards: list[Card]) -> list[DayGroup]:
    groups: dict[date, list[Card]] = {}
    for card in cards:
        groups.setdefault(card.post.day.date, []).append(card)
    return [
        DayGroup(
            date=day,
            label=_long_date(day),
            number=members[0].post.day_number,
            theme=members[0].post.day.theme,
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
