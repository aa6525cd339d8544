"""The Threads channel over real HTTP against the Threads double: containers, publishing,
threads as replies, images Meta fetches from the force's public address, quotas, errors."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from campaign.errors import (
    AuthRejected,
    OutcomeUnknown,
    Permanent,
    RateLimited,
    Transient,
)
from scheduler.channels.base import OutgoingMedia, OutgoingPost
from scheduler.channels.threads import ThreadsChannel
from tests.platforms.threads_support import (
    jpeg_bytes,
    threads_account,
    threads_channel,
    threads_double,
)


def _image(tmp_path: Path, name: str = "images/card.jpg", alt: str = "A card") -> OutgoingMedia:
    return OutgoingMedia(tmp_path / Path(name).name, alt, file=name)


def test_a_text_post_is_a_container_then_a_publish_and_keeps_its_permalink(sandbox):
    channel, _ = threads_channel(sandbox)
    sent = channel.publish(OutgoingPost("k1", ("Stalking is a crime. #SeeStalkingClearly",)))
    double = threads_double(sandbox)
    post = double.posts[sent.platform_post_id]
    assert post.text == "Stalking is a crime. #SeeStalkingClearly"
    assert post.media_type == "TEXT" and post.reply_to_id is None
    assert sent.url == post.permalink and "/post/" in sent.url
    assert [r.path.rsplit("/", 1)[-1] for r in double.requests if r.method == "POST"] == [
        "threads",
        "threads_publish",
    ]
    # The token went in the Authorization header, never in a URL or a form a log could show.
    assert double.tokens_in_requests == 0


def test_a_thread_is_each_part_replying_to_the_part_before(sandbox):
    channel, _ = threads_channel(sandbox)
    seen: list[tuple[int, str]] = []
    sent = channel.publish(
        OutgoingPost("k2", ("one", "two", "three")), on_part_sent=lambda i, p: seen.append((i, p))
    )
    double = threads_double(sandbox)
    first, second, third = (double.posts[i] for i in sent.part_ids)
    assert (first.reply_to_id, second.reply_to_id, third.reply_to_id) == (
        None,
        first.id,
        second.id,
    )
    assert seen == list(enumerate(sent.part_ids))


def test_an_image_is_fetched_by_threads_from_the_public_address_with_its_alt_text(
    sandbox, tmp_path
):
    sandbox.media.add("images/card.jpg", jpeg_bytes())
    channel, _ = threads_channel(sandbox)
    sent = channel.publish(OutgoingPost("k3", ("With a card",), (_image(tmp_path),)))
    post = threads_double(sandbox).posts[sent.platform_post_id]
    assert post.media_type == "IMAGE" and post.alt_texts == ("A card",)
    assert [r.path for r in sandbox.media.requests] == ["/images/card.jpg"]


def test_several_images_make_a_carousel_of_items(sandbox, tmp_path):
    for name in ("images/a.jpg", "images/b.jpg"):
        sandbox.media.add(name, jpeg_bytes())
    channel, _ = threads_channel(sandbox)
    media = (_image(tmp_path, "images/a.jpg", "first"), _image(tmp_path, "images/b.jpg", "second"))
    sent = channel.publish(OutgoingPost("k4", ("Two cards",), media))
    post = threads_double(sandbox).posts[sent.platform_post_id]
    assert post.media_type == "CAROUSEL" and post.alt_texts == ("first", "second")


def test_an_image_threads_cannot_fetch_is_refused_with_threads_words_and_nothing_posted(
    sandbox, tmp_path
):
    channel, token = threads_channel(sandbox)
    with pytest.raises(Permanent) as refused:
        channel.publish(OutgoingPost("k5", ("Missing card",), (_image(tmp_path),)))
    assert "Media download has failed" in str(refused.value)
    assert "2207052" in str(refused.value) and token not in str(refused.value)
    assert threads_double(sandbox).published_texts() == []


def test_a_gif_is_refused_as_threads_takes_only_jpeg_and_png(sandbox, tmp_path):
    sandbox.media.add("images/card.jpg", b"GIF89a" + b"\0" * 64)
    channel, _ = threads_channel(sandbox)
    with pytest.raises(Permanent, match="Only JPEG and PNG"):
        channel.publish(OutgoingPost("k6", ("A gif",), (_image(tmp_path),)))


def test_more_than_five_links_are_refused_at_the_container_step(sandbox):
    channel, _ = threads_channel(sandbox)
    links = " ".join(f"https://example.org/{n}" for n in range(6))
    with pytest.raises(Permanent, match="LINK_LIMIT_EXCEEDED"):
        channel.publish(OutgoingPost("k7", (links,)))


def test_text_over_500_by_threads_count_is_refused_by_the_double(sandbox):
    channel, _ = threads_channel(sandbox)
    with pytest.raises(Permanent, match="500"):
        channel.publish(OutgoingPost("k8", ("a" * 497 + "👍",)))  # 497 + 4 bytes = 501


def test_a_full_day_quota_waits_until_the_oldest_post_leaves_the_window(sandbox, clock):
    double = threads_double(sandbox)
    double.quota_total = 2
    channel, _ = threads_channel(sandbox)
    first = channel.publish(OutgoingPost("q1", ("first",)))
    clock.advance(timedelta(hours=1))
    channel.publish(OutgoingPost("q2", ("second",)))
    containers = len(double.containers)
    with pytest.raises(RateLimited) as limited:
        channel.publish(OutgoingPost("q3", ("third",)))
    assert len(double.containers) == containers  # stopped before making a container
    oldest = double.posts[first.platform_post_id].created_at
    assert limited.value.reset_at == oldest.replace(microsecond=0) + timedelta(hours=24)
    clock.advance(timedelta(hours=23, seconds=1))
    assert channel.publish(OutgoingPost("q3", ("third",))).platform_post_id


def test_a_container_still_in_progress_is_waited_for_then_published(sandbox):
    double = threads_double(sandbox)
    double.in_progress_reads = 2
    channel, _ = threads_channel(sandbox)
    sent = channel.publish(OutgoingPost("p1", ("slow",)))
    assert double.posts[sent.platform_post_id].text == "slow"


def test_a_container_that_never_finishes_is_not_published(sandbox):
    double = threads_double(sandbox)
    double.in_progress_reads = 50
    channel, _ = threads_channel(sandbox)
    with pytest.raises(Transient, match="still preparing"):
        channel.publish(OutgoingPost("p2", ("never ready",)))
    assert double.published_texts() == []


def test_a_revoked_token_is_auth_rejected_without_the_token(sandbox):
    account = threads_account(sandbox)
    channel, token = threads_channel(sandbox, account)
    sandbox.revoke_token(account)
    with pytest.raises(AuthRejected) as rejected:
        channel.publish(OutgoingPost("a1", ("hello",)))
    assert "460" in str(rejected.value) and token not in str(rejected.value)


def test_an_injected_throttle_is_rate_limited_until_threads_says(sandbox, clock):
    sandbox.update(rate_429=1.0)
    channel, _ = threads_channel(sandbox)
    with pytest.raises(RateLimited) as limited:
        channel.publish(OutgoingPost("t1", ("hello",)))
    assert limited.value.reset_at is not None and limited.value.reset_at > clock.now()


def test_server_errors_are_transient(sandbox):
    sandbox.update(rate_5xx=1.0)
    channel, _ = threads_channel(sandbox)
    with pytest.raises(Transient):
        channel.publish(OutgoingPost("s1", ("hello",)))


def test_a_lost_publish_answer_is_unknown_and_never_carries_the_token(sandbox):
    sandbox.update(rate_drop_after_create=1.0)
    channel, token = threads_channel(sandbox)
    with pytest.raises(OutcomeUnknown) as unknown:
        channel.publish(OutgoingPost("d1", ("dropped",)))
    assert token not in str(unknown.value) and "http" not in str(unknown.value)
    assert threads_double(sandbox).published_texts() == ["dropped"]


def test_a_refused_connection_says_nothing_was_sent_in_our_words(sandbox):
    account = threads_account(sandbox, base_url="http://127.0.0.1:9")
    channel, token = threads_channel(sandbox, account)
    with pytest.raises(Transient) as failed:
        channel.publish(OutgoingPost("c1", ("hello",)))
    assert not isinstance(failed.value, OutcomeUnknown)
    assert str(failed.value) == "threads: could not connect to Threads; nothing was sent"
    assert token not in str(failed.value) and "127.0.0.1" not in str(failed.value)


def test_find_published_finds_a_post_and_its_thread_parts_in_order(sandbox, clock):
    channel, _ = threads_channel(sandbox)
    since = clock.now()
    post = OutgoingPost("f1", ("head", "middle", "tail"))
    sent = channel.publish(post)
    channel.publish(OutgoingPost("f2", ("middle",)))  # the same text, not a reply: ignored
    found = channel.find_published(post, since)
    assert found is not None and found.part_ids == sent.part_ids and found.url == sent.url
    assert channel.find_published(OutgoingPost("f3", ("never sent",)), since) is None


def test_a_partly_sent_thread_is_found_partly_and_resumed_from_the_next_part(sandbox, clock):
    channel, _ = threads_channel(sandbox)
    since = clock.now()
    post = OutgoingPost("r1", ("one", "two", "three"))
    partial = channel.publish(OutgoingPost("r1", ("one", "two")))
    found = channel.find_published(post, since)
    assert found is not None and found.part_ids == partial.part_ids
    sent = channel.publish(post, already_sent=found.part_ids)
    double = threads_double(sandbox)
    assert sent.part_ids[:2] == partial.part_ids
    assert double.posts[sent.part_ids[2]].reply_to_id == partial.part_ids[1]
    assert sorted(double.published_texts()) == ["one", "three", "two"]


def test_metrics_are_read_per_post_and_a_deleted_post_is_marked_deleted(sandbox, clock):
    channel, _ = threads_channel(sandbox)
    sent = channel.publish(OutgoingPost("m1", ("measured",)))
    gone = channel.publish(OutgoingPost("m2", ("deleted later",)))
    threads_double(sandbox).posts[gone.platform_post_id].deleted = True
    clock.advance(timedelta(hours=5))
    readings = channel.fetch_metrics([sent.platform_post_id, gone.platform_post_id])
    reading = readings[sent.platform_post_id]
    assert set(reading.values) == {"views", "likes", "replies", "reposts", "quotes", "shares"}
    assert reading.values["views"] > 0 and reading.unavailable == {}
    assert readings[gone.platform_post_id].deleted


def test_a_metric_threads_does_not_return_is_unavailable_never_zero(sandbox, clock):
    channel, _ = threads_channel(sandbox)
    sent = channel.publish(OutgoingPost("m3", ("measured",)))
    import scheduler.channels.threads as module

    module_metrics = module.METRICS
    try:
        module.METRICS = (*module_metrics, "clicks")  # a name Threads refuses
        reading = channel.fetch_metrics([sent.platform_post_id])[sent.platform_post_id]
    finally:
        module.METRICS = module_metrics
    assert reading.values == {} and "metric[0] must be one of" in reading.unavailable["*"]


def test_probe_names_the_account_and_its_quota(sandbox):
    channel, _ = threads_channel(sandbox)
    channel.publish(OutgoingPost("h1", ("one post",)))
    health = channel.probe()
    assert health.account_id == channel.user_id and health.handle == "@derbyshirepolice"
    assert health.expires_at is None
    assert "1 of 250 posts used in the last 24 hours" in health.notes


def test_probe_refuses_a_token_of_another_user(sandbox):
    other = threads_account(
        sandbox,
        user_id="17841400000000001",
        handle="@otherforce",
        credentials={"access_token": "OTHER_THREADS_TOKEN"},
    )
    token = sandbox.credentials([other])["OTHER_THREADS_TOKEN"]
    channel = ThreadsChannel(threads_account(sandbox), {"access_token": token})
    with pytest.raises(AuthRejected, match="belongs to Threads user @otherforce") as refused:
        channel.probe()
    assert token not in str(refused.value)


def test_an_expired_token_is_refused_with_its_date(sandbox, clock):
    account = threads_account(sandbox)
    channel, _ = threads_channel(sandbox, account)
    sandbox.expire_token(account, clock.now() + timedelta(minutes=1))
    clock.advance(timedelta(minutes=2))
    with pytest.raises(AuthRejected, match="463"):
        channel.probe()
