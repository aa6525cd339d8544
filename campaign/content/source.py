"""A post's source: what its author writes, as opposed to what it renders to.

The template text holds every thread part, separated by lines of `---` (as in a template file),
so a post written in the browser and one written in a file render through one code path.
`source_hash` tells whether two sources are the same writing: a plan compares the files' hash
with the one it stored last time to tell a file change from a browser edit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from campaign.config import Image, PostSpec
from campaign.config.days import derived_key
from campaign.render import THREAD_SEPARATOR

ORIGIN_FILES = "files"
ORIGIN_BROWSER = "browser"


@dataclass(frozen=True)
class ImageRef:
    """An attached image: its name, its alt text, and the SHA-256 of its bytes."""

    file: str
    alt: str
    sha256: str | None

    def as_json(self) -> dict[str, str | None]:
        return {"file": self.file, "alt": self.alt, "sha256": self.sha256}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> ImageRef:
        return cls(str(value["file"]), str(value.get("alt", "")), value.get("sha256"))


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

    @property
    def source_hash(self) -> str:
        """SHA-256 of the writing (everything but the key and the template's name)."""
        payload = {name: value for name, value in asdict(self).items()}
        payload.pop("key")
        payload.pop("template")
        payload["text"] = normalise(self.text)
        payload["date"] = self.date.isoformat()
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def parts_text(self) -> list[str]:
        """The template text of each thread part (split on `---` lines, as rendering does)."""
        parts: list[list[str]] = [[]]
        for line in self.text.splitlines():
            if line.strip() == THREAD_SEPARATOR:
                parts.append([])
            else:
                parts[-1].append(line)
        return ["\n".join(lines).strip("\n") for lines in parts]

    def spec(self) -> PostSpec:
        """The post as a day's entry in config.toml (what a pack export writes): its `key`
        only when its date, channel and template's name do not give it (a key derived from a
        file name such as "Monday_X.j2" is no slug config.toml could write)."""
        derived = derived_key(self.date, self.channel, self.template) == self.key
        return PostSpec(
            channel=self.channel,
            time=self.time,
            fold=self.fold,  # 0, 1 or None, checked on the way in
            template=self.template,
            images=tuple(Image(file=image.file, alt=image.alt) for image in self.images),
            key=None if derived else self.key,
        )

    def with_changes(self, **changes: Any) -> PostSource:
        return replace(self, **changes)


def join_parts(parts: list[str]) -> str:
    """Thread parts back into one template text (the inverse of `PostSource.parts_text`)."""
    return normalise(f"\n{THREAD_SEPARATOR}\n".join(part.strip("\n") for part in parts))


def normalise(text: str) -> str:
    """One spelling of a text: Unix line ends, no byte order mark, one final newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")
    return text.rstrip("\n") + "\n"
