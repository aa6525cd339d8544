"""Helpers for the Mastodon tests: an account on the sandbox's instance, its channel, images."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

from campaign.config import Account
from scheduler.channels.base import OutgoingMedia, OutgoingPost
from scheduler.channels.mastodon import MastodonChannel
from scheduler.sandbox import PlatformSandbox
from scheduler.sandbox.mastodon_api import MastodonApi

HANDLE = "@derbyshirepolice@police.social.example"


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
    key: str = "mon-masto", *parts: str, media: tuple[OutgoingMedia, ...] = ()
) -> OutgoingPost:
    texts = parts or (
        "Stalking is a crime. If someone's behaviour frightens you, tell us: https://www.derbyshire.police.uk/report/stalking-and-harassment-advice",
        "You can also call @paladin@mastodon.social, the national stalking advocacy service.",
        "In an emergency always call 999.",
    )
    return OutgoingPost(key, tuple(texts), media)
