"""Shared fixtures: the shipped campaign in a temporary folder, stores on SQLite, and a real,
throwaway PostgreSQL server (Debian's binaries, run as the `postgres` user when we are root,
since initdb refuses root; on a free loopback port, fsync off; removed afterwards).
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from campaign.clock import ManualClock
from campaign.config import CampaignConfig, load_config
from campaign.store import Store

REPO = Path(__file__).resolve().parents[1]
SHIPPED_CONFIG = REPO / "config.toml"


# The suite runs on every core with pytest-xdist (`-n auto --dist loadgroup` in pyproject.toml;
# `-n 0` runs it in one process). Each worker has its own session fixtures: its own PostgreSQL
# server, its own chromium.
MAX_WORKERS = 8  # past this, more workers only start more servers and browsers


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker per core this process may use (not per physical core, which
    pytest-xdist would count if psutil is installed: a 2-vCPU runner may have 1), at most
    MAX_WORKERS; PYTEST_XDIST_AUTO_NUM_WORKERS still decides when set."""
    chosen = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS", "")
    if chosen.isdigit():
        return int(chosen)
    return max(1, min(len(os.sched_getaffinity(0)), MAX_WORKERS))


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test runs on one worker, so one chromium starts, not one per worker (and
    test_every_page.py's module fixture is built once); the serial tests run one at a time."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))
        elif item.get_closest_marker("serial"):  # when run with the rest: one at a time
            item.add_marker(pytest.mark.xdist_group("serial"))


@pytest.fixture(autouse=True)
def _no_database_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests choose their own databases; a developer's environment must not leak in."""
    monkeypatch.delenv("CAMPAIGN_DATABASE_URL", raising=False)
    monkeypatch.delenv("CAMPAIGN_CONFIG", raising=False)


@pytest.fixture
def shipped_config() -> CampaignConfig:
    return load_config(SHIPPED_CONFIG)


@pytest.fixture
def campaign_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped config.toml and posts/ that a test may edit."""
    target = tmp_path / "week"
    target.mkdir()
    shutil.copy(SHIPPED_CONFIG, target / "config.toml")
    shutil.copytree(
        REPO / "posts", target / "posts", ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    return target


@pytest.fixture
def edit(campaign_dir: Path) -> Callable[[str, str, str], None]:
    """Replace text in a file of the copied campaign, failing loudly if it is not there."""

    def _edit(relative: str, old: str, new: str) -> None:
        path = campaign_dir / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return _edit


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2020, 4, 13, 9, 0, tzinfo=UTC))


@pytest.fixture
def store(tmp_path: Path, clock: ManualClock) -> Iterator[Store]:
    store = Store.open(f"sqlite:///{tmp_path / 'campaign.db'}", clock)
    yield store
    store.engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for this test session (tests using it are marked `postgres`)."""
    with postgres_server() as url:
        yield url


def fresh_database(server_url: str, name: str) -> str:
    """A new, empty database of this name on the tests' PostgreSQL server; its URL. For a test
    whose daemons or plans would otherwise meet the campaigns other tests leave in the
    session's database."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _bindir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _start(bindir: str, data: str, root: str) -> int:
    """Start the server on a free port; its port. Test workers start theirs at the same time,
    so a port found free may be taken before the server binds it: then try another."""
    for _ in range(5):
        port = _free_port()
        started = subprocess.run(
            _as_postgres(
                [
                    f"{bindir}/pg_ctl",
                    "-D",
                    data,
                    "-l",
                    os.path.join(root, "log"),
                    "-w",
                    "start",
                    "-o",
                    f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                    "-c synchronous_commit=off -c max_connections=200",
                ]
            ),
            capture_output=True,
        )
        if started.returncode == 0:
            return port
    raise RuntimeError(f"PostgreSQL did not start (see {root}/log): {started.stderr!r}")


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh database on a server that lives for the block."""
    bindir = _bindir()
    if bindir is None:
        raise RuntimeError(
            "PostgreSQL server binaries not found: install Debian's `postgresql` package "
            "(.ci/run does this)"
        )
    root = tempfile.mkdtemp(prefix="campaign-pg-")
    data = os.path.join(root, "data")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    run = lambda *a: subprocess.run(_as_postgres(list(a)), check=True, capture_output=True)  # noqa: E731
    try:
        run(f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
        port = _start(bindir, data, root)
        for _ in range(50):
            probe = subprocess.run(
                _as_postgres(
                    [
                        f"{bindir}/createdb",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        str(port),
                        "-U",
                        "postgres",
                        "campaign",
                    ]
                ),
                capture_output=True,
            )
            if probe.returncode == 0:
                break
            time.sleep(0.1)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/campaign"
    finally:
        subprocess.run(
            _as_postgres([f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def write_placeholders() -> Callable[[Path], None]:
    """Replace what `campaign init` left to write ([[...]]) in a scaffolded week, as an officer
    would: a handle, a page id, a theme per day and a short post per template."""

    def _write(directory: Path) -> None:
        config = directory / "config.toml"
        text = config.read_text(encoding="utf-8")
        text = re.sub(r'handle = "\[\[.*?\]\]"', 'handle = "@AnyshirePolice"', text)
        text = re.sub(r'page_id = "\[\[.*?\]\]"', 'page_id = "204060801"', text)
        text = re.sub(r"\[\[Theme of day (\d+)\]\]", r"Staying safe, part \1", text)
        config.write_text(text, encoding="utf-8")
        for template in (directory / "posts").glob("day-*/*.j2"):
            written = re.sub(
                r"\[\[.*?\]\]",
                "Scammers may call, text or email. Stop and think before you pay.",
                template.read_text(encoding="utf-8"),
                flags=re.DOTALL,
            )
            template.write_text(written.replace(" for {{ day.weekday }}", ""), encoding="utf-8")

    return _write


@pytest.fixture
def another_campaign(tmp_path: Path) -> Callable[..., Path]:
    """Another week planned from a copy of the shipped campaign: its own slug, name and dates
    (moved by `shift_days`: 364 keeps the weekdays, 0 runs it alongside the first), on the same
    accounts unless told otherwise. Returns the copy's config.toml."""

    def _make(slug: str, *, shift_days: int = 364, name: str | None = None) -> Path:
        from datetime import date, timedelta

        target = tmp_path / slug
        target.mkdir()
        shutil.copytree(
            REPO / "posts", target / "posts", ignore=shutil.ignore_patterns("*.py", "__pycache__")
        )
        text = SHIPPED_CONFIG.read_text(encoding="utf-8")
        text = text.replace('slug = "stalking-awareness-week-2020"', f'slug = "{slug}"')
        text = text.replace(
            'name = "Stalking Awareness Week 2020"', f'name = "{name or slug.replace("-", " ")}"'
        )

        def shifted(match: re.Match[str]) -> str:
            return (date.fromisoformat(match.group(0)) + timedelta(days=shift_days)).isoformat()

        text = re.sub(r"\b2020-04-\d\d\b", shifted, text)
        (target / "config.toml").write_text(text, encoding="utf-8")
        return target / "config.toml"

    return _make
