"""The Instagram double over plain HTTP: it fetches the image like Meta, refuses what Instagram
refuses with Instagram's own error codes, and keeps the publishing quota."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests

from campaign.clock import ManualClock
from scheduler.sandbox import PlatformSandbox
from tests.platforms.instagram_support import USER_ID, ig_account, image_bytes


@pytest.fixture
def graph(sandbox: PlatformSandbox):
    """`graph(method, path, **params)` with the account's token, as JSON."""
    token = sandbox.credentials([ig_account(sandbox)])["DERBYSHIRE_IG_TOKEN"]
    base = sandbox.base_url("instagram") + "/v25.0"

    def call(method: str, path: str, token: str = token, **params: str):
        sent = {"data": params} if method == "POST" else {"params": params}
        answer = requests.request(
            method, f"{base}/{path}", headers={"Authorization": f"OAuth {token}"}, **sent, timeout=5
        )
        return answer.status_code, answer.json(), answer.headers

    return call


def container(sandbox: PlatformSandbox, graph, file: str, data: bytes, **fields: str):
    sandbox.media.add(file, data)
    url = f"{sandbox.media_base_url}/{file}"
    return graph("POST", f"{USER_ID}/media", image_url=url, caption="Caption", **fields)


def test_the_image_is_fetched_over_http_and_a_container_made(sandbox, graph) -> None:
    status, body, headers = container(sandbox, graph, "images/a.jpg", image_bytes())
    double = sandbox.double("instagram")
    assert status == 200 and body["id"] in double.containers
    assert double.fetched == [f"{sandbox.media_base_url}/images/a.jpg"]
    assert any(r.path == "/images/a.jpg" for r in sandbox.media.requests)
    assert "X-App-Usage" in headers and "X-Business-Use-Case-Usage" in headers
    status, body, _ = graph("GET", body["id"], fields="status_code")
    assert body["status_code"] == "FINISHED"


def test_an_image_missing_at_its_address_is_refused_as_meta_does(sandbox, graph) -> None:
    url = f"{sandbox.media_base_url}/images/none.jpg"
    status, body, _ = graph("POST", f"{USER_ID}/media", image_url=url, caption="x")
    error = body["error"]
    assert status == 400
    assert (error["code"], error["error_subcode"]) == (9004, 2207052)
    assert error["error_user_title"] == "Media download has failed."


@pytest.mark.parametrize(
    ("data", "code", "subcode"),
    [
        (image_bytes(kind="PNG"), 36001, 2207005),  # JPEG only
        (image_bytes(2000, 1000), 36003, 2207009),  # 2:1, wider than 1.91:1
        (image_bytes(1080, 1920), 36003, 2207009),  # 9:16, taller than 4:5
    ],
)
def test_images_instagram_refuses(sandbox, graph, data: bytes, code: int, subcode: int) -> None:
    status, body, _ = container(sandbox, graph, "images/b.img", data)
    assert status == 400
    assert (body["error"]["code"], body["error"]["error_subcode"]) == (code, subcode)


def test_a_caption_over_30_hashtags_is_refused(sandbox, graph) -> None:
    tags = " ".join(f"#t{n}" for n in range(31))
    sandbox.media.add("images/a.jpg", image_bytes())
    url = f"{sandbox.media_base_url}/images/a.jpg"
    status, body, _ = graph("POST", f"{USER_ID}/media", image_url=url, caption=tags)
    assert status == 400 and body["error"]["code"] == 100


def test_a_container_in_progress_cannot_be_published_yet(
    sandbox, graph, clock: ManualClock
) -> None:
    sandbox.double("instagram").processing_seconds = 30
    _, made, _ = container(sandbox, graph, "images/a.jpg", image_bytes())
    assert graph("GET", made["id"], fields="status_code")[1]["status_code"] == "IN_PROGRESS"
    status, body, _ = graph("POST", f"{USER_ID}/media_publish", creation_id=made["id"])
    assert status == 400 and body["error"]["code"] == 9007
    clock.advance(timedelta(seconds=30))
    status, body, _ = graph("POST", f"{USER_ID}/media_publish", creation_id=made["id"])
    assert status == 200
    assert graph("GET", made["id"], fields="status_code")[1]["status_code"] == "PUBLISHED"


def test_fifty_posts_a_rolling_day_then_code_9_subcode_2207042(
    sandbox, graph, clock: ManualClock
) -> None:
    sandbox.media.add("images/a.jpg", image_bytes())
    url = f"{sandbox.media_base_url}/images/a.jpg"
    for n in range(51):
        made = graph("POST", f"{USER_ID}/media", image_url=url, caption=f"Post {n}")[1]
        status, body, _ = graph("POST", f"{USER_ID}/media_publish", creation_id=made["id"])
        if n < 50:
            assert status == 200
            clock.advance(timedelta(minutes=1))
    assert (body["error"]["code"], body["error"]["error_subcode"]) == (9, 2207042)
    usage = graph("GET", f"{USER_ID}/content_publishing_limit", fields="config,quota_usage")[1]
    assert usage["data"][0]["quota_usage"] == 50
    assert usage["data"][0]["config"] == {"quota_total": 50, "quota_duration": 86400}
    clock.advance(timedelta(hours=24) - timedelta(minutes=50))  # the first post leaves the day
    status, _, _ = graph("POST", f"{USER_ID}/media_publish", creation_id=made["id"])
    assert status == 200


def test_impressions_are_refused_and_views_read(sandbox, graph, clock: ManualClock) -> None:
    _, made, _ = container(sandbox, graph, "images/a.jpg", image_bytes())
    media = graph("POST", f"{USER_ID}/media_publish", creation_id=made["id"])[1]["id"]
    clock.advance(timedelta(hours=6))
    status, body, _ = graph("GET", f"{media}/insights", metric="impressions")
    assert status == 400 and body["error"]["code"] == 100
    status, body, _ = graph("GET", f"{media}/insights", metric="views,likes,saved")
    assert status == 200 and [m["name"] for m in body["data"]] == ["views", "likes", "saved"]
    node = graph("GET", media, fields="like_count,comments_count,permalink")[1]
    assert node["like_count"] == body["data"][1]["values"][0]["value"]
    assert node["permalink"].startswith("https://www.instagram.com/p/")


def test_a_wrong_or_revoked_token_is_refused_with_code_190(sandbox, graph) -> None:
    status, body, _ = graph("GET", USER_ID, token="not-a-token", fields="id")
    assert status == 400 and body["error"]["code"] == 190
    sandbox.revoke_token(ig_account(sandbox))
    status, body, _ = graph("GET", USER_ID, fields="id")
    assert body["error"]["code"] == 190 and body["error"]["error_subcode"] == 460
