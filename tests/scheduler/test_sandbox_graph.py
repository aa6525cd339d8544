"""The Graph double's HTTP contract, checked with plain requests: shapes, errors, batch."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from campaign.clock import ManualClock
from campaign.config import Account
from scheduler.sandbox import CURRENT_METRICS, PlatformSandbox

PAGE = "104857361209584"  # the shipped config.toml's page_id


@pytest.fixture
def auth(facebook_account: Account, environ: dict[str, str]) -> dict[str, str]:
    token = environ[facebook_account.credentials["page_access_token"]]
    secret = environ[facebook_account.credentials["app_secret"]]
    proof = hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
    return {"access_token": token, "appsecret_proof": proof}


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def error_of(answer: requests.Response) -> dict[str, Any]:
    assert answer.headers["Content-Type"].startswith("application/json")
    return answer.json()["error"]


def test_feed_post_answers_page_post_id_and_usage_headers(
    http: requests.Session, sandbox: PlatformSandbox, auth: dict[str, str]
) -> None:
    answer = http.post(
        f"{sandbox.graph_base_url}/v25.0/{PAGE}/feed", data={"message": "Hi", **auth}
    )
    assert answer.status_code == 200
    assert answer.json()["id"].startswith(f"{PAGE}_")
    assert answer.headers["facebook-api-version"] == "v25.0"
    assert json.loads(answer.headers["X-App-Usage"])["call_count"] >= 0
    usage = json.loads(answer.headers["X-Business-Use-Case-Usage"])
    assert usage[PAGE][0]["type"] == "pages"


def test_any_version_prefix_is_accepted(
    http: requests.Session, sandbox: PlatformSandbox, auth: dict[str, str]
) -> None:
    answer = http.get(f"{sandbox.graph_base_url}/v19.0/{PAGE}", params=auth)
    assert answer.json() == {"id": PAGE, "name": "Derbyshire Constabulary"}
    assert answer.headers["facebook-api-version"] == "v19.0"


def test_error_envelope_and_codes(
    http: requests.Session, sandbox: PlatformSandbox, auth: dict[str, str]
) -> None:
    base = f"{sandbox.graph_base_url}/v25.0"
    bad_token = error_of(http.get(f"{base}/{PAGE}", params={"access_token": "nope"}))
    assert bad_token["code"] == 190 and bad_token["type"] == "OAuthException"
    assert set(bad_token) >= {"message", "type", "code", "fbtrace_id"}
    missing = error_of(http.get(f"{base}/{PAGE}_404", params=auth))
    assert (missing["code"], missing["error_subcode"]) == (100, 33)
    http.post(f"{base}/{PAGE}/feed", data={"message": "Same", **auth})
    duplicate = error_of(http.post(f"{base}/{PAGE}/feed", data={"message": "Same", **auth}))
    assert duplicate["code"] == 506
    wrong_proof = error_of(http.get(f"{base}/{PAGE}", params={**auth, "appsecret_proof": "0"}))
    assert wrong_proof["code"] == 100 and "appsecret_proof" in wrong_proof["message"]
    sandbox.update(expired_token=True)
    expired = error_of(http.get(f"{base}/{PAGE}", params=auth))
    assert (expired["code"], expired["error_subcode"]) == (190, 463)


@pytest.mark.parametrize("metric", ["post_impressions", "post_engaged_users", "no_such_metric"])
def test_retired_or_unknown_metrics_answer_code_100(
    http: requests.Session, sandbox: PlatformSandbox, auth: dict[str, str], metric: str
) -> None:
    post = sandbox.facebook.add_post(PAGE, "measured")
    url = f"{sandbox.graph_base_url}/v25.0/{post.id}/insights"
    good = http.get(url, params={**auth, "metric": ",".join(CURRENT_METRICS)}).json()
    assert [item["name"] for item in good["data"]] == list(CURRENT_METRICS)
    assert good["data"][0]["period"] == "lifetime" and "value" in good["data"][0]["values"][0]
    bad = http.get(url, params={**auth, "metric": f"post_clicks,{metric}"})
    assert bad.status_code == 400 and error_of(bad)["code"] == 100


def test_post_fields_with_summaries(
    http: requests.Session, sandbox: PlatformSandbox, auth: dict[str, str]
) -> None:
    post = sandbox.facebook.add_post(PAGE, "counted")
    fields = "shares,reactions.summary(total_count),comments.summary(total_count)"
    node = http.get(f"{sandbox.graph_base_url}/v25.0/{post.id}", params={**auth, "fields": fields})
    body = node.json()
    assert body["id"] == post.id
    assert body["reactions"]["summary"]["total_count"] == 0  # nothing yet at age 0
    assert "shares" not in body  # Graph leaves shares out when there are none
    bad = http.get(f"{sandbox.graph_base_url}/v25.0/{post.id}", params={**auth, "fields": "nope"})
    assert error_of(bad)["code"] == 100


def test_batch_runs_up_to_50_operations(
    http: requests.Session, sandbox: PlatformSandbox, auth: dict[str, str]
) -> None:
    post = sandbox.facebook.add_post(PAGE, "in a batch")
    ops = [
        {"method": "GET", "relative_url": f"{post.id}?fields=id,message"},
        {"method": "GET", "relative_url": f"v25.0/{PAGE}_1"},
        {"method": "POST", "relative_url": f"{PAGE}/feed", "body": "message=From+a+batch"},
    ]
    answer = http.post(f"{sandbox.graph_base_url}/v25.0/", data={"batch": json.dumps(ops), **auth})
    first, second, third = answer.json()
    assert first["code"] == 200 and json.loads(first["body"]) == {
        "id": post.id,
        "message": "in a batch",
    }
    assert second["code"] == 400 and json.loads(second["body"])["error"]["error_subcode"] == 33
    assert third["code"] == 200 and sandbox.facebook.posts[-1].message == "From a batch"
    too_many = [{"method": "GET", "relative_url": PAGE}] * 51
    over = http.post(
        f"{sandbox.graph_base_url}/v25.0/", data={"batch": json.dumps(too_many), **auth}
    )
    assert over.status_code == 400 and "Maximum batch size is 50" in error_of(over)["message"]


def test_feed_pages_with_cursors(
    http: requests.Session, sandbox: PlatformSandbox, auth: dict[str, str], clock: ManualClock
) -> None:
    for n in range(7):
        clock.advance(timedelta(minutes=1))
        sandbox.facebook.add_post(PAGE, f"post {n}")
    url = f"{sandbox.graph_base_url}/v25.0/{PAGE}/feed"
    messages, params = [], {**auth, "limit": 3, "fields": "id,message,created_time"}
    while True:
        page = http.get(url, params=params).json()
        messages += [item["message"] for item in page["data"]]
        if "next" not in page["paging"]:
            break
        params["after"] = page["paging"]["cursors"]["after"]
    assert messages == [f"post {n}" for n in reversed(range(7))]
    assert page["data"][0]["created_time"].endswith("+0000")


def test_photo_upload_multipart_with_alt_text(
    http: requests.Session, sandbox: PlatformSandbox, auth: dict[str, str], image: Path
) -> None:
    answer = http.post(
        f"{sandbox.graph_base_url}/v25.0/{PAGE}/photos",
        data={"message": "Card", "alt_text_custom": "A card.", **auth},
        files={"source": ("card.png", image.read_bytes(), "image/png")},
    ).json()
    assert set(answer) == {"id", "post_id"}
    assert sandbox.facebook.post(answer["post_id"]).photo_alt == ("A card.",)
    no_file = http.post(f"{sandbox.graph_base_url}/v25.0/{PAGE}/photos", data=auth)
    assert error_of(no_file)["code"] == 324


def test_html_502_and_json_500(
    http: requests.Session, sandbox: PlatformSandbox, auth: dict[str, str]
) -> None:
    sandbox.update(rate_5xx=1.0, graph_html_502_share=1.0)
    html = http.get(f"{sandbox.graph_base_url}/v25.0/{PAGE}", params=auth)
    assert html.status_code == 502 and html.headers["Content-Type"].startswith("text/html")
    sandbox.update(graph_html_502_share=0.0)
    failure = http.get(f"{sandbox.graph_base_url}/v25.0/{PAGE}", params=auth)
    assert failure.status_code == 500 and error_of(failure)["code"] == 2


def test_debug_token_answers_graphs_shape_and_says_when_a_token_ends(
    http: requests.Session, sandbox: PlatformSandbox, auth: dict[str, str], clock
) -> None:
    base = f"{sandbox.graph_base_url}/v25.0/debug_token"
    token = auth["access_token"]
    never = http.get(base, params={**auth, "input_token": token}).json()["data"]
    assert never["is_valid"] is True and never["type"] == "PAGE"
    assert (never["expires_at"], never["data_access_expires_at"]) == (0, 0)
    assert never["profile_id"] == PAGE and "pages_manage_posts" in never["scopes"]

    page = sandbox.facebook.pages[PAGE]
    page.expires_at = clock.now() + timedelta(days=2)
    later = http.get(base, params={**auth, "input_token": token}).json()["data"]
    assert later["expires_at"] == int(page.expires_at.timestamp())

    unknown = http.get(base, params={**auth, "input_token": "not-a-token"}).json()["data"]
    assert unknown["is_valid"] is False and unknown["error"]["code"] == 190
    missing = error_of(http.get(base, params=auth))
    assert missing["code"] == 100 and "input_token" in missing["message"]
