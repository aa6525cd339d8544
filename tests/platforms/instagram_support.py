"""Shared set-up for the Instagram tests: an account on the sandbox, JPEG and PNG bytes."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from campaign.config import Account
from scheduler.channels.base import OutgoingMedia, OutgoingPost
from scheduler.channels.instagram import InstagramChannel
from scheduler.sandbox import PlatformSandbox

USER_ID = "17841400000000001"


def image_bytes(width: int = 1080, height: int = 1080, kind: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (12, 80, 140)).save(buffer, kind)
    return buffer.getvalue()


def ig_account(sandbox: PlatformSandbox, **changes: object) -> Account:
    """An Instagram account pointed at the sandbox's double and its public image address."""
    fields: dict[str, object] = {
        "platform": "instagram",
        "name": "Derbyshire Constabulary",
        "handle": "@derbyshirepolice",
        "user_id": USER_ID,
        "base_url": sandbox.base_url("instagram"),
        "media_base_url": sandbox.media_base_url,
        "credentials": {"access_token": "DERBYSHIRE_IG_TOKEN"},
    }
    fields.update(changes)
    return Account.model_validate(fields)


def ig_channel(sandbox: PlatformSandbox, account: Account, **options: object) -> InstagramChannel:
    environ = sandbox.credentials([account])
    return InstagramChannel(
        account,
        {"access_token": environ["DERBYSHIRE_IG_TOKEN"]},
        sleep=lambda seconds: None,
        **options,  # type: ignore[arg-type]
    )


def ig_post(key: str, caption: str, *files: str, alt: str = "A helpline card") -> OutgoingPost:
    """A post of images Instagram fetches by name (the local path is never read)."""
    media = tuple(OutgoingMedia(path=Path("/nonexistent"), alt=alt, file=f) for f in files)
    return OutgoingPost(key, (caption,), media)


CAPTION = (
    "Stalking is a crime. If it is happening to you, you are not to blame and you are not "
    "alone: call the National Stalking Helpline on 0808 802 0300. #SeeStalkingClearly"
)


def small_campaign(
    folder: Path,
    posts: list[tuple[str, str, str, list[str]]],
    images: dict[str, bytes],
    *,
    media_base_url: str = "https://media.example.police.uk/campaign",
    base_url: str = "https://graph.facebook.com",
) -> Path:
    """A campaign of Instagram posts only: (day, time, caption, image files) each, with the
    image bytes under posts/; returns config.toml's path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "posts").mkdir(exist_ok=True)
    for name, data in images.items():
        (folder / "posts" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "posts" / name).write_bytes(data)
    days: dict[str, list[str]] = {}
    for index, (day, time, caption, files) in enumerate(posts):
        template = f"post{index}.j2"
        (folder / "posts" / template).write_text(caption + "\n", encoding="utf-8")
        attached = ", ".join(
            f'{{ file = "{f}", alt = "A dark blue card: stalking is a crime." }}' for f in files
        )
        days.setdefault(day, []).append(
            f'  {{ channel = "instagram", time = "{time}", template = "{template}", '
            f"images = [{attached}] }},"
        )
    tables = "\n".join(
        f'[[days]]\ndate = {day}\nslug = "day-{n}"\ntheme = "Day {n}"\nposts = [\n'
        + "\n".join(lines)
        + "\n]\n"
        for n, (day, lines) in enumerate(sorted(days.items()), 1)
    )
    config = f"""
[campaign]
name = "Instagram week"
slug = "instagram-week"
organisation = "Derbyshire Constabulary"
area = "Derbyshire"
hashtag = "#SeeStalkingClearly"
start = 2020-04-20
end = 2020-04-26
timezone = "Europe/London"
website = "https://www.derbyshire.police.uk"
posts_dir = "posts"

[database]
url = "sqlite:///campaign.db"

[helplines.stalking]
name = "National Stalking Helpline"
number = "0808 802 0300"
purpose = "advice and support for victims of stalking"

[accounts.instagram]
platform = "instagram"
name = "Derbyshire Constabulary"
handle = "@derbyshirepolice"
user_id = "{USER_ID}"
base_url = "{base_url}"
media_base_url = "{media_base_url}"

[accounts.instagram.credentials]
access_token = "DERBYSHIRE_IG_TOKEN"

{tables}"""
    path = folder / "config.toml"
    path.write_text(config, encoding="utf-8")
    return path
