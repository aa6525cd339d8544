"""The PDS double refuses what the real PDS refuses, in XRPC's shapes, so a wrong client fails."""

from __future__ import annotations

import httpx
import pytest

from tests.platforms.bluesky_support import bsky_account, double


@pytest.fixture
def pds(sandbox):
    account = bsky_account(sandbox)
    password = sandbox.credentials([account])["BSKY_APP_PASSWORD"]
    with httpx.Client(base_url=sandbox.base_url("bluesky") + "/xrpc/") as client:
        yield client, account, password


def _login(client, password):
    answer = client.post(
        "com.atproto.server.createSession",
        json={"identifier": "force.bsky.social", "password": password},
    )
    assert answer.status_code == 200
    body = answer.json()
    return body["did"], {"Authorization": f"Bearer {body['accessJwt']}"}


def _post(did, **record):
    return {
        "repo": did,
        "collection": "app.bsky.feed.post",
        "record": {"$type": "app.bsky.feed.post", "createdAt": "2020-04-13T09:00:00Z", **record},
    }


def test_records_breaking_the_lexicon_are_refused_as_invalid_requests(pds, tmp_path):
    client, _, password = pds
    did, auth = _login(client, password)
    blob = client.post(
        "com.atproto.repo.uploadBlob",
        content=b"\xff\xd8\xff" + b"0" * 100,
        headers={**auth, "Content-Type": "image/jpeg"},
    ).json()["blob"]
    five = {"$type": "app.bsky.embed.images", "images": [{"alt": "a", "image": blob}] * 5}
    text = "Go to this site \u2728"  # the sparkle takes 3 bytes: 19 in all
    wrong = [
        {
            "index": {"byteStart": 6, "byteEnd": 20},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com"}],
        }
    ]
    right = [{**wrong[0], "index": {"byteStart": 6, "byteEnd": 15}}]
    cases = [
        (_post(did, text="x", embed=five), "must not have more than 4 elements"),
        (_post(did, text=text, facets=wrong), "index is outside the text"),
        (
            _post(did, text=text, facets=[{**wrong[0], "index": {"byteStart": 6, "byteEnd": 17}}]),
            "cuts a character in two",
        ),
        (_post(did, text="a" * 301), "must not be longer than 300 graphemes"),
        (
            _post(did, text="reply", reply={"root": {"uri": "at://x", "cid": "y"}, "parent": {}}),
            "not a strong ref",
        ),
    ]
    for body, message in cases:
        answer = client.post("com.atproto.repo.createRecord", json=body, headers=auth)
        assert answer.status_code == 400, (message, answer.json())
        assert answer.json()["error"] == "InvalidRequest" and message in answer.json()["message"]
    # The documented "Go to this site" facet (bytes 6-15) is accepted, with the points headers.
    answer = client.post(
        "com.atproto.repo.createRecord", json=_post(did, text=text, facets=right), headers=auth
    )
    assert answer.status_code == 200
    assert answer.headers["ratelimit-limit"] == "5000"
    assert answer.headers["ratelimit-remaining"] == "4997"  # a create costs 3 points
    assert answer.headers["ratelimit-policy"] == "5000;w=3600"


def test_sessions_are_limited_and_tokens_checked(pds, sandbox):
    client, account, password = pds
    answer = client.get("com.atproto.server.getSession")
    assert answer.status_code == 401 and answer.json()["error"] == "AuthenticationRequired"
    answer = client.get("com.atproto.server.getSession", headers={"Authorization": "Bearer no"})
    assert answer.status_code == 400 and answer.json()["error"] == "InvalidToken"
    for _ in range(30):
        _login(client, password)
    answer = client.post(
        "com.atproto.server.createSession",
        json={"identifier": "force.bsky.social", "password": password},
    )
    assert answer.status_code == 429 and answer.json()["error"] == "RateLimitExceeded"
    assert answer.headers["ratelimit-policy"] == "30;w=300"
    assert double(sandbox).session_creates == 30
