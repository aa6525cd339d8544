"""Shared set-up for the Instagram tests: an account on the sandbox, JPEG and PNG bytes."""

from __future__ import annotations

import io

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


def ig_post(
    key: str, caption: str, *files: str, alt: str = "A helpline card", tmp: str = "/dev/null"
) -> OutgoingPost:
    media = tuple(OutgoingMedia(path=__import__("pathlib").Path(tmp), alt=alt, file=f) for f in files)
    return OutgoingPost(key, (caption,), media)
