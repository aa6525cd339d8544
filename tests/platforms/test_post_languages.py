"""Bluesky and Mastodon are told which language a post is in, over real HTTP to their doubles:
readers' language filters and screen readers depend on it. Bluesky takes the record's `langs`
(BCP 47, at most 3); Mastodon a `language` (ISO 639: "cy", not "cy-GB")."""

from __future__ import annotations

import httpx
import requests

from scheduler.channels.base import OutgoingPost
from tests.platforms.bluesky_support import bsky_account, channel
from tests.platforms.bluesky_support import double as pds_of
from tests.platforms.mastodon_support import double as instance_of
from tests.platforms.mastodon_support import masto_account, masto_channel

WELSH = OutgoingPost("day1-cy", ("Mewn argyfwng, ffoniwch 999.",), languages=("cy",))
BILINGUAL = OutgoingPost(
    "day1",
    ("Mewn argyfwng, ffoniwch 999.\n\nIn an emergency, call 999.", "Diolch.\n\nThank you."),
    languages=("cy", "en-GB"),
)


def test_bluesky_records_carry_the_posts_languages_on_every_part(sandbox):
    bsky, account = channel(sandbox)
    with bsky:
        bsky.publish(WELSH)
        bsky.publish(BILINGUAL)
        bsky.publish(OutgoingPost("plain", ("A post in the campaign's one language.",)))
    langs = [record.langs for record in pds_of(sandbox).posts_of(account)]
    assert langs == [["cy"], ["cy", "en-GB"], ["cy", "en-GB"], []]


def test_the_pds_double_refuses_langs_the_lexicon_does_not_allow(sandbox):
    account = bsky_account(sandbox)
    password = sandbox.credentials([account])["BSKY_APP_PASSWORD"]
    with httpx.Client(base_url=sandbox.base_url("bluesky") + "/xrpc/") as client:
        session = client.post(
            "com.atproto.server.createSession",
            json={"identifier": "force.bsky.social", "password": password},
        ).json()
        auth = {"Authorization": f"Bearer {session['accessJwt']}"}

        def create(langs: object) -> httpx.Response:
            record = {
                "$type": "app.bsky.feed.post",
                "text": "Helo",
                "createdAt": "2026-10-12T09:00:00Z",
                "langs": langs,
            }
            body = {"repo": session["did"], "collection": "app.bsky.feed.post", "record": record}
            return client.post("com.atproto.repo.createRecord", json=body, headers=auth)

        too_many = create(["cy", "en", "fr", "de"])
        malformed = create(["cy", "not a tag!"])
        fine = create(["cy", "en-GB"])
    assert too_many.status_code == malformed.status_code == 400
    assert "Record/langs must not have more than 3 elements" in too_many.json()["message"]
    assert "Record/langs/1" in malformed.json()["message"]
    assert fine.status_code == 200


def test_mastodon_statuses_carry_the_first_texts_language_as_an_iso_639_code(sandbox):
    masto, _ = masto_channel(sandbox)
    masto.publish(WELSH)
    masto.publish(BILINGUAL)
    masto.publish(OutgoingPost("plain", ("A post in the campaign's one language.",)))
    statuses = instance_of(sandbox).statuses
    assert [status.language for status in statuses] == ["cy", "cy", "cy", None]


def test_the_instance_double_files_a_status_under_a_language_it_knows_or_none(sandbox):
    environ = sandbox.credentials([masto_account(sandbox)])
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {environ['DERBYSHIRE_MASTODON_TOKEN']}"
    base = sandbox.base_url("mastodon")
    filed = []
    for n, language in enumerate(("cy", "en-GB", "xx-!!")):
        answer = session.post(
            f"{base}/api/v1/statuses", data={"status": f"Helo {n}", "language": language}
        )
        assert answer.status_code == 200
        filed.append(answer.json()["language"])
    # As Mastodon: a code it does not know is dropped for the account's default, no error.
    assert filed == ["cy", None, None]
