"""Render each configured post from its Jinja2 template into what would be sent.

One environment (StrictUndefined: a misspelt variable is an error, not an empty string) and one
documented context, `TemplateContext`, which is the contract with template authors. On X a line
holding only `---` splits a post into thread parts.
"""

from __future__ import annotations

import hashlib
import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import jinja2

from campaign.config import CampaignConfig, Day, Helpline, Image, PostSpec, post_key
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
    hashtag: str
    website: str | None


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
    """`post` in templates: `post.local_time` is the wall-clock time in the campaign's zone."""

    channel: str
    platform: str
    local_time: datetime


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
class PostContent:
    """What a post sends and when: the same for a post as rendered and as stored."""

    key: str
    platform: str
    scheduled_at: datetime  # UTC
    local_time: datetime  # the campaign's zone
    parts: tuple[str, ...]
    images: tuple[Image, ...]
    content_hash: str

    @property
    def text(self) -> str:
        return "\n\n".join(self.parts)


@dataclass(frozen=True)
class RenderedPost(PostContent):
    """A post as it would be sent, with where it came from."""

    day: Day
    day_number: int
    spec: PostSpec
    template_path: Path
    source_text: str = ""  # the post's own template text (findings point at its lines)

    @property
    def channel(self) -> str:
        return self.spec.channel


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
        render_post(env, config, number, day, spec, posts_dir=posts_dir, library=library, own=own)
        for number, day in enumerate(sorted(config.days, key=lambda d: d.date), start=1)
        for spec in day.posts
    ]
    return sorted(posts, key=lambda p: (p.scheduled_at, p.channel, p.key))


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
) -> RenderedPost:
    """One post; `posts_dir` is `config.posts_dir`, `own` the posts' own texts by key."""
    key = post_key(day, spec)
    account = config.accounts[spec.channel]
    scheduled_at = config.scheduled_at(day, spec)
    local_time = scheduled_at.astimezone(config.zone)
    context = TemplateContext(
        campaign=CampaignView(
            name=config.campaign.name,
            organisation=config.campaign.organisation,
            area=config.campaign.area,
            hashtag=config.campaign.hashtag,
            website=config.campaign.website,
        ),
        day=DayView(day.date, number, weekday(day.date), day.theme, day.slug),
        post=PostView(spec.channel, account.platform, local_time),
        helplines=dict(config.helplines),
        contact=dict(config.contact),
    )
    name = own_template(key) if key in own else spec.template
    text = _render_text(env, name, context, posts_dir)
    parts = split_thread(text)
    return RenderedPost(
        key=key,
        day=day,
        day_number=number,
        spec=spec,
        platform=account.platform,
        template_path=posts_dir / spec.template,
        scheduled_at=scheduled_at,
        local_time=local_time,
        parts=parts,
        images=spec.images,
        content_hash=hash_content(
            parts, [(i.file, i.alt, library.digest(i.file)) for i in spec.images]
        ),
        source_text=own[key] if key in own else library.templates.get(spec.template, ""),
    )


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
) -> str:
    """SHA-256 of exactly what would be sent: text parts, image bytes and alt text.

    `digests` (file -> SHA-256) carries the image hashes across the posts of one rendering.
    """
    digests = {} if digests is None else digests
    for image in images:
        if image.file not in digests:
            digests[image.file] = _file_digest(posts_dir / image.file)
    return hash_content(parts, [(image.file, image.alt, digests[image.file]) for image in images])


def hash_content(
    parts: tuple[str, ...] | list[str], media: list[tuple[str, str, str | None]]
) -> str:
    """SHA-256 of text parts and (file, alt text, SHA-256 of the bytes) of each image."""
    described = [{"file": file, "alt": alt, "sha256": sha256} for file, alt, sha256 in media]
    payload = json.dumps({"parts": list(parts), "media": described}, sort_keys=True)
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
