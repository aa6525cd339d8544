"""Render each configured post from its Jinja2 template into what would be sent.

One environment (StrictUndefined: a misspelt variable is an error, not an empty string) and one
documented context, `TemplateContext`, which is the contract with template authors. On X a line
holding only `---` splits a post into thread parts.

A post written in several languages renders each language's template with that language's
context (`post.lang`, the campaign hashtag in that language) into a `Variant`; a bilingual post
holds the variants' texts in `[languages]` order (part by part), and a pair is one post per
language on its own account (`CampaignConfig.outgoing`).
"""

from __future__ import annotations

import hashlib
import json
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2

from campaign.config import (
    BILINGUAL_SEPARATOR,
    CampaignConfig,
    Day,
    Helpline,
    Image,
    Outgoing,
    PostSpec,
    variant_key,
)
from campaign.content.library import Library
from campaign.errors import TemplateError
from campaign.present.times import weekday

THREAD_SEPARATOR = "---"
# The template authors' guide to the context below, in every posts folder (`campaign init`
# writes it too).
CONTEXT_GUIDE = "README.md"


@dataclass(frozen=True)
class CampaignView:
    """`campaign` in templates."""

    name: str
    organisation: str
    area: str | None
    hashtag: str  # in the language of the text being written
    website: str | None
    hashtags: dict[str, str] = field(default_factory=dict)  # language tag -> its hashtag


@dataclass(frozen=True)
class DayView:
    """`day` in templates: `day.number` counts from 1, `day.weekday` is e.g. 'Monday'."""

    date: date
    number: int
    weekday: str
    theme: str
    slug: str


@dataclass(frozen=True)
class PostView:
    """`post` in templates: `post.local_time` is the wall-clock time in the campaign's zone,
    `post.lang` the language of the text being written (a BCP 47 tag such as "cy")."""

    channel: str
    platform: str
    local_time: datetime
    lang: str = "en-GB"


@dataclass(frozen=True)
class TemplateContext:
    """Everything a post template can use, and nothing else."""

    campaign: CampaignView
    day: DayView
    post: PostView
    helplines: dict[str, Helpline]
    contact: dict[str, str]

    def as_dict(self) -> dict[str, object]:
        return {field: getattr(self, field) for field in self.__dataclass_fields__}


@dataclass(frozen=True)
class Variant:
    """One language's text of a post: its thread parts, and the template they came from."""

    lang: str
    parts: tuple[str, ...]
    template: str = ""  # the template's name ("" when not known, e.g. stored before 0011)
    source_text: str = ""  # that template's text (findings point at its lines)

    @property
    def text(self) -> str:
        return "\n\n".join(self.parts)


def stored_variants(value: list[Any] | None) -> tuple[Variant, ...]:
    """The variants a post row holds (`posts.variants`); () for a post in one language."""
    return tuple(
        Variant(str(item["lang"]), tuple(str(part) for part in item["parts"]))
        for item in value or ()
    )


def hashed_languages(languages: Sequence[str], unit: str | None) -> list[str] | None:
    """The languages a post's content hash binds: those of a post written in several (a
    pair's post, or a bilingual one); None for a post in the campaign's one language, whose
    hash stays as it was before languages."""
    return list(languages) if unit is not None or len(languages) > 1 else None


@dataclass(frozen=True)
class PostContent:
    """What a post sends and when: the same for a post as rendered and as stored.

    `variants` are its texts by language, in order (one for a post in one language, each
    language's for a bilingual post, whose `parts` hold them all); `unit` is the key of the pair
    it belongs to (None: it goes out alone) and `position` its place in the pair's order.
    """

    key: str
    platform: str
    scheduled_at: datetime  # UTC
    local_time: datetime  # the campaign's zone
    parts: tuple[str, ...]
    images: tuple[Image, ...]
    content_hash: str
    variants: tuple[Variant, ...] = field(default=(), kw_only=True)
    unit: str | None = field(default=None, kw_only=True)
    position: int = field(default=0, kw_only=True)

    @property
    def text(self) -> str:
        return "\n\n".join(self.parts)

    @property
    def lang(self) -> str:
        """The post's language (its first text's); "" when not known."""
        return self.variants[0].lang if self.variants else ""

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(variant.lang for variant in self.variants)

    @property
    def bilingual(self) -> bool:
        """One post holding texts in several languages."""
        return len(self.variants) > 1

    @property
    def hashed_languages(self) -> list[str] | None:
        return hashed_languages(self.languages, self.unit)


@dataclass(frozen=True)
class RenderedPost(PostContent):
    """A post as it would be sent, with where it came from."""

    day: Day
    day_number: int
    spec: PostSpec
    template_path: Path
    source_text: str = ""  # the post's own template text (findings point at its lines)
    account_key: str = ""  # the account it goes out on ("": the spec's channel)

    @property
    def channel(self) -> str:
        """The account key it goes out on (a pair's channel names two accounts)."""
        return self.account_key or self.spec.channel


