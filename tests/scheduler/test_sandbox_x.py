"""The X double's HTTP contract, checked with plain requests: shapes, errors, limits."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from requests_oauthlib import OAuth1

from campaign.clock import ManualClock
from campaign.config import Account
from scheduler.sandbox import PlatformSandbox


@pytest.fixture
def http(x_account: Account, environ: dict[str, str]) -> Iterator[requests.Session]:
    """A session signed like tweepy signs (OAuth 1.0a user context)."""
    creds = {name: environ[var] for name, var in x_account.credentials.items()}
    with requests.Session() as session:
        session.auth = OAuth1(
            creds["consumer_key"],
            creds["consumer_secret"],
            creds["access_token"],
            creds["access_token_secret"],
        )
        yield session


def test_create_answers_201_with_data_and_rate_headers(
    http: requests.Session, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    answer = http.post(f"{sandbox.x_base_url}/2/tweets", json={"text": "Hello & welcome"})
    assert answer.status_code == 201
    data = answer.json()["data"]
    assert set(data) == {"id", "text", "edit_history_tweet_ids"}
    assert data["text"] == "Hello &amp; welcome"  # X escapes &, < and >
    assert answer.headers["x-rate-limit-limit"] == "100"
    assert answer.headers["x-rate-limit-remaining"] == "99"
    reset = math.ceil((clock.now() + timedelta(minutes=15)).timestamp())
    assert answer.headers["x-rate-limit-reset"] == str(reset)
    assert answer.headers["x-user-limit-24hour-remaining"] == "9999"


def test_errors_are_problem_json(http: requests.Session, sandbox: PlatformSandbox) -> None:
    url = f"{sandbox.x_base_url}/2/tweets"
    http.post(url, json={"text": "Once"})
    duplicate = http.post(url, json={"text": "Once"})
    assert duplicate.status_code == 403
    assert duplicate.headers["Content-Type"].startswith("application/problem+json")
    assert duplicate.json() == {
        "title": "Forbidden",
        "detail": "You are not allowed to create a Tweet with duplicate content.",
        "type": "about:blank",
        "status": 403,
    }
    anonymous = requests.post(url, json={"text": "no auth"})
    assert anonymous.status_code == 401 and anonymous.json()["title"] == "Unauthorized"
    too_long = http.post(url, json={"text": "x" * 281})
    assert too_long.status_code == 400 and too_long.json()["title"] == "Invalid Request"


def test_urls_become_tco_links_and_count_23(
    http: requests.Session, sandbox: PlatformSandbox
) -> None:
    text = "a" * 250 + " www.derbyshire.police.uk/Contact-Us/a-very-long-path-indeed"
    answer = http.post(f"{sandbox.x_base_url}/2/tweets", json={"text": text})
    assert answer.status_code == 201  # 250 + 1 + 23 weighted characters
    assert answer.json()["data"]["text"].startswith("a" * 250 + " https://t.co/")


def test_lookup_takes_1_to_100_ids_and_reports_missing_ones(
    http: requests.Session, sandbox: PlatformSandbox
) -> None:
    tweet = sandbox.x.add_tweet("DerbyshirePolice", "here")
    url = f"{sandbox.x_base_url}/2/tweets"
    body = http.get(url, params={"ids": f"{tweet.id},42"}).json()
    assert [t["id"] for t in body["data"]] == [tweet.id]
    assert body["errors"][0]["title"] == "Not Found Error"
    assert body["errors"][0]["resource_id"] == "42"
    too_many = http.get(url, params={"ids": ",".join(str(n) for n in range(1, 102))})
    assert too_many.status_code == 400
    assert "between 1 and 100" in too_many.json()["errors"][0]["message"]


def test_private_metrics_only_for_recent_own_tweets(
    http: requests.Session, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    old = sandbox.x.add_tweet(
        "DerbyshirePolice", "old", created_at=clock.now() - timedelta(days=31)
    )
    new = sandbox.x.add_tweet("DerbyshirePolice", "new")
    fields = "public_metrics,non_public_metrics,organic_metrics,created_at"
    body = http.get(
        f"{sandbox.x_base_url}/2/tweets",
        params={"ids": f"{old.id},{new.id}", "tweet.fields": fields},
    ).json()
    assert [t["id"] for t in body["data"]] == [new.id]
    assert set(body["data"][0]["public_metrics"]) == {
        "retweet_count",
        "reply_count",
        "like_count",
        "quote_count",
        "bookmark_count",
        "impression_count",
    }
    refused = {e["field"] for e in body["errors"] if e["resource_id"] == old.id}
    assert "non_public_metrics.url_link_clicks" in refused
    assert "organic_metrics.like_count" in refused
    assert {e["title"] for e in body["errors"]} == {"Field Authorization Error"}


def test_timeline_pages_with_next_token(
    http: requests.Session, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    start = clock.now()
    sandbox.x.add_tweet("DerbyshirePolice", "before", created_at=start - timedelta(hours=1))
    for n in range(12):
        clock.advance(timedelta(minutes=1))
        sandbox.x.add_tweet("DerbyshirePolice", f"post {n}")
    user = http.get(f"{sandbox.x_base_url}/2/users/me").json()["data"]
    assert user["username"] == "DerbyshirePolice"
    url = f"{sandbox.x_base_url}/2/users/{user['id']}/tweets"
    params = {"start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "max_results": 5}
    texts, token = [], None
    while True:
        body = http.get(url, params={**params, **({"pagination_token": token} if token else {})})
        page = body.json()
        texts += [t["text"] for t in page["data"]]
        assert page["meta"]["result_count"] == len(page["data"])
        token = page["meta"].get("next_token")
        if not token:
            break
    assert texts == [f"post {n}" for n in reversed(range(12))]
    assert http.get(url, params={"max_results": 4}).status_code == 400


def test_media_upload_and_alt_text(
    http: requests.Session, sandbox: PlatformSandbox, image: Path
) -> None:
    upload = http.post(
        f"{sandbox.x_base_url}/2/media/upload",
        files={"media": ("card.png", image.read_bytes(), "image/png")},
        data={"media_category": "tweet_image"},
    )
    data = upload.json()["data"]
    assert data["media_key"] == f"3_{data['id']}" and data["expires_after_secs"] > 0
    assert data["image"] == {"image_type": "image/png", "w": 4, "h": 3}
    alt = {"id": data["id"], "metadata": {"alt_text": {"text": "A card."}}}
    assert http.post(f"{sandbox.x_base_url}/2/media/metadata", json=alt).status_code == 200
    assert sandbox.x.media[data["id"]].alt_text == "A card."
    long_alt = {"id": data["id"], "metadata": {"alt_text": {"text": "x" * 1001}}}
    assert http.post(f"{sandbox.x_base_url}/2/media/metadata", json=long_alt).status_code == 400


def test_the_fifteen_minute_window_answers_429_until_reset(
    http: requests.Session, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    sandbox.update(x_reads_per_15min=2)
    url = f"{sandbox.x_base_url}/2/tweets"
    tweet = sandbox.x.add_tweet("DerbyshirePolice", "t")
    statuses = [http.get(url, params={"ids": tweet.id}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    clock.advance(timedelta(minutes=15))
    assert http.get(url, params={"ids": tweet.id}).status_code == 200


def test_unknown_route_is_404(http: requests.Session, sandbox: PlatformSandbox) -> None:
    answer = http.get(f"{sandbox.x_base_url}/1.1/statuses/home_timeline.json")
    assert answer.status_code == 404
