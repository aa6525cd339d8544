"""A post's source: what its author writes, as opposed to what it renders to.

The template text holds every thread part, separated by lines of `---` (as in a template file),
so a post written in the browser and one written in a file render through one code path.
`source_hash` tells whether two sources are the same writing: a plan compares the files' hash
with the one it stored last time to tell a file change from a browser edit.

A post written in several languages: a pair's posts are a source each (`lang`, and the pair's
key as `unit`); a bilingual post is one source holding its first language's text, and the
others' in `others`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from campaign.config import Image, PostSpec
from campaign.config.days import derived_key, variant_key
from campaign.render import THREAD_SEPARATOR

ORIGIN_FILES = "files"
ORIGIN_BROWSER = "browser"


@dataclass(frozen=True)
class ImageRef:
    """An attached image: its name, its alt text, and the SHA-256 of its bytes."""

    file: str
    alt: str
    sha256: str | None
    alts: tuple[tuple[str, str], ...] = ()  # (language, alt text) for a post in several

    def as_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {"file": self.file, "alt": self.alt, "sha256": self.sha256}
        if self.alts:
            value["alts"] = dict(self.alts)
        return value

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> ImageRef:
        alts = tuple((str(k), str(v)) for k, v in (value.get("alts") or {}).items())
        return cls(str(value["file"]), str(value.get("alt", "")), value.get("sha256"), alts)


@dataclass(frozen=True)
class TextSource:
    """Another language's writing of a bilingual post: its template's name and text."""

    lang: str
    template: str
    text: str

    def as_json(self) -> dict[str, str]:
        return {"lang": self.lang, "template": self.template, "text": self.text}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> TextSource:
        return cls(str(value["lang"]), str(value["template"]), str(value["text"]))


@dataclass(frozen=True)
class PostSource:
    """One post as written: where and when it goes, its template text and its images."""

    key: str
    channel: str
    date: date
    time: str  # the local wall-clock time as written: "10:00", or "01:30+01:00"
    fold: int | None
    template: str  # the template's name (a file of the posts folder, or the post's own)
    text: str
    images: tuple[ImageRef, ...]
    day_slug: str
    theme: str
    lang: str | None = None  # the language of `text`, for a post written in several
    unit: str | None = None  # the pair's key, for one language's post of a pair
    others: tuple[TextSource, ...] = ()  # a bilingual post's other languages, in order

    @property
    def source_hash(self) -> str:
        """SHA-256 of the writing (everything but the key and the template's name; the
        language fields only where given, so a post in one language hashes as before)."""
        payload = {name: value for name, value in asdict(self).items()}
        payload.pop("key")
        payload.pop("template")
        for name in ("lang", "unit", "others"):
            if not payload[name]:
                payload.pop(name)
        for image in payload["images"]:
            if not image["alts"]:
                image.pop("alts")
        if "others" in payload:
            payload["others"] = [
                {**other, "template": "", "text": normalise(other["text"])}
                for other in payload["others"]
            ]
        payload["text"] = normalise(self.text)
        payload["date"] = self.date.isoformat()
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages it is written in, in order; () for a post in the campaign's one."""
        if self.lang is None:
            return ()
        return (self.lang, *(other.lang for other in self.others))

    def texts(self) -> dict[str, tuple[str, str]]:
        """Language -> (template name, text) of a post written in several languages."""
        if self.lang is None:
            return {}
        first = {self.lang: (self.template, self.text)}
        return first | {other.lang: (other.template, other.text) for other in self.others}

    def parts_text(self) -> list[str]:
        """The template text of each thread part (split on `---` lines, as rendering does)."""
        parts: list[list[str]] = [[]]
        for line in self.text.splitlines():
            if line.strip() == THREAD_SEPARATOR:
                parts.append([])
            else:
                parts[-1].append(line)
        return ["\n".join(lines).strip("\n") for lines in parts]

    @property
    def post_key(self) -> str:
        """The configured post's key: the pair's for one language's post of a pair."""
        return self.unit or self.key

    def spec(self) -> PostSpec:
        """The post as a day's entry in config.toml (what a pack export writes): its `key`
        only when its date, channel and template's name do not give it (a key derived from a
        file name such as "Monday_X.j2" is no slug config.toml could write). One language's
        post of a pair gives its language's template alone: `merge_specs` joins the pair."""
        images = tuple(
            Image(file=image.file, alt=image.alt, alts=dict(image.alts)) for image in self.images
        )
        if self.lang is None:
            derived = derived_key(self.date, self.channel, self.template) == self.key
            return PostSpec(
                channel=self.channel,
                time=self.time,
                fold=self.fold,  # 0, 1 or None, checked on the way in
                template=self.template,
                images=images,
                key=None if derived else self.key,
            )
        derived = f"{self.date.isoformat()}-{self.channel}" == self.post_key
        return PostSpec(
            channel=self.channel,
            time=self.time,
            fold=self.fold,
            templates={tag: template for tag, (template, _) in self.texts().items()},
            images=images,
            key=None if derived else self.post_key,
        )

    def with_changes(self, **changes: Any) -> PostSource:
        return replace(self, **changes)


def merge_specs(specs: list[PostSpec]) -> PostSpec:
    """The configured post of a pair's sources (one per language, in order): one spec with
    every language's template."""
    templates = {tag: name for spec in specs for tag, name in spec.templates.items()}
    return specs[0].model_copy(update={"templates": templates})


def writings(source: PostSource) -> dict[str, tuple[str, str]]:
    """Text key (`render.text_key`) -> (template name, text), for each language it writes."""
    if source.lang is None:
        return {source.key: (source.template, source.text)}
    return {variant_key(source.post_key, tag): texts for tag, texts in source.texts().items()}


def join_parts(parts: list[str]) -> str:
    """Thread parts back into one template text (the inverse of `PostSource.parts_text`)."""
    return normalise(f"\n{THREAD_SEPARATOR}\n".join(part.strip("\n") for part in parts))


def normalise(text: str) -> str:
    """One spelling of a text: Unix line ends, no byte order mark, one final newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")
    return text.rstrip("\n") + "\n"
