"""The templates and images a campaign renders with: from its posts folder, or stored.

A plan reads the folder once; the database keeps what it read (templates by name, images by
SHA-256) so a post renders, is checked and is published without the files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from campaign.errors import TemplateError

TEMPLATE_SUFFIX = ".j2"


@dataclass
class Library:
    """Templates by name (relative to the posts folder) and images by file name.

    `digests` maps an image's file name to the SHA-256 of its bytes (None: missing); `reader`
    gives the bytes of a SHA-256. A folder library fills both as it is asked.
    """

    templates: Mapping[str, str]
    digests: dict[str, str | None] = field(default_factory=dict)
    reader: Callable[[str], bytes | None] = lambda sha256: None
    folder: Path | None = None

    @classmethod
    def from_folder(cls, posts_dir: Path) -> Library:
        templates = {
            path.relative_to(posts_dir).as_posix(): _text(path, posts_dir)
            for path in sorted(posts_dir.rglob(f"*{TEMPLATE_SUFFIX}"))
            if path.is_file()
        }
        library = cls(templates, folder=posts_dir)
        library.reader = library._read_folder
        return library

    def digest(self, file: str) -> str | None:
        if file not in self.digests:
            data = self._file(file)
            self.digests[file] = None if data is None else hashlib.sha256(data).hexdigest()
        return self.digests[file]

    def read(self, file: str) -> bytes | None:
        """An image's bytes by its file name (None when it is not there)."""
        sha256 = self.digest(file)
        return None if sha256 is None else self.reader(sha256)

    def _file(self, file: str) -> bytes | None:
        if self.folder is None:
            return None
        try:
            return (self.folder / file).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def _read_folder(self, sha256: str) -> bytes | None:
        for file, digest in self.digests.items():
            if digest == sha256:
                return self._file(file)
        return None


def _text(path: Path, posts_dir: Path) -> str:
    try:
        # utf-8-sig: a byte order mark (some Windows editors write one) is not post text.
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TemplateError(
            f"is not UTF-8 text (byte {exc.start}): save it again as UTF-8",
            template=path.relative_to(posts_dir).as_posix(),
        ) from None
