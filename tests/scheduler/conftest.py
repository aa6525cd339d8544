"""Fixtures for the sandbox and channel tests: a started sandbox on the shared manual clock,
the shipped config's accounts pointed at it, the fake secrets it accepts, and channels."""

from __future__ import annotations

import random
import re
import struct
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from campaign.clock import ManualClock
from campaign.config import Account, CampaignConfig, load_config
from campaign.planning import store_plan
from campaign.store import Store
from scheduler.channels import FacebookChannel, XChannel, channels_for
from scheduler.daemon import Daemon
from scheduler.rehearsal import sandbox_config
from scheduler.sandbox import PlatformSandbox, SandboxSettings

SEED = 7
TIMEOUT = 2.0  # seconds: generous for loopback, short enough to fail fast
IMPATIENT_TIMEOUT = 0.3  # the slow-answer tests wait only this long (the sandbox waits 2 s)


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[PlatformSandbox]:
    with PlatformSandbox(SandboxSettings(seed=SEED, slow_seconds=2.0), clock) as started:
        yield started


@pytest.fixture
def x_account(shipped_config: CampaignConfig, sandbox: PlatformSandbox) -> Account:
    return shipped_config.accounts["x"].model_copy(update={"base_url": sandbox.x_base_url})


@pytest.fixture
def facebook_account(shipped_config: CampaignConfig, sandbox: PlatformSandbox) -> Account:
    account = shipped_config.accounts["facebook"]
    return account.model_copy(update={"base_url": sandbox.graph_base_url})


@pytest.fixture
def environ(
    sandbox: PlatformSandbox, x_account: Account, facebook_account: Account
) -> dict[str, str]:
    """ENV VAR NAME -> fake secret, as a rehearsal would export them."""
    return sandbox.credentials([x_account, facebook_account])


@pytest.fixture
def secrets(environ: dict[str, str]) -> list[str]:
    return list(environ.values())


@pytest.fixture
def x_channel(x_account: Account, environ: dict[str, str]) -> Iterator[XChannel]:
    with XChannel(x_account, credentials_of(x_account, environ), timeout=TIMEOUT) as channel:
        yield channel


@pytest.fixture
def impatient_x_channel(x_account: Account, environ: dict[str, str]) -> Iterator[XChannel]:
    credentials = credentials_of(x_account, environ)
    with XChannel(x_account, credentials, timeout=IMPATIENT_TIMEOUT) as channel:
        yield channel


@pytest.fixture
def facebook_channel(
    facebook_account: Account, environ: dict[str, str]
) -> Iterator[FacebookChannel]:
    credentials = credentials_of(facebook_account, environ)
    with FacebookChannel(facebook_account, credentials, timeout=TIMEOUT) as channel:
        yield channel


@pytest.fixture
def impatient_facebook_channel(
    facebook_account: Account, environ: dict[str, str]
) -> Iterator[FacebookChannel]:
    credentials = credentials_of(facebook_account, environ)
    with FacebookChannel(facebook_account, credentials, timeout=IMPATIENT_TIMEOUT) as channel:
        yield channel


def credentials_of(account: Account, environ: dict[str, str]) -> dict[str, str]:
    """Credential name -> value, as `make_channel` reads them from the environment."""
    return {name: environ[var] for name, var in account.credentials.items()}


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG (one grey pixel row repeated)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "see-stalking-clearly.png"
    path.write_bytes(png_bytes())
    return path


WEEK_SLUG = "stalking-awareness-week-2020"
WEEK_START = datetime(2020, 4, 20, 8, 55, tzinfo=UTC)


