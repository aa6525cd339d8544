"""The Facebook channel with the real facebook-sdk against the sandbox over loopback HTTP."""

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
    Permanent,
    PolicyBlocked,
    PublishError,
    RateLimited,
    Transient,
)
from scheduler.channels import FacebookChannel, OutgoingMedia, OutgoingPost
from scheduler.sandbox import PlatformSandbox, facebook_metrics

POST = OutgoingPost(
    key="2020-04-20-facebook",
    parts=(
        "This is Stalking Awareness Week. Stalking is a crime, and it is never your fault.\n\n"
        "Call the National Stalking Helpline on 0808 802 0300. #SeeStalkingClearly",
    ),
)
PAGE = "104857361209584"  # the shipped config.toml's page_id


def batches(sandbox: PlatformSandbox) -> int:
    return sum(1 for r in sandbox.facebook.requests if (r.method, r.path) == ("POST", "/v25.0/"))


def assert_no_secrets(exc: BaseException, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in str(exc)
        assert secret not in repr(exc)


def test_photo_post_carries_alt_text(
    facebook_channel: FacebookChannel, sandbox: PlatformSandbox, image: Path
) -> None:
    post = OutgoingPost(POST.key, POST.parts, (OutgoingMedia(image, "Dark blue card."),))
    parts: list[tuple[int, str]] = []

    sent = facebook_channel.publish(post, on_part_sent=lambda i, p: parts.append((i, p)))

    [record] = sandbox.facebook.posts
    assert sent.platform_post_id == record.id and record.id.startswith(f"{PAGE}_")
    assert record.message == POST.parts[0]
    assert record.photo_alt == ("Dark blue card.",)
    assert sandbox.facebook.photos[record.photo_ids[0]].size == image.stat().st_size
    assert parts == [(0, record.id)]
    assert sent.url == f"https://www.facebook.com/{record.id}"


def test_feed_post_and_several_photos(
    facebook_channel: FacebookChannel, sandbox: PlatformSandbox, image: Path
) -> None:
    plain = facebook_channel.publish(POST)
    media = (OutgoingMedia(image, "First card."), OutgoingMedia(image, "Second card."))
    album = facebook_channel.publish(OutgoingPost("k", ("Two cards.",), media))

    first, second = sandbox.facebook.posts
    assert (first.id, first.message, first.photo_ids) == (plain.platform_post_id, POST.parts[0], ())
    assert second.id == album.platform_post_id
    assert second.photo_alt == ("First card.", "Second card.")


def test_appsecret_proof_is_sent_and_checked(
    facebook_account: Account, environ: dict[str, str], sandbox: PlatformSandbox
) -> None:
    """The sandbox page requires a proof (its app secret is configured) and checks its HMAC."""
    credentials = {name: environ[var] for name, var in facebook_account.credentials.items()}
    with FacebookChannel(facebook_account, credentials) as channel:
        channel.publish(POST)
    without = {k: v for k, v in credentials.items() if k != "app_secret"}
    wrong = {**credentials, "app_secret": "not-the-secret"}
    for bad in (without, wrong):
        with FacebookChannel(facebook_account, bad) as channel:
            with pytest.raises(Permanent, match="appsecret_proof"):
                channel.publish(OutgoingPost("k", ("other",)))
    assert len(sandbox.facebook.posts) == 1


def test_duplicate_message_is_duplicate_content(facebook_channel: FacebookChannel) -> None:
    facebook_channel.publish(POST)
    with pytest.raises(DuplicateContent, match="Duplicate status message"):
        facebook_channel.publish(POST)


def test_policy_block_is_policy_blocked(
    facebook_channel: FacebookChannel, sandbox: PlatformSandbox
) -> None:
    sandbox.update(blocked_phrases=("forbidden words",))
    with pytest.raises(PolicyBlocked, match="code 368"):
        facebook_channel.publish(OutgoingPost("k", ("some forbidden words",)))


def test_expired_token_is_auth_rejected_without_secrets(
    facebook_channel: FacebookChannel, sandbox: PlatformSandbox, secrets: list[str]
) -> None:
    sandbox.update(expired_token=True)
    with pytest.raises(AuthRejected, match="Session has expired") as caught:
        facebook_channel.publish(POST)
    assert caught.value.code == 190
    assert_no_secrets(caught.value, secrets)
    assert all(secret not in repr(facebook_channel) for secret in secrets)


def test_throttling_gives_the_time_to_regain_access(
    facebook_channel: FacebookChannel, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    sandbox.update(rate_429=1.0, throttle_reset_seconds=5)
    with pytest.raises(RateLimited) as caught:
        facebook_channel.publish(POST)
    assert caught.value.code in (4, 17, 32)
    assert caught.value.reset_at == clock.now() + timedelta(minutes=1)  # Graph counts minutes


def test_hourly_page_quota_throttles_until_the_window_ends(
    facebook_channel: FacebookChannel, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    sandbox.update(graph_calls_per_hour=2)
    start = clock.now()
    facebook_channel.publish(OutgoingPost("a", ("one",)))
    clock.advance(timedelta(minutes=10))
    facebook_channel.publish(OutgoingPost("b", ("two",)))
    with pytest.raises(RateLimited) as caught:
        facebook_channel.publish(OutgoingPost("c", ("three",)))
    assert caught.value.code == 32
    assert caught.value.reset_at == start + timedelta(hours=1)


@pytest.mark.parametrize(("html_share", "words"), [(0.0, "code 2"), (1.0, "HTML error page")])
def test_server_errors_are_transient_even_as_html(
    facebook_channel: FacebookChannel, sandbox: PlatformSandbox, html_share: float, words: str
) -> None:
    sandbox.update(rate_5xx=1.0, graph_html_502_share=html_share)
    with pytest.raises(Transient, match=words) as caught:
        facebook_channel.publish(POST)
    assert type(caught.value) is Transient  # not a KeyError from the SDK, not "unknown"


def test_slow_answer_is_outcome_unknown(
    impatient_facebook_channel: FacebookChannel, sandbox: PlatformSandbox
) -> None:
    sandbox.update(rate_slow=1.0)
    with pytest.raises(OutcomeUnknown, match="ReadTimeout"):
        impatient_facebook_channel.publish(POST)
    assert [p.message for p in sandbox.facebook.posts] == [POST.parts[0]]


def test_dropped_answer_then_find_published_finds_the_post(
    facebook_channel: FacebookChannel, sandbox: PlatformSandbox, clock: ManualClock, image: Path
) -> None:
    since = clock.now() - timedelta(minutes=1)
    post = OutgoingPost(POST.key, POST.parts, (OutgoingMedia(image, "Card."),))
    sandbox.update(rate_drop_after_create=1.0)
    with pytest.raises(OutcomeUnknown, match="may exist"):
        facebook_channel.publish(post)
    sandbox.update(rate_drop_after_create=0.0)

    found = facebook_channel.find_published(post, since)

    assert found is not None and found.platform_post_id == sandbox.facebook.posts[0].id
    assert facebook_channel.find_published(OutgoingPost("o", ("never sent",)), since) is None
    assert facebook_channel.publish(post, already_sent=found.part_ids) == found


def test_find_published_pages_through_the_feed(
    facebook_channel: FacebookChannel, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    since = clock.now()
    facebook_channel.publish(POST)
    for n in range(150):
        clock.advance(timedelta(seconds=1))
        sandbox.facebook.add_post(PAGE, f"Other post {n}")
    before = batches(sandbox)

    found = facebook_channel.find_published(POST, since)

    assert found is not None and found.platform_post_id == sandbox.facebook.posts[0].id
    assert batches(sandbox) - before == 2  # 100 a page


def test_metrics_are_read_50_posts_a_batch(
    facebook_channel: FacebookChannel, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    ids = [sandbox.facebook.add_post(PAGE, f"post {n}").id for n in range(120)]
    clock.advance(timedelta(hours=24))

    readings = facebook_channel.fetch_metrics(ids)

    assert batches(sandbox) == 3
    assert set(readings) == set(ids)
    expected = facebook_metrics(sandbox.settings.seed, ids[5], timedelta(hours=24))
    values = readings[ids[5]].values
    for name in ("shares", "reactions", "comments", "post_media_view", "post_clicks"):
        assert values[name] == expected[name]
    assert values["post_reactions_by_type_total"] == expected["reactions"]
    assert readings[ids[5]].unavailable == {}
    assert readings[ids[5]].api_version == "v25.0"


def test_metrics_grow_monotonically_and_deterministically(
    facebook_channel: FacebookChannel, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    sent = facebook_channel.publish(POST)
    created = clock.now()
    previous: dict[str, int] = {}
    for hours in (1, 24, 72, 168):
        clock.set(created + timedelta(hours=hours))
        values = facebook_channel.fetch_metrics([sent.platform_post_id])[
            sent.platform_post_id
        ].values
        expected = facebook_metrics(
            sandbox.settings.seed, sent.platform_post_id, timedelta(hours=hours)
        )
        assert values["post_media_view"] == expected["post_media_view"]
        assert all(values.get(k, 0) >= v for k, v in previous.items())
        previous = values


def test_an_unknown_metric_is_unavailable_and_the_rest_are_read(
    facebook_account: Account, environ: dict[str, str], sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    credentials = {name: environ[var] for name, var in facebook_account.credentials.items()}
    metrics = ("post_media_view", "post_impressions", "post_engaged_users", "post_clicks")
    ids = [sandbox.facebook.add_post(PAGE, f"post {n}").id for n in range(3)]
    clock.advance(timedelta(hours=2))
    with FacebookChannel(facebook_account, credentials, metrics=metrics) as channel:
        first = channel.fetch_metrics(ids)
        calls = batches(sandbox)
        again = channel.fetch_metrics(ids)

    for readings in (first, again):
        reading = readings[ids[0]]
        assert reading.values["post_media_view"] > 0 and "post_clicks" in reading.values
        assert "post_impressions" not in reading.values
        assert set(reading.unavailable) == {"post_impressions", "post_engaged_users"}
        assert "code 100" in reading.unavailable["post_impressions"]
    assert calls == 3  # refused, each metric alone once, then the good ones
    assert batches(sandbox) == calls + 1  # the channel remembers the bad names


def test_a_refused_insights_expansion_keeps_every_reading_of_the_post(
    facebook_channel: FacebookChannel, sandbox: PlatformSandbox, clock: ManualClock
) -> None:
    # Graph refuses `insights.metric(...)` on these posts, but answers their /insights edge.
    sandbox.update(graph_refuse_insights_field=True)
    ids = [sandbox.facebook.add_post(PAGE, f"post {n}").id for n in range(30)]
    clock.advance(timedelta(hours=24))

    first = facebook_channel.fetch_metrics(ids)
    calls = batches(sandbox)
    again = facebook_channel.fetch_metrics(ids)

    for readings in (first, again):
        assert set(readings) == set(ids)
        for post_id in (ids[0], ids[29]):
            expected = facebook_metrics(sandbox.settings.seed, post_id, timedelta(hours=24))
            reading = readings[post_id]
            assert reading.unavailable == {}
            for name in ("shares", "reactions", "comments", "post_media_view", "post_clicks"):
                assert reading.values[name] == expected[name], name
    # Refused, each metric alone once, then counts and insights edge (two per post, 25 a call).
    assert calls == 1 + 1 + 2
    assert batches(sandbox) == calls + 2  # the channel remembers: straight to the edge


def test_deleted_posts_are_marked_deleted(
    facebook_channel: FacebookChannel, sandbox: PlatformSandbox
) -> None:
    post = sandbox.facebook.add_post(PAGE, "soon gone")
    sandbox.facebook.delete(post.id)
    reading = facebook_channel.fetch_metrics([post.id])[post.id]
    assert reading.deleted and reading.values == {}


def test_errors_never_carry_secrets(
    impatient_facebook_channel: FacebookChannel, sandbox: PlatformSandbox, secrets: list[str]
) -> None:
    faults = ({"rate_429": 1.0}, {"rate_5xx": 1.0}, {"expired_token": True}, {"rate_slow": 1.0})
    reset = {"rate_429": 0.0, "rate_5xx": 0.0, "expired_token": False, "rate_slow": 0.0}
    failures: list[PublishError] = []
    for n, fault in enumerate(faults):
        sandbox.update(**{**reset, **fault})
        with pytest.raises(PublishError) as published:
            impatient_facebook_channel.publish(OutgoingPost("k", (f"post {n}",)))
        with pytest.raises(PublishError) as measured:
            impatient_facebook_channel.fetch_metrics([f"{PAGE}_1"])
        failures += [published.value, measured.value]
    for failure in failures:
        assert_no_secrets(failure, secrets)
        assert failure.platform == "facebook"


def test_before_create_can_stop_a_photo_post(
    facebook_channel: FacebookChannel, sandbox: PlatformSandbox, image: Path
) -> None:
    class Stop(Exception):
        pass

    def before_create(index: int) -> None:
        raise Stop

    post = OutgoingPost(POST.key, POST.parts, (OutgoingMedia(image, "Card."),))
    with pytest.raises(Stop):
        facebook_channel.publish(post, before_create=before_create)
    assert sandbox.facebook.posts == [] and sandbox.facebook.photos == {}
