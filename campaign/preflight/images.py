"""Images of approved posts: what the daemon will send must be what was approved.

An approval binds the post's content, its images' SHA-256 included. The daemon sends the
bytes stored in the database under that hash (the posts folder only when the database has
none), so a file edited on disk after approval is NOT what goes out: worth saying before the
day, as is an approved image that neither the database nor the folder holds any more.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from campaign.preflight.findings import Problem
from campaign.preflight.places import post_place, post_words
from campaign.states import PostState
from campaign.store.models import CampaignRow, PostRow

APPROVED = (PostState.APPROVED, PostState.SCHEDULED)


def image_changes(
    campaign: CampaignRow,
    posts: Sequence[PostRow],
    now: datetime,
    until: datetime,
    stored: Callable[[str], bytes | None],
) -> Iterator[Problem]:
    """A problem for each image of an approved post due in the period whose file changed on
    disk since approval, or which is nowhere as approved."""
    folder = Path(campaign.media_dir) if campaign.media_dir else None
    due = [
        p
        for p in posts
        if p.state in APPROVED and p.approval_current and now <= p.scheduled_at < until
    ]
    for post in sorted(due, key=lambda p: (p.scheduled_at, p.key)):
        for image in post.media:
            approved = image.get("sha256")
            if not approved:
                continue  # planned by an older version: no hash to compare
            file = str(image["file"])
            in_database = _matches(stored(approved), approved)
            on_disk = _digest(folder / file) if folder is not None else None
            if on_disk is not None and on_disk != approved:
                yield _changed(campaign, post, file, in_database)
            elif not in_database and on_disk is None:
                yield _missing(campaign, post, file)


def _changed(campaign: CampaignRow, post: PostRow, file: str, in_database: bool) -> Problem:
    if in_database:
        what = (
            f"The image {file} of {post_words(campaign, post)} was changed on disk after the "
            "post was approved. The publishing service sends the image as approved (the copy "
            "stored in the database), not the file as it is now."
        )
        fix = (
            "If the new image is meant, run `campaign plan` to store it and approve the post "
            "again; if not, put the approved image back."
        )
    else:
        what = (
            f"The image {file} of {post_words(campaign, post)} was changed on disk after the "
            "post was approved, and the database holds no copy of the approved one: the post "
            "cannot be sent as approved and will be sent back for approval."
        )
        fix = "Put the approved image back, or run `campaign plan` and approve the post again."
    return _problem(campaign, post, what, fix)


def _missing(campaign: CampaignRow, post: PostRow, file: str) -> Problem:
    what = (
        f"The approved image {file} of {post_words(campaign, post)} is neither stored in the "
        "database nor in the posts folder: the post cannot be sent with it."
    )
    fix = "Put the image back in the posts folder, or run `campaign plan` and approve again."
    return _problem(campaign, post, what, fix)


def _problem(campaign: CampaignRow, post: PostRow, what: str, fix: str) -> Problem:
    return Problem(
        severity="problem",
        check="images",
        where=post_place(campaign, post),
        what=what,
        fix=fix,
        campaign=campaign.slug,
        post=post.key,
        account=post.channel,
    )


def _matches(data: bytes | None, sha256: str) -> bool:
    return data is not None and hashlib.sha256(data).hexdigest() == sha256


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
