"""Fixtures for the sandbox and channel tests: a started sandbox on the shared manual clock,
the shipped config's accounts pointed at it, the fake secrets it accepts, and channels."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from campaign.clock import ManualClock
from campaign.config import Account, CampaignConfig
from scheduler.channels import FacebookChannel, XChannel
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
