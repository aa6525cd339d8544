"""The images a daemon sends: their bytes from the database, so no posts folder is needed.

A plan stores every image it attaches, and the dashboard stores uploads, by SHA-256. Channels
upload from a file, so each image is written once into a private temporary folder (removed when
the daemon stops). An image the database does not hold (a plan by an older version) is read
from the campaign's posts folder, as before.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
import weakref
from pathlib import Path

from campaign.store import Store


class MediaFiles:
    """Image files to upload, made from stored bytes on first use."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._folder: Path | None = None
        self._lock = threading.Lock()

    def path(self, file: str, sha256: str | None, media_dir: Path | None) -> Path | None:
        """Where to upload `file` from; None when neither the database nor the folder has it."""
        if sha256 is not None:
            stored = self._stored(file, sha256)
            if stored is not None:
                return stored
        return None if media_dir is None else media_dir / file

    def _stored(self, file: str, sha256: str) -> Path | None:
        with self._lock:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="campaign-images-"))
                # Removed when the daemon is done with it, or at the latest when it exits.
                self._cleanup = weakref.finalize(self, shutil.rmtree, self._folder, True)
            # The file's own name (its suffix says its type to the platforms), under its hash.
            path = self._folder / sha256 / Path(file).name
            if path.is_file():
                return path
        data = self.store.media_bytes(sha256)
        if data is None or hashlib.sha256(data).hexdigest() != sha256:
            return None
        with self._lock:
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
        return path

    def close(self) -> None:
        with self._lock:
            if self._folder is not None:
                self._cleanup()
                self._folder = None


def file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
