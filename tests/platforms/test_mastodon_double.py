"""The Mastodon double enforces the instance's rules, so a wrong client fails the tests:
raw HTTP, as any client would send it."""

from __future__ import annotations

import requests

from tests.platforms.mastodon_support import double, masto_account, png_bytes


def _session(sandbox) -> tuple[requests.Session, str]:
    environ = sandbox.credentials([masto_account(sandbox)])
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {environ['DERBYSHIRE_MASTODON_TOKEN']}"
    return session, sandbox.base_url("mastodon")


def _upload(session, base, description="A card") -> str:
    answer = session.post(
        f"{base}/api/v2/media",
        files={"file": ("card.png", png_bytes(), "image/png")},
        data={"description": description},
    )
    assert answer.status_code == 202 and answer.json()["url"] is None  # still processing
    return str(answer.json()["id"])


def test_media_still_processing_cannot_be_attached(sandbox):
    session, base = _session(sandbox)
    media_id = _upload(session, base)
    refused = session.post(
        f"{base}/api/v1/statuses", data={"status": "Hi", "media_ids[]": media_id}
    )
    assert refused.status_code == 422 and "finished processing" in refused.json()["error"]
    assert session.get(f"{base}/api/v1/media/{media_id}").status_code == 206
    assert session.get(f"{base}/api/v1/media/{media_id}").json()["url"]
    ok = session.post(f"{base}/api/v1/statuses", data={"status": "Hi", "media_ids[]": media_id})
    assert ok.status_code == 200 and ok.json()["media_attachments"][0]["id"] == media_id


def test_more_than_four_images_and_long_descriptions_are_refused(sandbox):
    session, base = _session(sandbox)
    too_long = session.post(
        f"{base}/api/v2/media",
        files={"file": ("card.png", png_bytes(), "image/png")},
        data={"description": "x" * 1_501},
    )
    assert too_long.status_code == 422
    assert too_long.json() == {
        "error": "Validation failed: Description is too long (maximum is 1,500 characters)"
    }
    double(sandbox).processing_polls = 0
    ids = [_upload_ready(session, base) for _ in range(5)]
    refused = session.post(f"{base}/api/v1/statuses", data={"status": "Hi", "media_ids[]": ids})
    assert refused.status_code == 422 and "limited to 4" in refused.json()["error"]


def _upload_ready(session, base) -> str:
    answer = session.post(
        f"{base}/api/v2/media", files={"file": ("card.png", png_bytes(), "image/png")}
    )
    assert answer.status_code == 200
    return str(answer.json()["id"])


def test_every_answer_carries_the_rate_limit_headers_and_a_bad_token_is_401(sandbox):
    session, base = _session(sandbox)
    answer = session.get(f"{base}/api/v1/accounts/verify_credentials")
    assert answer.headers["X-RateLimit-Limit"] == "300"
    assert answer.headers["X-RateLimit-Remaining"] == "299"
    assert answer.headers["X-RateLimit-Reset"].endswith("Z")
    refused = requests.get(
        f"{base}/api/v1/accounts/verify_credentials", headers={"Authorization": "Bearer nope"}
    )
    assert refused.status_code == 401
    assert refused.json() == {"error": "The access token is invalid"}


def test_the_status_content_is_html_with_mentions_shown_without_their_domain(sandbox):
    session, base = _session(sandbox)
    text = "Call @paladin@mastodon.social & see https://example.org/" + "a" * 40 + "\n\nThanks"
    status = session.post(f"{base}/api/v1/statuses", data={"status": text}).json()
    assert status["content"].startswith('<p>Call <span class="h-card" translate="no">')
    assert ">@<span>paladin</span></a>" in status["content"] and "&amp;" in status["content"]
    assert status["content"].endswith("</p><p>Thanks</p>")
    source = session.get(f"{base}/api/v1/statuses/{status['id']}/source").json()
    assert source == {"id": status["id"], "text": text, "spoiler_text": ""}