class Week:
    """The shipped week planned in a fresh store, a running sandbox, and a daemon factory."""

    def __init__(self, campaign_dir, tmp_path, clock, settings: SandboxSettings) -> None:
        self.clock = clock
        self.clock.set(WEEK_START - timedelta(days=7))
        self.config_path = campaign_dir / "config.toml"
        self.store = Store.open(f"sqlite:///{tmp_path / 'week.db'}", clock)
        self.sandbox = PlatformSandbox(settings=settings, clock=clock)
        self.sandbox.start()
        self.config = sandbox_config(load_config(self.config_path), self.sandbox)
        # Instagram and Threads fetch images from the force's public address, as in a rehearsal.
        self.sandbox.media.add_folder(self.config.posts_dir)
        store_plan(self.config, self.store, "officer")
        self.daemons: list[Daemon] = []

    def daemon(self, daemon_id: str | None = None, **publishing_settings) -> Daemon:
        if publishing_settings:
            publishing = self.config.publishing.model_copy(update=publishing_settings)
            self.config = self.config.model_copy(update={"publishing": publishing})
        environ = self.sandbox.credentials(list(self.config.accounts.values()))
        channels = channels_for(self.config, environ, timeout=0.5)
        daemon = Daemon.for_config(
            self.store, self.config, channels, self.clock, rng=random.Random(3), daemon_id=daemon_id
        )
        self.daemons.append(daemon)
        return daemon

    def run(self, daemon: Daemon, until: datetime | None = None, max_steps: int = 5000) -> None:
        """Step through time from one due moment to the next, as the real loop would."""
        for _ in range(max_steps):
            daemon.run_once()
            upcoming = daemon.next_due()
            if upcoming is None or (until and upcoming > until):
                if until:
                    self.clock.set(max(until, self.clock.now()))
                    daemon.run_once()
                return
            now = self.clock.now()
            # Still overdue after a step: held by a pause or a hold, so its next moment is its
            # grace window running out; a minute at a time gets there without 900 steps.
            step = timedelta(seconds=1) if upcoming > now else timedelta(minutes=1)
            self.clock.set(max(upcoming, now + step))
        raise AssertionError("the week did not finish")

    def states(self) -> dict[str, str]:
        return {post.key: post.state for post in self.store.posts(WEEK_SLUG)}

    def close(self) -> None:
        for daemon in self.daemons:
            daemon.pool.shutdown(wait=True)
        self.sandbox.stop()
        self.store.engine.dispose()


@pytest.fixture
def week_factory(campaign_dir, tmp_path, clock):
    weeks: list[Week] = []

    def make(**settings) -> Week:
        week = Week(campaign_dir, tmp_path, clock, SandboxSettings(seed=11, **settings))
        weeks.append(week)
        return week

    yield make
    for week in weeks:
        week.close()


SECOND_FORCE_PAGE = "204857361209584"
SECOND_FORCE_ACCOUNTS = {
    'user_id = "17841400008460056"': 'user_id = "17841400008460099"',  # Instagram
    "derbyshirepolice.bsky.social": "secondforce.bsky.social",
    "@derbyshirepolice@mastodon.social": "@secondforce@mastodon.social",
    'user_id = "26234758113012345"': 'user_id = "26234758113012399"',  # Threads
}


@pytest.fixture
def point_at_sandbox():
    """`point_at_sandbox(config_path, sandbox, other_force=..., publishing=...)`: below."""
    return for_the_sandbox


def for_the_sandbox(
    config: Path, sandbox: PlatformSandbox, *, other_force: bool = False, publishing: str = ""
) -> None:
    """Point a copy of the shipped config's accounts at the sandbox (what `campaign plan`
    stores for a daemon given only the database). `other_force`: a force with accounts and
    credential variables (SECOND_...) of its own, its Page 204857361209584 (the sandbox, like
    X, refuses a text repeated on one account). `publishing`: a [publishing] table to use
    instead of the shipped one."""
    text = config.read_text(encoding="utf-8")
    for platform in ("x", "facebook", "instagram", "bluesky", "mastodon", "threads"):
        text = _point_account(text, platform, sandbox)
    # Instagram and Threads fetch images from the force's public address, as in a rehearsal.
    sandbox.media.add_folder(config.parent / "posts")
    if publishing:
        start, end = text.index("[publishing]"), text.index("[metrics]")
        text = text[:start] + publishing.strip() + "\n\n" + text[end:]
    if other_force:
        text = text.replace("@DerbyshirePolice", "@SecondForce")
        text = text.replace('page_id = "104857361209584"', f'page_id = "{SECOND_FORCE_PAGE}"')
        text = text.replace("DERBYSHIRE_", "SECOND_")
        # Its own accounts on the other platforms too (its own ids and handles there).
        for shipped, own in SECOND_FORCE_ACCOUNTS.items():
            text = text.replace(shipped, own)
    config.write_text(text, encoding="utf-8")


def _point_account(text: str, name: str, sandbox: PlatformSandbox) -> str:
    """The shipped account `name`'s addresses (its own table only) at its sandbox double."""
    start = text.index(f"[accounts.{name}]\n")
    end = text.index("\n[", start + 1)
    table = re.sub(
        r'^base_url = "[^"]*"',
        f'base_url = "{sandbox.base_url(name)}"',
        text[start:end],
        flags=re.M,
    )
    table = re.sub(
        r'^media_base_url = "[^"]*"',
        f'media_base_url = "{sandbox.media_base_url}"',
        table,
        flags=re.M,
    )
    return text[:start] + table + text[end:]
