"""The X channel with the real tweepy client against the sandbox over loopback HTTP."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from campaign.clock import ManualClock
from campaign.config import Account
from campaign.errors import (
    AuthRejected,
    DuplicateContent,
    OutcomeUnknown,
    PolicyBlocked,
    PublishError,
    RateLimited,
    Transient,
)
from scheduler.channels import OutgoingMedia, OutgoingPost, XChannel
from scheduler.sandbox import PlatformSandbox, x_metrics

THREAD = OutgoingPost(
    key="2020-04-20-x",
    parts=(
        "Stalking is a crime. If you are being stalked, call 101 or report online at "
        "www.derbyshire.police.uk/Contact-Us & we will listen.",
        "Stalking is fixated, obsessive, unwanted and repeated behaviour.",
        "In an emergency always call 999. #SeeStalkingClearly",
    ),
)


def with_image(post: OutgoingPost, image: Path) -> OutgoingPost:
    return OutgoingPost(post.key, post.parts, (OutgoingMedia(image, "Dark blue card."),))


def creates(sandbox: PlatformSandbox) -> int:
    return sum(1 for r in sandbox.x.requests if (r.method, r.path) == ("POST", "/2/tweets"))


def assert_no_secrets(exc: BaseException, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in str(exc)
        assert secret not in repr(exc)


def test_thread_with_image_is_a_reply_chain_with_alt_text(
    x_channel: XChannel, sandbox: PlatformSandbox, image: Path
) -> None:
    progress: list[tuple[int, str]] = []

    sent = x_channel.publish(
        with_image(THREAD, image), on_part_sent=lambda i, t: progress.append((i, t))
    )

    tweets = sandbox.x.tweets
    assert [t.text for t in tweets] == list(THREAD.parts)
    assert sent.part_ids == tuple(t.id for t in tweets)
    assert sent.platform_post_id == tweets[0].id
    assert progress == list(enumerate(sent.part_ids))
    assert [t.in_reply_to for t in tweets] == [None, tweets[0].id, tweets[1].id]
    assert tweets[0].media_alt == ("Dark blue card.",) and not tweets[1].media_ids
    assert sandbox.x.media[tweets[0].media_ids[0]].mime_type == "image/png"
    assert sent.url == f"https://x.com/DerbyshirePolice/status/{tweets[0].id}"


def test_duplicate_text_is_duplicate_content(x_channel: XChannel) -> None:
    post = OutgoingPost("k", ("Report stalking on 101.",))
    x_channel.publish(post)
    with pytest.raises(DuplicateContent, match="duplicate content"):
        x_channel.publish(post)


def test_policy_refusal_is_policy_blocked(x_channel: XChannel, sandbox: PlatformSandbox) -> None:
    sandbox.update(blocked_phrases=("forbidden words",))
    with pytest.raises(PolicyBlocked, match="not permitted"):
        x_channel.publish(OutgoingPost("k", ("some forbidden words here",)))


def test_expired_token_is_auth_rejected_without_secrets(
    x_channel: XChannel, sandbox: PlatformSandbox, secrets: list[str]
) -> None:
    sandbox.update(expired_token=True)
    with pytest.raises(AuthRejected, match="401") as caught:
        x_channel.publish(THREAD)
    assert_no_secrets(caught.value, secrets)
    assert all(secret not in repr(x_channel) for secret in secrets)


def test_injected_429_gives_the_reset_from_the_headers(
    x_channel: XChannel, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    sandbox.update(rate_429=1.0, throttle_reset_seconds=5)
    with pytest.raises(RateLimited) as caught:
        x_channel.publish(THREAD)
    assert caught.value.reset_at == clock.now() + timedelta(seconds=5)
    assert not sandbox.x.tweets


def test_fifteen_minute_cap_resets_with_its_window(
    x_channel: XChannel, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    sandbox.update(x_posts_per_15min=2)
    start = clock.now()
    x_channel.publish(OutgoingPost("a", ("one",)))
    x_channel.publish(OutgoingPost("b", ("two",)))
    with pytest.raises(RateLimited) as caught:
        x_channel.publish(OutgoingPost("c", ("three",)))
    assert caught.value.reset_at == start + timedelta(minutes=15)
    clock.advance(timedelta(minutes=15))
    x_channel.publish(OutgoingPost("c", ("three",)))


def test_daily_cap_waits_for_the_daily_reset(
    x_channel: XChannel, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    sandbox.update(x_posts_per_24h=1)
    start = clock.now()
    x_channel.publish(OutgoingPost("a", ("one",)))
    with pytest.raises(RateLimited) as caught:
        x_channel.publish(OutgoingPost("b", ("two",)))
    assert caught.value.reset_at == start + timedelta(hours=24)


def test_server_error_is_transient(x_channel: XChannel, sandbox: PlatformSandbox) -> None:
    sandbox.update(rate_5xx=1.0)
    with pytest.raises(Transient, match="503") as caught:
        x_channel.publish(THREAD)
    assert type(caught.value) is Transient


def test_slow_answer_is_outcome_unknown(
    impatient_x_channel: XChannel, sandbox: PlatformSandbox, secrets: list[str]
) -> None:
    sandbox.update(rate_slow=1.0, slow_seconds=2.0)
    with pytest.raises(OutcomeUnknown, match="timeout") as caught:
        impatient_x_channel.publish(OutgoingPost("k", ("Slow but sent.",)))
    assert_no_secrets(caught.value, secrets)
    assert [t.text for t in sandbox.x.tweets] == ["Slow but sent."]


def test_connection_refused_is_transient_not_unknown(
    x_account: Account, environ: dict[str, str], sandbox: PlatformSandbox
) -> None:
    sandbox.stop()
    with XChannel(x_account, _credentials(x_account, environ), timeout=0.3) as channel:
        with pytest.raises(Transient, match="nothing was sent") as caught:
            channel.publish(THREAD)
    assert not isinstance(caught.value, OutcomeUnknown)


def test_dropped_answer_then_find_published_finds_the_post(
    x_channel: XChannel, sandbox: PlatformSandbox, clock: ManualClock, image: Path
) -> None:
    post = with_image(OutgoingPost("k", (THREAD.parts[0],)), image)
    since = clock.now() - timedelta(minutes=1)
    sandbox.update(rate_drop_after_create=1.0)
    with pytest.raises(OutcomeUnknown, match="may exist"):
        x_channel.publish(post)
    sandbox.update(rate_drop_after_create=0.0)

    found = x_channel.find_published(post, since)

    assert found is not None
    assert found.part_ids == (sandbox.x.tweets[0].id,)
    assert x_channel.find_published(OutgoingPost("o", ("never sent",)), since) is None


def test_partly_sent_thread_is_found_and_continued(
    x_channel: XChannel, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    since = clock.now()
    recorded: list[str] = []

    def record(index: int, tweet_id: str) -> None:
        recorded.append(tweet_id)
        sandbox.update(rate_drop_after_create=1.0)  # the next part's answer is lost

    with pytest.raises(OutcomeUnknown):
        x_channel.publish(THREAD, on_part_sent=record)
    sandbox.update(rate_drop_after_create=0.0)
    assert len(recorded) == 1 and len(sandbox.x.tweets) == 2

    found = x_channel.find_published(THREAD, since, already_sent=recorded)
    assert found is not None
    assert found.part_ids == tuple(t.id for t in sandbox.x.tweets)

    before = creates(sandbox)
    sent = x_channel.publish(THREAD, already_sent=found.part_ids)

    assert creates(sandbox) == before + 1
    tweets = sandbox.x.tweets
    assert [t.text for t in tweets] == list(THREAD.parts)
    assert tweets[2].in_reply_to == tweets[1].id
    assert sent.part_ids == tuple(t.id for t in tweets)


def test_find_published_pages_through_a_long_timeline(
    x_channel: XChannel, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    since = clock.now()
    x_channel.publish(OutgoingPost("k", ("The one we look for.",)))
    for n in range(230):
        clock.advance(timedelta(seconds=1))
        sandbox.x.add_tweet("DerbyshirePolice", f"Other post {n}")

    found = x_channel.find_published(OutgoingPost("k", ("The one we look for.",)), since)

    assert found is not None and found.platform_post_id == sandbox.x.tweets[0].id
    pages = [r for r in sandbox.x.requests if r.path.endswith("/tweets") and r.method == "GET"]
    assert len(pages) == 3


def test_metrics_are_read_100_ids_a_request(
    x_channel: XChannel, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    ids = [sandbox.x.add_tweet("DerbyshirePolice", f"post {n}").id for n in range(250)]
    clock.advance(timedelta(hours=24))

    readings = x_channel.fetch_metrics(ids)

    lookups = [r for r in sandbox.x.requests if (r.method, r.path) == ("GET", "/2/tweets")]
    assert len(lookups) == 3
    assert set(readings) == set(ids)
    expected = x_metrics(sandbox.settings.seed, ids[0], timedelta(hours=24))
    assert (
        readings[ids[0]].values["impression_count"]
        == expected["public_metrics"]["impression_count"]
    )
    assert (
        readings[ids[0]].values["non_public_metrics.url_link_clicks"]
        == (expected["non_public_metrics"]["url_link_clicks"])
    )
    assert readings[ids[0]].unavailable == {}


def test_metrics_grow_monotonically_and_deterministically(
    x_channel: XChannel, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    sent = x_channel.publish(OutgoingPost("k", ("Measured post.",)))
    created = clock.now()
    previous: dict[str, int] = {}
    for hours in (1, 24, 72, 168):
        clock.set(created + timedelta(hours=hours))
        reading = x_channel.fetch_metrics([sent.platform_post_id])[sent.platform_post_id]
        expected = x_metrics(sandbox.settings.seed, sent.platform_post_id, timedelta(hours=hours))
        assert reading.values["like_count"] == expected["public_metrics"]["like_count"]
        assert all(reading.values[k] >= v for k, v in previous.items())
        previous = reading.values
    assert previous["impression_count"] > 0


def test_private_metrics_of_old_tweets_are_unavailable_not_zero(
    x_channel: XChannel, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    old = sandbox.x.add_tweet(
        "DerbyshirePolice", "old", created_at=clock.now() - timedelta(days=40)
    )
    new = sandbox.x.add_tweet("DerbyshirePolice", "new")
    clock.advance(timedelta(hours=1))

    readings = x_channel.fetch_metrics([old.id, new.id])

    assert readings[old.id].values["impression_count"] > 0
    assert "non_public_metrics.url_link_clicks" not in readings[old.id].values
    assert "non_public_metrics.url_link_clicks" in readings[old.id].unavailable
    assert "organic_metrics.like_count" in readings[old.id].unavailable
    assert "non_public_metrics.url_link_clicks" in readings[new.id].values
    lookups = [r for r in sandbox.x.requests if (r.method, r.path) == ("GET", "/2/tweets")]
    assert [r.query["tweet.fields"][0] for r in lookups][-1] == "public_metrics"


def test_deleted_tweets_are_marked_deleted(x_channel: XChannel, sandbox: PlatformSandbox) -> None:
    tweet = sandbox.x.add_tweet("DerbyshirePolice", "soon gone")
    sandbox.x.delete(tweet.id)
    reading = x_channel.fetch_metrics([tweet.id])[tweet.id]
    assert reading.deleted and reading.values == {}


def test_errors_never_carry_secrets(
    x_channel: XChannel, sandbox: PlatformSandbox, secrets: list[str]
) -> None:
    failures: list[PublishError] = []
    for change in ({"rate_429": 1.0}, {"rate_5xx": 1.0}, {"expired_token": True}):
        sandbox.update(**{"rate_429": 0.0, "rate_5xx": 0.0, "expired_token": False, **change})
        with pytest.raises(PublishError) as caught:
            x_channel.publish(OutgoingPost("k", ("x",)))
        failures.append(caught.value)
    for failure in failures:
        assert_no_secrets(failure, secrets)
        assert failure.platform == "x"


def _credentials(account: Account, environ: dict[str, str]) -> dict[str, str]:
    return {name: environ[var] for name, var in account.credentials.items()}


def test_before_create_runs_after_the_upload_and_can_stop_any_part(
    x_channel: XChannel, sandbox: PlatformSandbox, image: Path
) -> None:
    class Stop(Exception):
        pass

    seen: list[tuple[int, int]] = []

    def before_create(index: int) -> None:
        uploads = sum(r.path == "/2/media/upload" for r in sandbox.x.requests)
        seen.append((index, uploads))
        if index == 1:
            raise Stop

    with pytest.raises(Stop):
        x_channel.publish(with_image(THREAD, image), before_create=before_create)
    assert seen == [(0, 1), (1, 1)]  # asked after the image upload, and before each part
    assert creates(sandbox) == 1


def test_a_late_create_is_invisible_until_it_lands(
    impatient_x_channel: XChannel, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    sandbox.update(late_create_seconds=1.0)
    sandbox.land_late("x")
    post = OutgoingPost("late", ("The platform finishes this one after we gave up.",))
    since = clock.now() - timedelta(minutes=1)
    with pytest.raises(OutcomeUnknown):
        impatient_x_channel.publish(post)
    assert impatient_x_channel.find_published(post, since) is None  # not there yet
    clock.advance(timedelta(seconds=1))
    found = impatient_x_channel.find_published(post, since)
    assert found is not None and found.platform_post_id == sandbox.x.tweets[0].id
