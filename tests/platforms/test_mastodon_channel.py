"""The Mastodon channel: the real Mastodon.py client over HTTP to the instance's double."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaign.errors import AuthRejected, OutcomeUnknown, Permanent, RateLimited, Transient
from scheduler.sandbox.engagement import engagement
from tests.platforms.conftest import SEED
from tests.platforms.mastodon_support import double, image, masto_account, masto_channel, thread


class Stop(Exception):
    pass


def test_a_thread_goes_out_as_replies_with_its_image_and_description(sandbox, tmp_path):
    channel, _ = masto_channel(sandbox)
    post = thread(media=(image(tmp_path),))
    sent = channel.publish(post)
    statuses = double(sandbox).statuses
    assert [s.status_id for s in statuses] == list(sent.part_ids)
    assert [s.text for s in statuses] == list(post.parts)
    assert [s.in_reply_to_id for s in statuses] == [None, *sent.part_ids[:2]]
    assert all(s.visibility == "public" for s in statuses)
    [media_id] = statuses[0].media_ids
    assert double(sandbox).media[media_id].description == post.media[0].alt
    assert statuses[1].media_ids == statuses[2].media_ids == []
    # The upload was processed before it was attached (the instance refuses it before).
    media_reads = [r.status for r in double(sandbox).requests if r.path.startswith("/api/v1/media")]
    assert media_reads == [206, 200]
    keys = [s.idempotency_key for s in statuses]
    assert all(keys) and len(set(keys)) == 3
    assert sent.url == f"https://police.social.example/@derbyshirepolice/{sent.part_ids[0]}"


def test_a_create_whose_answer_was_lost_is_sent_again_without_a_second_post(sandbox, clock):
    channel, _ = masto_channel(sandbox)
    post = thread(parts=("Stalking is a crime. Report it on 101.",))
    sandbox.update(rate_drop_after_create=1.0)
    with pytest.raises(OutcomeUnknown):
        channel.publish(post)
    sandbox.update(rate_drop_after_create=0.0)
    again = channel.publish(post)  # the same Idempotency-Key: the instance answers the first
    assert [s.status_id for s in double(sandbox).statuses] == [again.platform_post_id]
    # Mastodon keeps a key for an hour only: after that a resend is a new post, which is why
    # an unknown outcome is looked for on the account before any resend.
    clock.advance(timedelta(minutes=61))
    channel.publish(post)
    assert len(double(sandbox).statuses) == 2


def test_a_thread_stopped_part_way_resumes_from_the_next_part(sandbox):
    channel, _ = masto_channel(sandbox)
    post = thread()
    sent: list[str] = []

    def stop_before_second(index: int) -> None:
        if index == 1:
            raise Stop

    with pytest.raises(Stop):
        channel.publish(
            post,
            on_part_sent=lambda index, part_id: sent.append(part_id),
            before_create=stop_before_second,
        )
    assert len(sent) == 1
    done = channel.publish(post, already_sent=sent)
    statuses = double(sandbox).statuses
    assert [s.text for s in statuses] == list(post.parts)
    assert done.part_ids == tuple(s.status_id for s in statuses)
    assert statuses[1].in_reply_to_id == sent[0]


def test_a_post_is_found_on_the_account_by_its_text_though_the_instance_gives_html(sandbox, clock):
    # The instance shows a link shortened and a mention without its domain: the channel must
    # still recognise its own text, part by part.
    channel, _ = masto_channel(sandbox)
    since = clock.now()
    post = thread()
    assert channel.find_published(post, since) is None
    first = channel.publish(thread(parts=post.parts[:1]), already_sent=())
    found = channel.find_published(post, since)
    assert found is not None and found.part_ids == first.part_ids  # a partly sent thread
    done = channel.publish(post, already_sent=found.part_ids)
    assert channel.find_published(post, since) == done
    assert channel.find_published(thread("other", "Not this post."), since) is None


def test_a_create_that_lands_late_is_found_once_it_has_landed(sandbox, clock):
    sandbox.update(late_create_seconds=0.5)
    channel, _ = masto_channel(sandbox, timeout=0.2)
    post = thread(parts=("Worried about stalking? Call 0808 802 0300.",))
    since = clock.now()
    sandbox.land_late("mastodon")
    with pytest.raises(OutcomeUnknown):
        channel.publish(post)
    assert channel.find_published(post, since) is None  # not on the account yet
    clock.advance(timedelta(seconds=1))
    found = channel.find_published(post, since)
    assert found is not None and found.platform_post_id == double(sandbox).statuses[0].status_id


def test_refusals_come_back_in_plain_words_without_the_token(sandbox, clock):
    account = masto_account(sandbox)
    channel, token = masto_channel(sandbox, account)
    with pytest.raises(Permanent, match="Text character limit of 500 exceeded") as too_long:
        channel.publish(thread(parts=("x" * 501,)))
    assert too_long.value.code == 422
    sandbox.update(rate_429=1.0)
    with pytest.raises(RateLimited) as limited:
        channel.probe()
    assert limited.value.reset_at == clock.now() + timedelta(seconds=5)
    sandbox.update(rate_429=0.0, rate_5xx=1.0)
    with pytest.raises(Transient):
        channel.probe()
    sandbox.update(rate_5xx=0.0)
    sandbox.revoke_token(account)
    with pytest.raises(AuthRejected, match="The access token is invalid") as refused:
        channel.publish(thread(parts=("Hello",)))
    for error in (too_long.value, limited.value, refused.value):
        assert token not in str(error) and token not in repr(error.__dict__)


def test_an_unreachable_instance_is_transient(sandbox):
    account = masto_account(sandbox, base_url="http://127.0.0.1:9")
    channel, _ = masto_channel(sandbox, account)
    with pytest.raises(Transient, match="nothing was sent"):
        channel.publish(thread(parts=("Hello",)))


def test_the_instance_limits_media_uploads_to_30_in_30_minutes(sandbox, tmp_path):
    channel, _ = masto_channel(sandbox)
    double(sandbox).processing_polls = 0
    picture = image(tmp_path)
    for _ in range(30):
        channel._upload([picture])
    with pytest.raises(RateLimited) as limited:
        channel._upload([picture])
    assert limited.value.reset_at is not None


def test_metrics_are_the_instances_counts_and_views_are_unavailable(sandbox, clock):
    channel, _ = masto_channel(sandbox)
    sent = channel.publish(thread())
    clock.advance(timedelta(hours=6))
    readings = channel.fetch_metrics(sent.part_ids)
    for status_id in sent.part_ids:
        reading = readings[status_id]
        age = timedelta(hours=6)
        assert reading.values["favourites_count"] == engagement(SEED, status_id, "likes", age)
        assert reading.values["reblogs_count"] == engagement(SEED, status_id, "retweets", age)
        assert reading.values["replies_count"] == engagement(SEED, status_id, "replies", age)
        assert "views" not in reading.values and "views" in reading.unavailable
    lookups = [r for r in double(sandbox).requests if r.path == "/api/v1/statuses"]
    assert [r.method for r in lookups] == ["POST"] * 3 + ["GET"]  # one read for three posts


def test_metrics_fall_back_to_one_read_a_post_and_know_a_deleted_post(sandbox, clock):
    channel, _ = masto_channel(sandbox)
    sent = channel.publish(thread())
    double(sandbox).batch_lookup = False  # an instance before Mastodon 4.3
    double(sandbox).statuses[2].deleted = True
    clock.advance(timedelta(hours=1))
    readings = channel.fetch_metrics(sent.part_ids)
    assert readings[sent.part_ids[2]].deleted
    assert readings[sent.part_ids[0]].values["favourites_count"] == engagement(
        SEED, sent.part_ids[0], "likes", timedelta(hours=1)
    )


def test_probe_names_the_account_and_warns_of_tighter_instance_limits(sandbox):
    channel, _ = masto_channel(sandbox)
    health = channel.probe()
    assert health.handle == "@derbyshirepolice@police.social.example"
    assert health.expires_at is None
    assert health.warnings == ()  # the instance's limits are what the checks assume
    double(sandbox).max_characters = 400
    double(sandbox).url_reserved = 30
    notes = " ".join(channel.probe().warnings)
    assert "at most 400 characters a post but the checks allow 500" in notes
    assert "each link as 30 characters but the checks count 23" in notes
