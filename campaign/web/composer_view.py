"""What the composer page shows: the fields, the palette of the campaign's facts, the card.

The card is the preview's own (`_cards.html.j2`), made from the live check, so the page, the
live preview and the sign-off preview look the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import render_template, url_for

from campaign.checks.findings import CheckReport, Finding
from campaign.config import CampaignConfig, Image
from campaign.content.drafts import Draft, to_source
from campaign.content.images import MediaFacts
from campaign.content.live import LiveCheck, MediaLookup, check_draft, field_of
from campaign.content.source import PostSource
from campaign.present.cards import CardSource, ImageView, rendered_card
from campaign.present.platforms import display_name, length_limit
from campaign.present.times import long_date, weekday
from campaign.store import Store
from campaign.store.content import StoredCampaign

FIELD_NAMES = {
    "when": "Date and time",
    "channel": "Account",
    "theme": "Theme of the new day",
    "images": "Pictures",
    "text": "Text",
}


@dataclass(frozen=True)
class PaletteItem:
    label: str  # "National Stalking Helpline number"
    value: str  # what it says now: "0808 802 0300"
    expression: str  # what is inserted: "{{ helplines.stalking.number }}"


def palette(config: CampaignConfig) -> list[PaletteItem]:
    """The campaign's facts a post may name, as template variables: a number changed in one
    place changes in every post."""
    info = config.campaign
    items = [PaletteItem("Hashtag", info.hashtag, "{{ campaign.hashtag }}")]
    if info.website:
        items.append(PaletteItem("Website", info.website, "{{ campaign.website }}"))
    for key, line in config.helplines.items():
        items.append(
            PaletteItem(f"{line.name} number", line.number, f"{{{{ helplines.{key}.number }}}}")
        )
        if line.hours is not None:
            items.append(
                PaletteItem(
                    f"{line.name} hours", line.hours_text, f"{{{{ helplines.{key}.hours_text }}}}"
                )
            )
    for key, route in config.contact.items():
        label = key.replace("_", " ")
        items.append(PaletteItem(f"Contact: {label}", route, f"{{{{ contact.{key} }}}}"))
    return items


def shown_name(file: str) -> str:
    """'uploads/3f2a9c1b7d4e-card.png' -> 'card.png': a picture as its officer named it."""
    return re.sub(r"^[0-9a-f]{12}-", "", file.rsplit("/", 1)[-1])


def media_lookup(store: Store) -> MediaLookup:
    """What the store knows of each picture, by hash (read once per request)."""
    known: dict[str, MediaFacts | None] = {}

    def look(sha256: str) -> MediaFacts | None:
        if sha256 not in known:
            row = store.media(sha256)
            known[sha256] = (
                None if row is None else MediaFacts(row.mime, row.size, row.width, row.height)
            )
        return known[sha256]

    return look


def post_name(content: StoredCampaign, source: PostSource) -> str:
    """'Monday 10:00 X post': how buttons and messages name a post."""
    account = content.config.accounts.get(source.channel)
    platform = display_name(account.platform) if account is not None else source.channel
    day = weekday(source.date) if source.date else "undated"
    return f"{day} {source.time} {platform} post"


def card_html(content: StoredCampaign, live: LiveCheck) -> str:
    """The draft as a card, exactly as the preview draws one; '' when it could not render."""
    post = live.post
    if post is None or live.source is None:
        return ""
    config = content.config
    report = CheckReport(
        findings=list(live.findings),
        lengths={post.key: [c.count for c in live.counts]},
        reading_ease={} if live.reading_ease is None else {post.key: live.reading_ease},
    )
    hashes = {image.file: image.sha256 for image in live.source.images}

    def view(image: Image) -> ImageView:
        sha = hashes.get(image.file)
        return ImageView(
            image.file, image.alt, url_for("composer.media", sha256=sha) if sha else None
        )

    card = rendered_card(CardSource(config, report, image=view), post)
    return render_template(
        "_composer_card.html.j2",
        card=card,
        day_label=long_date(post.local_time.date()),
        min_reading_ease=config.checks.min_reading_ease,
    )


def live_json(content: StoredCampaign, live: LiveCheck) -> dict[str, Any]:
    return {**live.as_json(), "card": card_html(content, live)}


def composer_page(
    content: StoredCampaign,
    draft: Draft,
    *,
    base_revision: int | None,
    live: LiveCheck | None = None,
    checked: bool = True,
    show_errors: bool = False,
    focus_part: int | None = None,
    upload_error: str = "",
    whole_plan: list[Finding] | None = None,
    conflict: str = "",
    refused: str = "",
    copied_from: str | None = None,
) -> str:
    """The composer for `draft`; `live` is its check when the caller made one already."""
    from campaign.web.current import current
    from campaign.web.queue_view import comment_view

    config = content.config
    source = to_source(content, draft)
    if live is None and checked:
        live = check_draft(content, source, media_lookup(current().store))
    account = config.accounts.get(draft.channel)
    platform = account.platform if account is not None else "x"
    by_field: dict[str, list[Finding]] = {}
    if live is not None and show_errors:
        by_field = live.by_field()
    if whole_plan:  # what the store's check of the whole campaign found besides
        for finding in whole_plan:
            if finding.severity == "error":
                by_field.setdefault(field_of(finding), []).append(finding)
    errors = [(name, f) for name, found in by_field.items() for f in found if f.severity == "error"]
    new = draft.key is None
    page = current()
    # The review conversation, so an officer fixing a post sent back reads why beside it.
    comments = (
        []
        if new
        else [
            comment_view(c, page.zone)
            for c in page.store.review.comments(page.slug, draft.key or "")
        ]
    )
    return render_template(
        "composer.html.j2",
        draft=draft,
        source=source,
        new=new,
        title=("New post" if new else f"Edit {post_name(content, source)}"),
        comments=comments,
        base_revision=base_revision,
        live=live,
        card=card_html(content, live) if live is not None else "",
        accounts=[
            (key, acc.name, display_name(acc.platform)) for key, acc in config.accounts.items()
        ],
        limit=length_limit(platform, config.checks),
        platform=platform,
        days={day.date.isoformat(): day.theme for day in config.days},
        start=config.campaign.start.isoformat(),
        end=config.campaign.end.isoformat(),
        zone=config.campaign.timezone,
        palette=palette(config),
        by_field=by_field,
        errors=errors,
        field_names=FIELD_NAMES,
        focus_part=focus_part,
        upload_error=upload_error,
        conflict=conflict,
        refused=refused,
        copied_from=copied_from,
        images=[
            (image, url_for("composer.media", sha256=image.sha256), shown_name(image.file))
            for image in draft.images
        ],
    )
