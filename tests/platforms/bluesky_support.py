"""Helpers for the Bluesky tests: an account on the sandbox's PDS and a channel to it."""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image

from campaign.config import Account
from scheduler.channels.bluesky import BlueskyChannel
from scheduler.sandbox import PlatformSandbox
from scheduler.sandbox.bluesky_api import BlueskyApi
from tests.platforms.shipped_settings import settings_without_account


def bsky_account(sandbox: PlatformSandbox | None = None, name: str = "Bluesky") -> Account:
    return Account(
        platform="bluesky",
        name=name,
        handle="@force.bsky.social",
        base_url=sandbox.base_url("bluesky") if sandbox else None,
        credentials={"app_password": "BSKY_APP_PASSWORD"},
    )


def double(sandbox: PlatformSandbox) -> BlueskyApi:
    found = sandbox.double("bluesky")
    assert isinstance(found, BlueskyApi)
    return found


def channel(sandbox: PlatformSandbox, timeout: float = 5.0) -> tuple[BlueskyChannel, Account]:
    account = bsky_account(sandbox)
    secrets = sandbox.credentials([account])
    credentials = {"app_password": secrets["BSKY_APP_PASSWORD"]}
    return BlueskyChannel(account, credentials, timeout=timeout, clock=sandbox.clock), account


def picture(path: Path, size: tuple[int, int] = (1200, 675), noise: bool = False) -> Path:
    """A JPEG of `size`; with `noise`, one too big for Bluesky (over 1,000,000 bytes)."""
    image = (
        Image.effect_noise(size, 120).convert("RGB") if noise else Image.new("RGB", size, "navy")
    )
    image.save(path, "JPEG", quality=95)
    return path


BLUESKY_ACCOUNT = """
[accounts.bluesky]
platform = "bluesky"
name = "Derbyshire Constabulary on Bluesky"
handle = "@derbyshire.police.uk"

[accounts.bluesky.credentials]
app_password = "DERBYSHIRE_BSKY_APP_PASSWORD"
"""


def small_campaign(root: Path, templates: dict[str, str], days: str) -> Path:
    """A campaign folder with the shipped settings, a Bluesky account, the shipped partials and
    images, and only `templates` (name -> text under posts/) and the `days` given (TOML)."""
    shipped = Path(__file__).resolve().parents[2]
    head = settings_without_account("bluesky")  # this campaign brings its own
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(head + BLUESKY_ACCOUNT + days, encoding="utf-8")
    posts = root / "posts"
    shutil.copytree(shipped / "posts" / "_partials", posts / "_partials")
    shutil.copytree(shipped / "posts" / "images", posts / "images")
    for name, text in templates.items():
        (posts / name).parent.mkdir(parents=True, exist_ok=True)
        (posts / name).write_text(text, encoding="utf-8")
    return root / "config.toml"
