"""The week page's model: each stored post as a card (the preview's look), grouped by day.

A card shows what is stored, because that is what will be sent and what an approval binds to.
The check findings and reading ease come from rendering the templates now; they are shown only
when the files (templates and images) still give exactly the stored content, otherwise the card
says "the files differ from the stored plan" and how to update it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from campaign.checks.findings import CheckReport, Finding
from campaign.config import CampaignConfig, Image
from campaign.planning import CheckedPlan
from campaign.present.cards import CardSource, CardView, ImageView, row_card
from campaign.present.days import DayView, group_by_day
from campaign.states import PostState
from campaign.store.approvals import PairIncomplete
from campaign.store.models import AuditRow, PostRow
from campaign.web.activity import ActivityView, reapproval_notes, recent_activity
from campaign.web.week_files import FilesState

UPLOADED = "uploads/"  # where `store.add_media` names the pictures uploaded in the dashboard
DIFFERS = (
    "The files differ from the stored plan: this card shows the stored text, which is what "
    "would be sent. Update the stored plan (the button at the top of the page) to use the "
    "files; the post then needs approval again."
)


@dataclass
class WeekView:
    days: list[DayView]
    template_error: str | None = None
    not_stored: list[str] = field(default_factory=list)  # in the templates, not in the store
    changed: list[str] = field(default_factory=list)  # stored content differs from templates
    plan_findings: list[Finding] = field(default_factory=list)
    activity: list[ActivityView] = field(default_factory=list)

    @property
    def draft_cards(self) -> list[CardView]:
        return [card for day in self.days for card in day.draft_cards]

    @property
    def drafts(self) -> int:
        return len(self.draft_cards)

    @property
    def approved(self) -> int:
        return sum(day.approved for day in self.days)

    @property
    def published(self) -> int:
        return sum(day.count(PostState.PUBLISHED) for day in self.days)

    @property
    def failed(self) -> int:
        return sum(day.count(PostState.FAILED, PostState.MISSED) for day in self.days)

    @property
    def partial(self) -> int:
        """Threads only partly public: loud on the page until finished or abandoned."""
        return sum(day.count(PostState.PARTIAL) for day in self.days)


def week_view(
    config: CampaignConfig,
    rows: list[PostRow],
    checked: CheckedPlan | None,
    audit: list[AuditRow],
    media_url: Callable[[str], str],
    template_error: str | None = None,
    now: datetime | None = None,
    files: FilesState | None = None,
) -> WeekView:
    """The week's cards. `checked`: the stored campaign checked (or, for a campaign planned
    before revisions, the files); `files`: what a plan from the files would change, which
    then decides the "files differ" notes (otherwise: rendered content against stored)."""
    rendered = {post.key: post for post in checked.posts} if checked else {}
    report = checked.report if checked else CheckReport()
    source = CardSource(
        config,
        report,
        rendered if checked else None,
        compare_images=True,
        image=lambda image: _image(config.posts_dir, image, media_url),
        differs_note=DIFFERS,
        fingerprints=False,  # the dashboard's forms carry the hash themselves
        now=now,
    )
    notes = reapproval_notes(audit)
    cards = [row_card(source, row, notes.get(row.key, "")) for row in rows]
    stored = {row.key: row for row in rows}
    keys = set(rendered)
    if files is not None:
        differs = set(files.changed)
        cards = [
            replace(card, differs_note=DIFFERS if card.post.key in differs else "")
            for card in cards
        ]
        return WeekView(
            days=group_by_day(config, cards, every_day=True),
            template_error=template_error,
            not_stored=files.not_stored,
            changed=files.changed,
            plan_findings=[f for f in report.findings if f.key is None or f.key not in stored],
            activity=recent_activity(audit, config),
        )
    return WeekView(
        days=group_by_day(config, cards, every_day=True),
        template_error=template_error,
        not_stored=sorted(keys - set(stored)),
        changed=sorted(
            key
            for key, row in stored.items()
            if checked
            and (key not in rendered or rendered[key].content_hash != row.content_hash)
            and row.state != PostState.CANCELLED
        ),
        plan_findings=[f for f in report.findings if f.key is None or f.key not in stored],
        activity=recent_activity(audit, config),
    )


def _image(posts_dir: Path, image: Image, media_url: Callable[[str], str]) -> ImageView:
    # A picture uploaded in the dashboard is only in the database (`week.media` serves it).
    exists = image.file.startswith(UPLOADED) or (posts_dir / image.file).resolve().is_file()
    return ImageView(image.file, image.alt, media_url(image.file) if exists else None)


def pair_refused(refusal: PairIncomplete) -> str:
    """What the dashboard says when a form approved one post of a pair without the other."""
    others = ", ".join(refusal.missing)
    return (
        f"Nothing was approved: {refusal.named} is one of a pair (one post per language, sent "
        f"together), so it is approved with {others}. Use the pair's button, \"Approve both "
        'posts", under the two posts.'
    )
