"""The public web address a force puts its campaign images at, on loopback.

Instagram and Threads do not take an image's bytes: the platform fetches it from a public URL
(`media_base_url` + the image's name in the campaign). In a rehearsal this server is that
address, and the platform doubles fetch from it over real HTTP, as Meta's servers would.
"""

from __future__ import annotations

import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote

from werkzeug.wrappers import Request, Response

from scheduler.sandbox.wsgi import RequestRecord, json_response


class PublicMedia:
    """Files served by their campaign name (`images/card.jpg`), from folders or added bytes."""

    def __init__(self) -> None:
        self.requests: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._files: dict[str, bytes] = {}
        self._folders: list[Path] = []
        self.missing: bool = False  # answer 404 to everything (the address is down)

    def add(self, file: str, data: bytes) -> None:
        with self._lock:
            self._files[file.lstrip("/")] = data

    def add_folder(self, folder: Path) -> None:
        """Serve every file under `folder` by its path inside it (a campaign's posts folder)."""
        with self._lock:
            self._folders.append(folder.resolve())

    def read(self, file: str) -> bytes | None:
        name = file.lstrip("/")
        with self._lock:
            if name in self._files:
                return self._files[name]
            folders = list(self._folders)
        for folder in folders:
            path = (folder / name).resolve()
            if path.is_relative_to(folder) and path.is_file():
                return path.read_bytes()
        return None

    def handle(self, request: Request) -> Response:
        data = (
            None
            if self.missing or request.method not in ("GET", "HEAD")
            else (self.read(unquote(request.path)))
        )
        if data is None:
            return Response(b"Not Found", 404, content_type="text/plain")
        kind = mimetypes.guess_type(request.path)[0] or "application/octet-stream"
        return Response(data, 200, content_type=kind)

    def creates(self, request: Request) -> bool:
        return False

    def throttled(self, request: Request) -> Response:
        return json_response(429, {"error": "Too Many Requests"})

    def server_error(self, request: Request) -> Response:
        return json_response(500, {"error": "Server Error"})
