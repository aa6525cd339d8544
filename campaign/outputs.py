"""Writing the files commands produce (previews, reports, calendars, exports, a new campaign).

Officers type these paths, so a folder that is missing, is a file or cannot be written is bad
input with a message that names it and says what to do; nothing is created silently unless the
caller asks for it (our own default `build/` folder). A file is written to a temporary file in
its folder and renamed over the target, so a failure never leaves half a file, and a new
campaign folder is written whole beside its final place and renamed in.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from campaign.errors import BadInput


def write_output(path: Path, data: str | bytes, *, create_folder: bool = False) -> None:
    """Write `data` to `path` whole or not at all; `create_folder` for our default folders."""
    folder = path.parent
    prepare_folder(path, create=create_folder)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    mode = path.stat().st_mode & 0o777 if path.is_file() else _default_mode(0o666)
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as exc:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise _cannot_write(path, folder, exc) from None


def write_folder(directory: Path, files: Mapping[Path, str | bytes]) -> None:
    """Create `directory` with `files` (paths inside it; text as UTF-8, or bytes such as an
    image), whole or not at all.

    The folder above must exist. A new folder is written as a hidden sibling and renamed into
    place; an existing (empty of these files) folder receives the files' top-level entries by
    rename from a hidden folder inside it.
    """
    if directory.exists() and not directory.is_dir():
        raise BadInput("is a file, not a folder: choose another name", path=directory)
    parent = directory if directory.exists() else directory.parent
    _check_folder(directory, parent)
    staging: Path | None = None
    try:
        staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{directory.name}."))
        for path, text in files.items():
            target = staging / path.relative_to(directory)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        os.chmod(staging, _default_mode(0o777))  # mkdtemp's folder is private (0700)
        if directory.exists():
            for entry in sorted(staging.iterdir()):
                entry.rename(directory / entry.name)
            staging.rmdir()
        else:
            staging.rename(directory)
        staging = None
    except OSError as exc:
        raise _cannot_write(directory, parent, exc) from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def prepare_folder(path: Path, *, create: bool = False) -> None:
    """Check that `path` can be written in its folder; `create` that folder (our defaults only)."""
    folder = path.parent
    if create:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _cannot_write(path, folder, exc) from None
    _check_folder(path, folder)


def _check_folder(path: Path, folder: Path) -> None:
    if not folder.exists():
        raise BadInput(
            f"the folder {folder} does not exist: create it first (mkdir -p {folder}) or "
            "choose another path",
            path=path,
        )
    if not folder.is_dir():
        raise BadInput(f"{folder} is a file, not a folder: choose another path", path=path)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BadInput(
            f"cannot write in {folder} (permission denied): choose a folder you can write to",
            path=path,
        )


def _cannot_write(path: Path, folder: Path, exc: OSError) -> BadInput:
    reason = (exc.strerror or exc.__class__.__name__).lower()
    return BadInput(f"cannot write in {folder} ({reason}): choose another path", path=path)


def _default_mode(full: int) -> int:
    """`full` (0o666 for files, 0o777 for folders) less the umask, as open() and mkdir give.

    Reading the umask means setting it; the CLI is one thread when it writes its files.
    """
    umask = os.umask(0)
    os.umask(umask)
    return full & ~umask
