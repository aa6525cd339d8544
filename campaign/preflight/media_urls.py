"""Images Instagram and Threads fetch themselves: are they at their public address, as approved?

Those platforms take no image bytes from us: Meta's servers download each image from
`public_media_url(media_base_url, file)` when the post is made. A file missing there, or a
different picture under its name, only shows at the post's time (the platform refuses it, or
publishes the wrong picture). So before the day, fetch each due image from its public address
(a plain HTTP GET with a timeout; no secrets are involved) and compare its SHA-256 with the
approved image's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from http import HTTPStatus
from urllib.parse import urlsplit

import requests

from campaign.platforms import facts, public_media_url
from campaign.preflight.findings import Problem
from campaign.preflight.places import post_place, post_words
from campaign.states import PostState
from campaign.store.models import CampaignRow, PostRow

CHECK = "media-urls"
DUE = (PostState.DRAFT, PostState.APPROVED, PostState.SCHEDULED)
TIMEOUT_SECONDS = 10.0


class NotFetched(Exception):
    """The address gave no image; the message says why in plain words."""


MediaFetch = Callable[[str], bytes]


def http_fetch(url: str, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """GET `url` (http or https only) as the platform would; NotFetched with the reason."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise NotFetched("is not a web address (http or https)")
    try:
        with requests.Session() as session:
            answer = session.get(url, timeout=timeout, allow_redirects=True)
    except requests.Timeout:
        raise NotFetched(f"did not answer within {timeout:g} seconds") from None
    except requests.RequestException:
        raise NotFetched("could not be reached") from None
    if answer.status_code == 404:
        raise NotFetched("has no file there (404 Not Found)")
    if answer.status_code != 200:
        try:
            phrase = HTTPStatus(answer.status_code).phrase
        except ValueError:
            phrase = "an error"
        raise NotFetched(f"answered {answer.status_code} {phrase}")
    return answer.content


def media_url_problems(
    campaign: CampaignRow,
    posts: Sequence[PostRow],
    now: datetime,
    until: datetime,
    fetch: MediaFetch = http_fetch,
) -> Iterator[Problem]:
    """A problem for each image of a post due in the period, on a platform that fetches its
    images, that its public address does not serve as approved."""
    fetched: dict[str, bytes | NotFetched] = {}
    due = [
        p
        for p in posts
        if p.state in DUE
        and now <= p.scheduled_at < until
        and p.media
        and facts(p.account.platform).fetches_media
    ]
    for post in sorted(due, key=lambda p: (p.scheduled_at, p.key)):
        base = str((post.account.definition or {}).get("media_base_url") or "")
        if not base:
            yield _no_address(campaign, post)
            continue
        for image in post.media:
            file = str(image["file"])
            url = public_media_url(base, file)
            if url not in fetched:
                try:
                    fetched[url] = fetch(url)
                except NotFetched as exc:
                    fetched[url] = exc
            got = fetched[url]
            if isinstance(got, NotFetched):
                yield _missing(campaign, post, file, url, str(got))
                continue
            wanted = image.get("sha256")
            if wanted and hashlib.sha256(got).hexdigest() != wanted:
                yield _different(campaign, post, file, url)


def _problem(campaign: CampaignRow, post: PostRow, what: str, fix: str) -> Problem:
    return Problem(
        "problem",
        CHECK,
        post_place(campaign, post),
        what,
        fix,
        campaign=campaign.slug,
        post=post.key,
        account=post.channel,
    )


def _platform(post: PostRow) -> str:
    return facts(post.account.platform).display


def _missing(campaign: CampaignRow, post: PostRow, file: str, url: str, why: str) -> Problem:
    what = (
        f"{_platform(post)} fetches the image {file} of {post_words(campaign, post)} from "
        f"{url}, which {why}: the post would be refused."
    )
    fix = f"Put {file} (the approved image, from the posts folder) at {url}, then check again."
    return _problem(campaign, post, what, fix)


def _different(campaign: CampaignRow, post: PostRow, file: str, url: str) -> Problem:
    what = (
        f"The image at {url} is not the approved {file} of {post_words(campaign, post)}: "
        f"{_platform(post)} would publish a different picture."
    )
    fix = (
        f"Put the approved {file} from the posts folder at {url}; if the new picture is "
        "meant, run `campaign plan` and approve the post again."
    )
    return _problem(campaign, post, what, fix)


def _no_address(campaign: CampaignRow, post: PostRow) -> Problem:
    what = (
        f"{_platform(post)} fetches images from a public web address, and the account of "
        f"{post_words(campaign, post)} has none set: the post cannot be sent with its image."
    )
    fix = (
        f"Set media_base_url in [accounts.{post.channel}] of config.toml to the https address "
        "the campaign's images are put at, and run `campaign plan`."
    )
    return _problem(campaign, post, what, fix)