class LibraryLoader(jinja2.BaseLoader):
    """Templates from a `Library`, and the posts' own texts (written in the browser) under
    names of their own, so one post's edit never changes another's template."""

    def __init__(self, library: Library, own: dict[str, str], posts_dir: Path) -> None:
        self.library, self.own, self.posts_dir = library, own, posts_dir

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        if template in self.own:
            return self.own[template], template, lambda: True
        text = self.library.templates.get(template)
        if text is None:
            raise jinja2.TemplateNotFound(template)
        return text, str(self.posts_dir / template), lambda: True


def own_template(key: str) -> str:
    """The name a post's own text renders under (errors name it)."""
    return f"post {key} (as written in the dashboard).j2"


def environment(
    posts_dir: Path, library: Library | None = None, own: dict[str, str] | None = None
) -> jinja2.Environment:
    """The single Jinja environment for post templates: plain text, strict about names."""
    if library is None:
        library = Library.from_folder(posts_dir)
    return jinja2.Environment(
        loader=LibraryLoader(library, own or {}, posts_dir),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_plan(
    config: CampaignConfig, library: Library | None = None, own: dict[str, str] | None = None
) -> list[RenderedPost]:
    """Render every post of the configured week, in time order.

    `library`: the templates and images (default: the posts folder); `own`: post key -> the
    post's own template text, for posts written in the dashboard.
    """
    posts_dir = config.posts_dir  # resolved once: it touches the file system
    library = library or Library.from_folder(posts_dir)
    own = own or {}
    env = environment(posts_dir, library, {own_template(key): text for key, text in own.items()})
    posts = [
        render_post(
            env,
            config,
            number,
            day,
            spec,
            posts_dir=posts_dir,
            library=library,
            own=own,
            outgoing=outgoing,
        )
        for number, day in enumerate(sorted(config.days, key=lambda d: d.date), start=1)
        for spec in day.posts
        for outgoing in config.outgoing(day, spec)
    ]
    return sorted(posts, key=lambda p: (p.scheduled_at, p.unit or p.key, p.position, p.channel))


def render_post(
    env: jinja2.Environment,
    config: CampaignConfig,
    number: int,
    day: Day,
    spec: PostSpec,
    *,
    posts_dir: Path,
    library: Library,
    own: dict[str, str],
    outgoing: Outgoing | None = None,
) -> RenderedPost:
    """One post; `posts_dir` is `config.posts_dir`, `own` the posts' own texts by text key
    (`text_key`), `outgoing` which of the spec's posts (default: its first)."""
    outgoing = outgoing or config.outgoing(day, spec)[0]
    account = config.accounts[outgoing.account]
    scheduled_at = config.scheduled_at(day, spec)
    local_time = scheduled_at.astimezone(config.zone)
    variants = tuple(
        _render_variant(
            env, config, number, day, spec, outgoing, tag, local_time, posts_dir, library, own
        )
        for tag in outgoing.languages
    )
    parts = variants[0].parts if len(variants) == 1 else _bilingual(variants, spec)
    images = tuple(
        image.model_copy(update={"alt": _alt(image, outgoing.languages)}) for image in spec.images
    )
    languages = hashed_languages(outgoing.languages, outgoing.unit)
    return RenderedPost(
        key=outgoing.key,
        day=day,
        day_number=number,
        spec=spec,
        platform=account.platform,
        template_path=posts_dir / spec.template_for(outgoing.lang if spec.templates else None),
        scheduled_at=scheduled_at,
        local_time=local_time,
        parts=parts,
        images=images,
        content_hash=hash_content(
            parts, [(i.file, i.alt, library.digest(i.file)) for i in images], languages
        ),
        source_text=variants[0].source_text,
        account_key=outgoing.account,
        variants=variants,
        unit=outgoing.unit,
        position=outgoing.position,
    )


def text_key(key: str, tag: str, spec: PostSpec) -> str:
    """Which own text (written in the dashboard) a post's text in language `tag` is: the post's
    key for a post in one language, `variant_key(unit key, tag)` for one in several."""
    return variant_key(key, tag) if spec.templates else key


def _render_variant(
    env: jinja2.Environment,
    config: CampaignConfig,
    number: int,
    day: Day,
    spec: PostSpec,
    outgoing: Outgoing,
    tag: str,
    local_time: datetime,
    posts_dir: Path,
    library: Library,
    own: dict[str, str],
) -> Variant:
    account = config.accounts[outgoing.account]
    context = TemplateContext(
        campaign=CampaignView(
            name=config.campaign.name,
            organisation=config.campaign.organisation,
            area=config.campaign.area,
            hashtag=config.hashtag(tag),
            website=config.campaign.website,
            hashtags={each: config.hashtag(each) for each in _languages(config)},
        ),
        day=DayView(day.date, number, weekday(day.date), day.theme, day.slug),
        post=PostView(spec.channel, account.platform, local_time, tag),
        helplines=dict(config.helplines),
        contact=dict(config.contact),
    )
    own_key = text_key(outgoing.unit or outgoing.key, tag, spec)
    template = spec.template_for(tag if spec.templates else None)
    name = own_template(own_key) if own_key in own else template
    text = _render_text(env, name, context, posts_dir)
    source = own[own_key] if own_key in own else library.templates.get(template, "")
    return Variant(tag, split_thread(text), template, source)


def _languages(config: CampaignConfig) -> tuple[str, ...]:
    return config.languages.order if config.languages else (config.campaign.language,)


def _bilingual(variants: tuple[Variant, ...], spec: PostSpec) -> tuple[str, ...]:
    """The parts of one post holding every variant: part by part, texts in order."""
    counts = {variant.lang: len(variant.parts) for variant in variants}
    if len(set(counts.values())) != 1:
        said = ", ".join(f"{spec.templates[tag]} has {n}" for tag, n in counts.items())
        raise TemplateError(
            "a bilingual post holds each language's text part by part, so its templates need "
            f"the same number of thread parts (`---` lines): {said}",
            template=spec.templates[variants[0].lang],
        )
    return tuple(
        BILINGUAL_SEPARATOR.join(variant.parts[index] for variant in variants)
        for index in range(len(variants[0].parts))
    )


def _alt(image: Image, languages: tuple[str, ...]) -> str:
    """An image's alt text for a post in `languages` (a bilingual post's holds each, in order)."""
    if not image.alts:
        return image.alt
    return BILINGUAL_SEPARATOR.join(dict.fromkeys(image.alt_in(tag) for tag in languages))


def split_thread(text: str) -> tuple[str, ...]:
    """Split rendered text on separator lines into trimmed parts (one part if none)."""
    parts: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip() == THREAD_SEPARATOR:
            parts.append("\n".join(current).strip())
            current = []
        else:
            current.append(line.rstrip())
    parts.append("\n".join(current).strip())
    return tuple(parts)


def content_hash(
    parts: tuple[str, ...],
    images: tuple[Image, ...],
    posts_dir: Path,
    digests: dict[str, str | None] | None = None,
    languages: list[str] | None = None,
) -> str:
    """SHA-256 of exactly what would be sent: text parts, image bytes and alt text (and the
    languages of a post written in several: `PostContent.hashed_languages`).

    `digests` (file -> SHA-256) carries the image hashes across the posts of one rendering.
    """
    digests = {} if digests is None else digests
    for image in images:
        if image.file not in digests:
            digests[image.file] = _file_digest(posts_dir / image.file)
    media = [(image.file, image.alt, digests[image.file]) for image in images]
    return hash_content(parts, media, languages)


def hash_content(
    parts: tuple[str, ...] | list[str],
    media: list[tuple[str, str, str | None]],
    languages: list[str] | None = None,
) -> str:
    """SHA-256 of text parts and (file, alt text, SHA-256 of the bytes) of each image, and of
    the languages of a post written in several (sent as its language tags)."""
    described = [{"file": file, "alt": alt, "sha256": sha256} for file, alt, sha256 in media]
    content: dict[str, object] = {"parts": list(parts), "media": described}
    if languages:
        content["languages"] = languages
    payload = json.dumps(content, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _render_text(
    env: jinja2.Environment, name: str, context: TemplateContext, posts_dir: Path
) -> str:
    try:
        template = env.get_template(name)
        return template.render(context.as_dict())
    except jinja2.TemplateNotFound as exc:
        missing = exc.name or name
        where, line = _template_frame(exc, name, posts_dir)
        if line is None:
            raise TemplateError(
                f"template {missing!r} not found under the posts folder: create it or fix the "
                "`template` setting in config.toml",
                template=name,
            ) from None
        raise TemplateError(
            f"includes {missing!r}, which is not in the posts folder: fix the name in the "
            "include or create the file",
            template=where,
            line=line,
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"template syntax error: {exc.message}", template=exc.name or name, line=exc.lineno
        ) from None
    except jinja2.UndefinedError as exc:
        where, line = _template_frame(exc, name, posts_dir)
        raise TemplateError(
            f"undefined variable: {exc.message}",
            template=where,
            line=line,
            guide=f". Available: {', '.join(TemplateContext.__dataclass_fields__)} "
            f"({_guide(posts_dir)} describes each)",
        ) from None
    except (TypeError, ValueError, ArithmeticError) as exc:
        where, line = _template_frame(exc, name, posts_dir)
        raise TemplateError(f"rendering failed: {exc}", template=where, line=line) from None


def _guide(posts_dir: Path) -> str:
    """Where the template context is documented: the posts folder's README, or the shipped one."""
    if (posts_dir / CONTEXT_GUIDE).is_file():
        return f"{posts_dir.name}/{CONTEXT_GUIDE}"
    return f"{CONTEXT_GUIDE} of the example posts folder (`campaign init` writes a copy)"


def _template_frame(exc: BaseException, fallback: str, posts_dir: Path) -> tuple[str, int | None]:
    """The innermost template file (relative to the posts folder) and line in a rendering
    traceback (Jinja maps them); the fallback and no line when no template frame is there."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith("post ") and frame.filename.endswith(".j2"):
            return frame.filename, frame.lineno
        if frame.filename.endswith(".j2"):
            path = Path(frame.filename)
            try:
                return path.resolve().relative_to(posts_dir).as_posix(), frame.lineno
            except ValueError:
                return frame.filename, frame.lineno
    return fallback, None
