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
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from campaign.config import CampaignConfig, Image
from campaign.present.cards import (
    AccountView,
    CardSource,
    ImageView,
    PostStatus,
    StoredPost,
    by_severity,
    files_differ,
    rendered_card,
    stored_card,
)
from campaign.present.days import group_by_day
from campaign.present.pages import page_environment
from campaign.present.times import date_range, long_time
from campaign.render import RenderedPost

if TYPE_CHECKING:
    from campaign.checks.findings import CheckReport

# The card model is `campaign.present.cards`, shared with the dashboard and the terminal.
__all__ = [
    "AccountView",
    "PostStatus",
    "StoredPost",
    "files_differ",
    "highlight",
    "render_preview_html",
]

FILES_DIFFER = (
    "The files differ from the stored plan: run plan (`campaign plan`) to store them, then "
    "approve again. This card shows the stored text, which is what would be sent."
)
# Links first so a `#fragment` or `@` inside a URL stays part of the link.
_TOKENS = re.compile(
    r"(?P<link>(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)])"
    r"|(?P<tag>(?<![\w/&#])#[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<handle>(?<![\w@])@[A-Za-z0-9_]{1,15})"
)


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
    rendered = {post.key: post for post in posts}
    source = CardSource(
        config,
        report,
        rendered,
        image=_ImageCache(config.posts_dir).view,
        differs_note=FILES_DIFFER,
    )
    cards = [stored_card(source, post) for post in stored]
    known = {post.key for post in stored}
    cards += [rendered_card(source, post) for post in posts if post.key not in known]
    cards.sort(key=lambda card: (card.post.scheduled_at, card.post.key))
    keys = known | set(rendered)
    plan_findings = [f for f in report.findings if f.key is None or f.key not in keys]
    template = page_environment(highlight=highlight).get_template("preview.html.j2")
    return template.render(
        config=config,
        campaign=config.campaign,
        days=group_by_day(config, cards),
        plan_findings=by_severity(plan_findings),
        post_count=len(cards),
        differ_count=sum(1 for card in cards if card.differs_note),
        error_count=len(report.errors),
        warning_count=len(report.warnings),
        date_range=date_range(config.campaign.start, config.campaign.end),
        generated=long_time(generated_at, config.zone) if generated_at else None,
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
