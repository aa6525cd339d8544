"""Posts rendered from their sources: the stored plan, a plan being merged, a draft.

One code path with `campaign check`: the sources become the config's days again (each post's
own text rendered under a name of its own when it is not its template file's), then
`render_plan` renders them.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from pydantic import ValidationError

from campaign.config import CampaignConfig, Day, post_key
from campaign.config.loading import describe_validation_error
from campaign.content.library import Library
from campaign.content.source import ImageRef, PostSource
from campaign.errors import ConfigError
from campaign.render import RenderedPost, render_plan


def sources_from_config(config: CampaignConfig, library: Library) -> list[PostSource]:
    """Every post of the configured days as written in the files."""
    return [
        PostSource(
            key=post_key(day, spec),
            channel=spec.channel,
            date=day.date,
            time=spec.time,
            fold=spec.fold,
            template=spec.template,
            text=library.templates.get(spec.template, ""),
            images=tuple(
                ImageRef(image.file, image.alt, library.digest(image.file)) for image in spec.images
            ),
            day_slug=day.slug,
            theme=day.theme,
        )
        for day in config.days
        for spec in day.posts
    ]


def with_sources(config: CampaignConfig, sources: Iterable[PostSource]) -> CampaignConfig:
    """`config` with its days made of `sources` (validated: a time the clocks skip, a date
    outside the campaign or an unknown channel is refused as config.toml would be)."""
    data = {name: getattr(config, name) for name in type(config).model_fields if name != "days"}
    try:
        return CampaignConfig.model_validate({**data, "days": days_of(sources)})
    except ValidationError as exc:
        raise ConfigError(
            describe_validation_error(exc, CampaignConfig), path=config.path
        ) from None


def days_of(sources: Iterable[PostSource]) -> list[Day]:
    """The days `sources` make, in date order; a day's slug and theme are its first post's."""
    ordered = sorted(sources, key=lambda s: (s.date, s.time, s.channel, s.key))
    return [
        Day(
            date=date,
            slug=posts[0].day_slug,
            theme=posts[0].theme,
            posts=tuple(source.spec() for source in posts),
        )
        for date, group in groupby(ordered, key=lambda s: s.date)
        for posts in [list(group)]
    ]


def render_sources(
    config: CampaignConfig, sources: Iterable[PostSource], library: Library
) -> list[RenderedPost]:
    """Render `sources` with `config`'s facts and `library`'s templates and images."""
    sources = list(sources)
    for source in sources:
        for image in source.images:
            if image.sha256 is not None:
                library.digests.setdefault(image.file, image.sha256)
    own = {s.key: s.text for s in sources if library.templates.get(s.template) != s.text}
    return render_plan(with_sources(config, sources), library, own)
