"""The Instagram channel against its double over real HTTP: containers from public image
addresses, publishing, reconciling a lost answer, Instagram's errors, metrics and the probe."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaign.clock import ManualClock
from campaign.errors import AuthRejected, OutcomeUnknown, Permanent, RateLimited, Transient
from scheduler.channels.instagram import InstagramChannel
from scheduler.sandbox import PlatformSandbox
from tests.platforms.instagram_support import (
    CAPTION,
    ig_account,
    ig_channel,
    ig_post,
    image_bytes,
)


@pytest.fixture
def channel(sandbox: PlatformSandbox) -> InstagramChannel:
    sandbox.media.add("images/card.jpg", image_bytes(1080, 1080))
    sandbox.media.add("images/tall.jpg", image_bytes(1080, 1350))
    return ig_channel(sandbox, ig_account(sandbox))


def token(sandbox: PlatformSandbox) -> str:
    return sandbox.credentials([ig_account(sandbox)])["DERBYSHIRE_IG_TOKEN"]


def test_an_image_post_is_published_with_its_alt_text_and_permalink(sandbox, channel) -> None:
    sent = channel.publish(ig_post("k", CAPTION, "images/card.jpg", alt="A dark blue card"))
    double = sandbox.double("instagram")
    [media] = double.media
    assert sent.platform_post_id == media.id and sent.part_ids == (media.id,)
    assert sent.url == media.permalink
    assert media.caption == CAPTION and media.alt_texts == ("A dark blue card",)
    assert media.image_urls == (f"{sandbox.media_base_url}/images/card.jpg",)


def test_several_images_make_one_carousel(sandbox, channel) -> None:
    channel.publish(ig_post("k", CAPTION, "images/card.jpg", "images/tall.jpg"))
    [media] = sandbox.double("instagram").media
    assert len(media.image_urls) == 2 and media.alt_texts == ("A helpline card",) * 2


def test_publishing_waits_for_the_container_to_finish(sandbox, clock: ManualClock) -> None:
    sandbox.media.add("images/card.jpg", image_bytes())
    sandbox.double("instagram").processing_seconds = 3
    waited: list[float] = []

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        clock.advance(timedelta(seconds=seconds))

    account = ig_account(sandbox)
    channel = InstagramChannel(
        account, {"access_token": token(sandbox)}, sleep=sleep, poll_seconds=1.0
    )
    channel.publish(ig_post("k", CAPTION, "images/card.jpg"))
    assert waited == [1.0, 1.0, 1.0] and len(sandbox.double("instagram").media) == 1


def test_a_lost_answer_to_the_publish_is_found_by_its_caption(sandbox, channel, clock) -> None:
    post = ig_post("k", CAPTION, "images/card.jpg")
    since = clock.now()
    sandbox.update(rate_drop_after_create=1.0)
    with pytest.raises(OutcomeUnknown):
        channel.publish(post)
    sandbox.update(rate_drop_after_create=0.0)
    found = channel.find_published(post, since)
    [media] = sandbox.double("instagram").media
    assert found is not None and found.platform_post_id == media.id
    assert found.url == media.permalink
    assert channel.find_published(ig_post("j", "Another caption", "images/card.jpg"), since) is None


def test_a_lost_answer_to_a_container_is_not_an_unknown_outcome(sandbox) -> None:
    """A container is not a post: a timeout there is only Transient, and nothing is public."""
    sandbox.media.add("images/card.jpg", image_bytes())
    account = ig_account(sandbox)
    impatient = InstagramChannel(account, {"access_token": token(sandbox)}, timeout=0.5)
    sandbox.update(rate_slow=1.0, slow_seconds=1.0)
    with pytest.raises(Transient) as raised:
        impatient.publish(ig_post("k", CAPTION, "images/card.jpg"))
    assert not isinstance(raised.value, OutcomeUnknown)
    assert sandbox.double("instagram").media == []


def test_an_image_missing_at_its_address_says_what_to_do(sandbox, channel) -> None:
    with pytest.raises(Permanent) as raised:
        channel.publish(ig_post("k", CAPTION, "images/gone.jpg"))
    message = str(raised.value)
    assert "code 9004, subcode 2207052" in message
    assert "could not be fetched" in message and "put the image at its public address" in message
    assert token(sandbox) not in message


def test_a_png_is_refused_permanently_with_instagrams_words(sandbox, channel) -> None:
    sandbox.media.add("images/card.png", image_bytes(kind="PNG"))
    with pytest.raises(Permanent, match="image format is not supported"):
        channel.publish(ig_post("k", CAPTION, "images/card.png"))


def test_a_throttle_is_rate_limited_until_graph_says(sandbox, channel, clock) -> None:
    sandbox.update(rate_429=1.0, throttle_reset_seconds=300)
    with pytest.raises(RateLimited) as raised:
        channel.publish(ig_post("k", CAPTION, "images/card.jpg"))
    assert raised.value.reset_at == clock.now() + timedelta(minutes=5)


def test_the_daily_publishing_limit_waits_until_the_oldest_post_leaves_the_day(
    sandbox, channel, clock: ManualClock
) -> None:
    first = clock.now()
    for n in range(50):
        channel.publish(ig_post(f"k{n}", f"Post number {n}", "images/card.jpg"))
        clock.advance(timedelta(minutes=2))
    with pytest.raises(RateLimited) as raised:
        channel.publish(ig_post("k50", "Post number 50", "images/card.jpg"))
    assert raised.value.code == 9 and "maximum number of posts" in str(raised.value)
    assert raised.value.reset_at == first + timedelta(hours=24)


def test_a_revoked_token_is_auth_rejected_without_the_token(sandbox, channel) -> None:
    sandbox.revoke_token(ig_account(sandbox))
    with pytest.raises(AuthRejected) as raised:
        channel.publish(ig_post("k", CAPTION, "images/card.jpg"))
    assert token(sandbox) not in str(raised.value)
    assert all("access_token" not in r.query for r in sandbox.double("instagram").requests)


def test_metrics_are_read_and_a_refused_metric_is_unavailable_not_zero(
    sandbox, clock: ManualClock
) -> None:
    sandbox.media.add("images/card.jpg", image_bytes())
    account = ig_account(sandbox)
    channel = InstagramChannel(
        account,
        {"access_token": token(sandbox)},
        metrics=("views", "impressions", "likes", "saved"),
    )
    sent = channel.publish(ig_post("k", CAPTION, "images/card.jpg"))
    clock.advance(timedelta(hours=12))
    reading = channel.fetch_metrics([sent.platform_post_id])[sent.platform_post_id]
    assert "impressions" not in reading.values and "impressions" in reading.unavailable
    assert reading.values["views"] > 0 and reading.values["likes"] == reading.values["like_count"]
    assert {"saved", "comments_count"} <= reading.values.keys()
    sandbox.double("instagram").media[0].deleted = True
    assert channel.fetch_metrics([sent.platform_post_id])[sent.platform_post_id].deleted


def test_the_probe_names_the_account_and_the_tokens_expiry(sandbox, channel, clock) -> None:
    health = channel.probe()
    assert (health.account_id, health.handle) == (ig_account(sandbox).user_id, "@derbyshirepolice")
    assert health.expires_at is None
    ends = clock.now() + timedelta(days=20)
    sandbox.expire_token(ig_account(sandbox), ends)
    assert channel.probe().expires_at == ends
    sandbox.revoke_token(ig_account(sandbox))
    with pytest.raises(AuthRejected):
        channel.probe()
    secret = token(sandbox)
    assert all(secret not in str(r.query) for r in sandbox.double("instagram").requests)
