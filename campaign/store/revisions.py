"""Writing a post's revisions, and the campaign's templates and images a plan reads.

A revision is written whenever what a post says or where and when it goes changes: a plan
from files, an edit in the dashboard, or a plan whose facts (a helpline's hours) change the
rendered text of an unchanged source.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from campaign.content.library import Library
from campaign.content.render import image_ref
from campaign.content.source import ImageRef, PostSource, TextSource
from campaign.render import RenderedPost
from campaign.store.content_rows import MediaRow, RevisionRow, TemplateRow
from campaign.store.models import CampaignRow, PostRow


def source_of_post(post: RenderedPost, library: Library) -> PostSource:
    """The source a rendered post was made from."""
    texts = [
        TextSource(variant.lang, variant.template, variant.source_text)
        for variant in post.variants
        if post.spec.templates
    ]
    first = texts[0] if texts else None
    return PostSource(
        key=post.key,
        channel=post.spec.channel,
        date=post.day.date,
        time=post.spec.time,
        fold=post.spec.fold,
        template=first.template if first else post.spec.template,
        text=post.source_text,
        images=tuple(image_ref(image, library) for image in post.spec.images),
        day_slug=post.day.slug,
        theme=post.day.theme,
        lang=first.lang if first else None,
        unit=post.unit,
        others=tuple(texts[1:]),
    )


def write_revision(
    session: Session,
    row: PostRow,
    source: PostSource,
    post: RenderedPost,
    origin: str,
    author: str,
    now: datetime,
) -> RevisionRow:
    """Add the post's next revision and make it the current one."""
    number = (
        session.scalar(select(func.max(RevisionRow.number)).where(RevisionRow.post_id == row.id))
        or 0
    ) + 1
    revision = RevisionRow(
        post_id=row.id,
        number=number,
        origin=origin,
        author=author,
        created_at=now,
        template=source.template,
        text=source.text,
        channel=source.channel,
        day=source.date,
        day_slug=source.day_slug,
        theme=source.theme,
        time=source.time,
        fold=source.fold,
        images=[image.as_json() for image in source.images],
        parts=list(post.parts),
        content_hash=post.content_hash,
        source_hash=source.source_hash,
        lang=source.lang,
        unit=source.unit,
        others=[other.as_json() for other in source.others] or None,
    )
    session.add(revision)
    session.flush()
    row.revision_id = revision.id
    # With each image's SHA-256 (the daemon sends those bytes) and the alt text in the post's
    # language (the source holds every language's).
    digests = {image.file: image.sha256 for image in source.images}
    row.media = [
        ImageRef(image.file, image.alt, digests.get(image.file)).as_json() for image in post.images
    ]
    return revision


def store_templates(session: Session, campaign: CampaignRow, library: Library) -> None:
    """The campaign's templates become the library's (partials a post includes among them)."""
    stored = {
        row.name: row
        for row in session.scalars(
            select(TemplateRow).where(TemplateRow.campaign_id == campaign.id)
        )
    }
    for name, text in library.templates.items():
        row = stored.pop(name, None)
        if row is None:
            session.add(TemplateRow(campaign_id=campaign.id, name=name, text=text))
        elif row.text != text:
            row.text = text
    if stored:
        session.execute(
            delete(TemplateRow).where(
                TemplateRow.campaign_id == campaign.id, TemplateRow.name.in_(list(stored))
            )
        )


def store_media(session: Session, images: Iterable[ImageRef], library: Library) -> None:
    """Keep the bytes of every image the plan attaches (once per SHA-256), so a daemon sends
    them without the posts folder."""
    wanted = {image.sha256: image.file for image in images if image.sha256}
    if not wanted:
        return
    have = set(session.scalars(select(MediaRow.sha256).where(MediaRow.sha256.in_(list(wanted)))))
    for sha256, file in wanted.items():
        if sha256 in have:
            continue
        data = library.read(file)
        if data is None:
            continue
        session.add(media_row(data, sha256, file))


def media_row(data: bytes, sha256: str, name: str) -> MediaRow:
    from campaign.checks.images import inspect_bytes

    facts = inspect_bytes(data)
    width, height = (facts.width, facts.height) if facts is not None else (None, None)
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if facts is not None:
        mime = f"image/{facts.format.lower()}"
    return MediaRow(sha256=sha256, data=data, mime=mime, size=len(data), width=width, height=height)
