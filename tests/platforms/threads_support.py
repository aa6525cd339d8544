"""Shared by the Threads tests: an account and a channel pointed at the sandbox, and a small
Threads campaign (a text post, a thread of three parts, an image post) to rehearse."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from campaign.config import Account
from scheduler.channels.threads import ThreadsChannel
from scheduler.sandbox import PlatformSandbox
from scheduler.sandbox.threads_api import ThreadsApi
from tests.platforms.shipped_settings import settings_without_account

USER_ID = "17841400008460056"
TOKEN_VAR = "FORCE_THREADS_TOKEN"


def threads_account(sandbox: PlatformSandbox, **changes: object) -> Account:
    settings: dict[str, object] = {
        "platform": "threads",
        "name": "Derbyshire Constabulary on Threads",
        "handle": "@derbyshirepolice",
        "user_id": USER_ID,
        "base_url": sandbox.base_url("threads"),
        "media_base_url": sandbox.media_base_url,
        "credentials": {"access_token": TOKEN_VAR},
        **changes,
    }
    return Account.model_validate(settings)


def threads_double(sandbox: PlatformSandbox) -> ThreadsApi:
    double = sandbox.double("threads")
    assert isinstance(double, ThreadsApi)
    return double


def threads_channel(
    sandbox: PlatformSandbox, account: Account | None = None, *, timeout: float = 2.0
) -> tuple[ThreadsChannel, str]:
    """A channel with the sandbox's token for the account, and that token (a secret)."""
    account = account or threads_account(sandbox)
    environ = sandbox.credentials([account])
    token = environ[TOKEN_VAR]
    channel = ThreadsChannel(
        account, {"access_token": token}, timeout=timeout, sleep=lambda s: None
    )
    return channel, token


def jpeg_bytes(width: int = 640, height: int = 480) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 40, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


THREAD = """Know the signs of stalking.

A stalker may follow you, or turn up where they know you will be.
{% include "_partials/footer.j2" %}
---
Online, a stalker may send you message after message.
---
Both are crimes. Worried? {{ helplines.stalking.name }}: {{ helplines.stalking.number }}
{{ campaign.hashtag }}
"""
TEXT = """Stalking is a crime. If someone's attention makes you feel afraid, tell us.
{% include "_partials/footer.j2" %}
"""
IMAGE = """Stalking Awareness Week starts today: see stalking clearly.
{% include "_partials/footer.j2" %}
"""
ALT = "Dark blue card with the words: See stalking clearly. Stalking is a crime."
DAYS = f"""
[accounts.threads]
platform = "threads"
name = "Derbyshire Constabulary on Threads"
handle = "@derbyshirepolice"
user_id = "{USER_ID}"
media_base_url = "https://www.derbyshire.police.uk/campaign-media"

[accounts.threads.credentials]
access_token = "{TOKEN_VAR}"

[[days]]
date = 2020-04-20
slug = "what-stalking-is"
theme = "What stalking is"
posts = [
  {{ channel = "threads", time = "10:00", template = "threads/image.j2", images = [
    {{ file = "images/see-stalking-clearly.png", alt = "{ALT}" }},
  ] }},
  {{ channel = "threads", time = "13:00", template = "threads/text.j2" }},
]

[[days]]
date = 2020-04-21
slug = "know-the-signs"
theme = "Know the signs"
posts = [
  {{ channel = "threads", time = "10:00", template = "threads/thread.j2" }},
]
"""


def threads_campaign(campaign_dir: Path) -> Path:
    """The shipped campaign's settings with only Threads posts (three, over two days)."""
    config = campaign_dir / "config.toml"
    text = config.read_text(encoding="utf-8")
    head = settings_without_account("threads", text)  # this campaign's account replaces it
    config.write_text(head.replace("end = 2020-04-26", "end = 2020-04-21") + DAYS, "utf-8")
    folder = campaign_dir / "posts" / "threads"
    folder.mkdir()
    for name, body in (("thread", THREAD), ("text", TEXT), ("image", IMAGE)):
        (folder / f"{name}.j2").write_text(body, encoding="utf-8")
    return config
