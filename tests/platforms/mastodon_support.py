"""Helpers for the Mastodon tests: an account on the sandbox's instance, its channel, images."""

from __future__ import annotations

import random
import struct
import zlib
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from campaign.clock import ManualClock
from campaign.config import Account, load_config
from campaign.planning import store_plan
from campaign.store import Store
from scheduler.channels import channels_for
from scheduler.channels.base import OutgoingMedia, OutgoingPost
from scheduler.channels.mastodon import MastodonChannel
from scheduler.daemon import Daemon
from scheduler.rehearsal import sandbox_config
from scheduler.sandbox import PlatformSandbox, SandboxSettings
from scheduler.sandbox.mastodon_api import MastodonApi

HANDLE = "@derbyshirepolice@police.social.example"
SLUG = "stalking-awareness-week-2020"


def masto_account(sandbox: PlatformSandbox, **settings: Any) -> Account:
    """The force's Mastodon account, on the sandbox's instance."""
    values: dict[str, Any] = {
        "platform": "mastodon",
        "name": "Derbyshire Police (Mastodon)",
        "handle": HANDLE,
        "base_url": sandbox.base_url("mastodon"),
        "credentials": {"access_token": "DERBYSHIRE_MASTODON_TOKEN"},
    }
    return Account(**(values | settings))


def masto_channel(
    sandbox: PlatformSandbox, account: Account | None = None, *, timeout: float = 5.0
) -> tuple[MastodonChannel, str]:
    """A channel with the token the sandbox accepts, and that token (to look for leaks)."""
    account = account or masto_account(sandbox)
    environ = sandbox.credentials([account])
    token = environ["DERBYSHIRE_MASTODON_TOKEN"]
    channel = MastodonChannel(
        account, {"access_token": token}, timeout=timeout, sleep=lambda seconds: None
    )
    return channel, token


def double(sandbox: PlatformSandbox) -> MastodonApi:
    found = sandbox.double("mastodon")
    assert isinstance(found, MastodonApi)
    return found


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG."""

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


def image(folder: Path, name: str = "card.png") -> OutgoingMedia:
    path = folder / name
    path.write_bytes(png_bytes())
    return OutgoingMedia(path, alt="A police officer talking to a resident", file=f"images/{name}")


def thread(
    key: str = "mon-masto",
    *more: str,
    parts: tuple[str, ...] = (),
    media: tuple[OutgoingMedia, ...] = (),
) -> OutgoingPost:
    """A post to send: `parts` (or the parts given after the key), else a 3-part thread with
    a long link and a mention of another instance's account."""
    texts = (
        parts
        or more
        or (
            "Stalking is a crime. If someone's behaviour frightens you, tell us: https://www.derbyshire.police.uk/report/stalking-and-harassment-advice",
            "You can also call @paladin@mastodon.social, the national stalking advocacy service.",
            "In an emergency always call 999.",
        )
    )
    return OutgoingPost(key, tuple(texts), media)


MASTODON_DAYS = """
[accounts.mastodon]
platform = "mastodon"
name = "Derbyshire Constabulary on Mastodon"
handle = "@derbyshirepolice@police.social.example"
base_url = "https://police.social.example"

[accounts.mastodon.credentials]
access_token = "DERBYSHIRE_MASTODON_TOKEN"

[[days]]
date = 2020-04-20
slug = "what-stalking-is"
theme = "What stalking is"
posts = [
  { channel = "mastodon", time = "10:00", template = "what-stalking-is/x.j2", images = [
    { file = "images/see-stalking-clearly.png", alt = "Dark blue card: See stalking clearly." },
  ] },
]

[[days]]
date = 2020-04-21
slug = "know-the-signs"
theme = "Know the signs"
posts = [
  { channel = "mastodon", time = "10:00", template = "know-the-signs/x.j2" },
  { channel = "mastodon", time = "15:00", template = "how-to-report/x.j2", key = "report" },
]
"""


def mastodon_campaign(campaign_dir: Path) -> Path:
    """The shipped campaign with its week replaced by three Mastodon posts (an image, a
    thread); returns its config.toml."""
    config = campaign_dir / "config.toml"
    text = config.read_text(encoding="utf-8")
    start = text.index("[[days]]")
    accounts = text.index("# Accounts:")
    helplines = text.index("# Phone numbers posts may give.")
    # Keep the shipped accounts' tables out: only Mastodon posts are planned.
    text = text[:accounts] + text[helplines:start] + MASTODON_DAYS
    config.write_text(text, encoding="utf-8")
    return config


class MastodonWeek:
    """The three-post Mastodon campaign planned in a fresh store, approved, a running sandbox
    and daemons publishing to it with the real channel (0.5 s timeout)."""

    def __init__(
        self, campaign_dir: Path, tmp_path: Path, clock: ManualClock, settings: SandboxSettings
    ) -> None:
        self.clock = clock
        self.clock.set(datetime(2020, 4, 20, 8, 55, tzinfo=UTC))
        self.store = Store.open(f"sqlite:///{tmp_path / 'week.db'}", clock)
        self.sandbox = PlatformSandbox(settings=settings, clock=clock).start()
        self.config = sandbox_config(load_config(mastodon_campaign(campaign_dir)), self.sandbox)
        store_plan(self.config, self.store, "officer")
        self.store.approve(SLUG, "inspector")
        self.daemons: list[Daemon] = []

    def daemon(self, daemon_id: str | None = None, **publishing: Any) -> Daemon:
        if publishing:
            changed = self.config.publishing.model_copy(update=publishing)
            self.config = self.config.model_copy(update={"publishing": changed})
        environ = self.sandbox.credentials(list(self.config.accounts.values()))
        channels = channels_for(self.config, environ, timeout=0.5)
        daemon = Daemon.for_config(
            self.store, self.config, channels, self.clock, rng=random.Random(3), daemon_id=daemon_id
        )
        self.daemons.append(daemon)
        return daemon

    def run(self, daemon: Daemon, max_steps: int = 2000) -> None:
        """Step from one due moment to the next, as the real loop would."""
        for _ in range(max_steps):
            daemon.run_once()
            upcoming = daemon.next_due()
            if upcoming is None:
                return
            now = self.clock.now()
            step = timedelta(seconds=1) if upcoming > now else timedelta(minutes=1)
            self.clock.set(max(upcoming, now + step))
        raise AssertionError("the week did not finish")

    def copies(self) -> Counter[str]:
        return Counter(double(self.sandbox).published_texts())

    def close(self) -> None:
        for daemon in self.daemons:
            daemon.pool.shutdown(wait=True)
        self.sandbox.stop()
        self.store.engine.dispose()
