"""The stored campaign as the dashboard edits it: posts as sources, with their revisions.

`StoredCampaign` is everything a post needs to render and be checked without the campaign's
files: the config as planned (its days rebuilt from the posts' current revisions), the stored
templates and the images' bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.config import CampaignConfig
from campaign.config.loading import describe_validation_error
from campaign.content.library import Library
from campaign.content.render import days_of
from campaign.content.source import PostSource
from campaign.errors import ConfigError, NoPlanStored
from campaign.store.content_rows import RevisionRow, TemplateRow
from campaign.store.models import CampaignRow, PostRow, PostState
from campaign.store.sources import current, source_of


@dataclass
class StoredCampaign:
    """A campaign as stored: `sources` and `revisions` (current) are of the posts not
    cancelled; `rows` has every post."""

    row: CampaignRow
    config: CampaignConfig
    library: Library
    sources: dict[str, PostSource]
    rows: dict[str, PostRow]
    revisions: dict[str, RevisionRow]


def load(
    session: Session, campaign: CampaignRow, reader: Callable[[str], bytes | None]
) -> StoredCampaign:
    """`reader` gives an image's bytes by SHA-256 when a check or a daemon needs them."""
    if campaign.source is None:
        raise NoPlanStored(f"{campaign.slug} was planned by an older version; plan it again")
    posts = current(session, campaign)
    live = {
        key: (row, revision)
        for key, (row, revision) in posts.items()
        if revision is not None and row.state != PostState.CANCELLED
    }
    revisions = {key: revision for key, (_, revision) in live.items() if revision is not None}
    sources = {key: source_of(revision, key) for key, revision in revisions.items()}
    return StoredCampaign(
        row=campaign,
        config=rebuild_config(campaign, sources.values()),
        library=stored_library(session, campaign, sources.values(), reader),
        sources=sources,
        rows={key: row for key, (row, _) in posts.items()},
        revisions=revisions,
    )


def rebuild_config(campaign: CampaignRow, sources: Iterable[PostSource]) -> CampaignConfig:
    assert campaign.source is not None
    path = Path(campaign.config_path or "config.toml")
    data = {**campaign.source, "days": days_of(sources), "path": path}
    try:
        return CampaignConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, CampaignConfig), path=path) from None


def stored_library(
    session: Session,
    campaign: CampaignRow,
    sources: Iterable[PostSource],
    reader: Callable[[str], bytes | None],
) -> Library:
    """The stored templates, and the images by the SHA-256 the posts name (bytes on demand)."""
    templates = {
        row.name: row.text
        for row in session.scalars(
            select(TemplateRow).where(TemplateRow.campaign_id == campaign.id)
        )
    }
    digests: dict[str, str | None] = {
        image.file: image.sha256 for source in sources for image in source.images
    }
    return Library(templates, digests, reader)
