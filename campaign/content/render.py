"""Posts rendered from their sources: the stored plan, a plan being merged, a draft.

One code path with `campaign check`: the sources become the config's days again (each post's
own text rendered under a name of its own when it is not its template file's), then
`render_plan` renders them.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from pydantic import ValidationError

from campaign.config import CampaignConfig, Day, Image, Outgoing, PostSpec, post_key
from campaign.config.loading import describe_validation_error
from campaign.content.library import Library
from campaign.content.source import ImageRef, PostSource, TextSource, merge_specs, writings
from campaign.errors import ConfigError
from campaign.render import RenderedPost, render_plan


def sources_from_config(config: CampaignConfig, library: Library) -> list[PostSource]:
    """Every post of the configured days as written in the files (a pair: one per language)."""
    return [
        source_of_spec(day, spec, outgoing, library)
        for day in config.days
        for spec in day.posts
        for outgoing in config.outgoing(day, spec)
    ]


def source_of_spec(day: Day, spec: PostSpec, outgoing: Outgoing, library: Library) -> PostSource:
    """The source of one outgoing post of a configured one, with `library`'s template texts."""
    texts = [
        TextSource(tag, spec.templates[tag], library.templates.get(spec.templates[tag], ""))
        for tag in outgoing.languages
        if spec.templates
    ]
    first = texts[0] if texts else None
    return PostSource(
        key=outgoing.key if outgoing.unit else post_key(day, spec),
        channel=spec.channel,
        date=day.date,
        time=spec.time,
        fold=spec.fold,
        template=first.template if first else spec.template,
        text=first.text if first else library.templates.get(spec.template, ""),
        images=tuple(image_ref(image, library) for image in spec.images),
        day_slug=day.slug,
        theme=day.theme,
        lang=first.lang if first else None,
        unit=outgoing.unit,
        others=tuple(texts[1:]),
    )


def image_ref(image: Image, library: Library) -> ImageRef:
    return ImageRef(image.file, image.alt, library.digest(image.file), tuple(image.alts.items()))


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
            posts=_specs(posts),
        )
        for date, group in groupby(ordered, key=lambda s: s.date)
        for posts in [list(group)]
    ]


def _specs(sources: list[PostSource]) -> tuple[PostSpec, ...]:
    """The configured posts of a day's sources: a pair's (one per language) become one."""
    specs: dict[str, list[PostSpec]] = {}
    for source in sources:
        specs.setdefault(source.post_key, []).append(source.spec())
    return tuple(merge_specs(group) if len(group) > 1 else group[0] for group in specs.values())


def render_sources(
    config: CampaignConfig, sources: Iterable[PostSource], library: Library
) -> list[RenderedPost]:
    """Render `sources` with `config`'s facts and `library`'s templates and images."""
    sources = list(sources)
    for source in sources:
        for image in source.images:
            if image.sha256 is not None:
                library.digests.setdefault(image.file, image.sha256)
    own = {
        key: text
        for source in sources
        for key, (template, text) in writings(source).items()
        if library.templates.get(template) != text
    }
    return render_plan(with_sources(config, sources), library, own)
