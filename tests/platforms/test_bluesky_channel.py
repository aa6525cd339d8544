"""The Bluesky channel over real HTTP against the PDS double: threads, images, facets,
sessions, errors, reconciliation and metrics."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaign.errors import AuthRejected, OutcomeUnknown, Permanent, RateLimited, Transient
from scheduler.channels.base import OutgoingMedia, OutgoingPost
from scheduler.sandbox.engagement import engagement
from tests.platforms.bluesky_support import channel, double, picture

HEAD = (
    "Stalking is a crime \U0001f1ec\U0001f1e7 https://www.stalkinghelpline.org #SeeStalkingClearly"
)
THREAD = OutgoingPost("day1-bsky", (HEAD, "Call 101 or report online.", "In danger? Call 999."))


def test_a_thread_goes_out_as_replies_with_root_and_parent_images_alt_and_facets(sandbox, tmp_path):
    bsky, account = channel(sandbox)
    image = OutgoingMedia(picture(tmp_path / "card.jpg"), "A dark blue card", "images/card.jpg")
    post = OutgoingPost(THREAD.key, THREAD.parts, (image,))
    with bsky:
        sent = bsky.publish(post)
    posts = double(sandbox).posts_of(account)
    assert [p.text for p in posts] == list(THREAD.parts)
    assert sent.part_ids == tuple(p.uri for p in posts)
    assert sent.url == f"https://bsky.app/profile/force.bsky.social/post/{posts[0].rkey}"
    head, second, third = (p.value for p in posts)
    assert "reply" not in head
    root = {"uri": posts[0].uri, "cid": posts[0].cid}
    assert {k: second["reply"]["root"][k] for k in root} == root
    assert {k: second["reply"]["parent"][k] for k in root} == root
    assert third["reply"]["root"]["uri"] == posts[0].uri
    assert third["reply"]["parent"] | {} and third["reply"]["parent"]["cid"] == posts[1].cid
    (embedded,) = head["embed"]["images"]
    assert embedded["alt"] == "A dark blue card"
    assert (embedded["aspectRatio"]["width"], embedded["aspectRatio"]["height"]) == (1200, 675)
    spans = {
        f["features"][0]["$type"].split("#")[1]: HEAD.encode()[
            f["index"]["byteStart"] : f["index"]["byteEnd"]
        ].decode()
        for f in head["facets"]
    }
    assert spans == {"link": "https://www.stalkinghelpline.org", "tag": "#SeeStalkingClearly"}


def test_one_session_serves_many_posts_and_an_expired_one_is_refreshed(sandbox, clock):
    bsky, account = channel(sandbox)
    pds = double(sandbox)
    with bsky:
        for n in range(3):
            bsky.publish(OutgoingPost(f"k{n}", (f"Post {n}",)))
        pds.expire_sessions(account)
        bsky.publish(OutgoingPost("k3", ("After expiry",)))
        clock.advance(timedelta(hours=3))  # past the access token's two hours
        bsky.publish(OutgoingPost("k4", ("Hours later",)))
    assert pds.session_creates == 1
    paths = [r.path.rsplit("/", 1)[1] for r in pds.requests]
    assert paths.count("com.atproto.server.refreshSession") == 2
    assert len(pds.posts_of(account)) == 5


def test_the_pds_refuses_what_bluesky_refuses(sandbox, tmp_path):
    bsky, _ = channel(sandbox)
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    too_long, fits = "a" * 299 + family * 2, "a" * 298 + family * 2  # 301 and 300 graphemes
    big = OutgoingMedia(picture(tmp_path / "big.jpg", (1400, 1400), noise=True), "noise", "b.jpg")
    small = OutgoingMedia(picture(tmp_path / "s.jpg"), "card", "s.jpg")
    with bsky:
        with pytest.raises(Permanent, match="300 graphemes"):
            bsky.publish(OutgoingPost("long", (too_long,)))
        bsky.publish(OutgoingPost("fits", (fits,)))  # 300 graphemes: accepted
        with pytest.raises(Permanent, match="1000000 bytes maximum"):
            bsky.publish(OutgoingPost("big", ("Big picture",), (big,)))
        with pytest.raises(Permanent, match="at most 4 images a post; this one has 5"):
            bsky.publish(OutgoingPost("five", ("Five pictures",), (small,) * 5))
    assert big.path.stat().st_size > 1_000_000
    assert double(sandbox).published_texts() == [fits]


def test_a_revoked_app_password_is_refused_in_words_without_secrets(sandbox):
    bsky, account = channel(sandbox)
    secret = bsky._password
    with bsky:
        bsky.publish(OutgoingPost("a", ("First",)))
        double(sandbox).revoke(account)
        with pytest.raises(AuthRejected) as refused:
            bsky.publish(OutgoingPost("b", ("Second",)))
    assert "Invalid identifier or password" in str(refused.value)
    assert secret not in str(refused.value) and "Bearer" not in str(refused.value)


def test_throttles_and_server_errors_are_transient_with_the_reset(sandbox, clock):
    bsky, _ = channel(sandbox)
    with bsky:
        bsky.probe()
        sandbox.update(rate_429=1.0)
        with pytest.raises(RateLimited) as limited:
            bsky.publish(OutgoingPost("a", ("Throttled",)))
        assert limited.value.reset_at == (clock.now() + timedelta(seconds=5)).replace(microsecond=0)
        sandbox.update(rate_429=0.0, rate_5xx=1.0)
        with pytest.raises(Transient, match="InternalServerError"):
            bsky.publish(OutgoingPost("a", ("Server error",)))
    assert double(sandbox).published_texts() == []


def test_a_lost_answer_is_unknown_and_found_again_before_any_resend(sandbox, clock):
    bsky, account = channel(sandbox)
    since = clock.now()
    with bsky:
        bsky.probe()
        sandbox.update(rate_drop_after_create=1.0)
        with pytest.raises(OutcomeUnknown):
            bsky.publish(THREAD)
        sandbox.update(rate_drop_after_create=0.0)
        found = bsky.find_published(THREAD, since)
        assert found is not None and len(found.part_ids) == 1  # only the head was created
        sent = bsky.publish(THREAD, already_sent=found.part_ids)
        again = bsky.find_published(THREAD, since)
        never = bsky.find_published(OutgoingPost("other", ("Never sent",)), since)
    posts = double(sandbox).posts_of(account)
    assert [p.text for p in posts] == list(THREAD.parts)  # each part exactly once
    assert again is not None and again.part_ids == sent.part_ids
    assert posts[2].value["reply"]["root"]["uri"] == posts[0].uri
    assert posts[2].value["reply"]["parent"]["uri"] == posts[1].uri
    assert never is None


def test_a_stopped_thread_resumes_from_the_next_part(sandbox):
    bsky, account = channel(sandbox)
    progress: list[tuple[int, str]] = []

    def stop_at_third(index: int) -> None:
        if index == 2:
            raise RuntimeError("paused")

    with bsky:
        with pytest.raises(RuntimeError):
            bsky.publish(
                THREAD,
                before_create=stop_at_third,
                on_part_sent=lambda i, uri: progress.append((i, uri)),
            )
        assert [i for i, _ in progress] == [0, 1]
        sent = bsky.publish(THREAD, already_sent=[uri for _, uri in progress])
    posts = double(sandbox).posts_of(account)
    assert len(posts) == 3 and sent.part_ids == tuple(p.uri for p in posts)
    assert posts[2].value["reply"]["parent"]["cid"] == posts[1].cid
    assert posts[2].value["reply"]["root"]["cid"] == posts[0].cid


def test_metrics_come_from_get_posts_without_views_and_a_gone_post_is_deleted(sandbox, clock):
    bsky, _ = channel(sandbox)
    with bsky:
        sent = bsky.publish(OutgoingPost("m", ("Measured",)))
        clock.advance(timedelta(hours=24))
        gone = sent.platform_post_id.rsplit("/", 1)[0] + "/3zzzzzzzzzzzz"
        readings = bsky.fetch_metrics([sent.platform_post_id, gone])
    reading = readings[sent.platform_post_id]
    seed, uri, day = sandbox.settings.seed, sent.platform_post_id, timedelta(hours=24)
    assert reading.values == {
        "likeCount": engagement(seed, uri, "likes", day),
        "repostCount": engagement(seed, uri, "retweets", day),
        "replyCount": engagement(seed, uri, "replies", day),
        "quoteCount": engagement(seed, uri, "quotes", day),
    }
    assert reading.values["likeCount"] > 0
    assert "views" in reading.unavailable and "views" not in reading.values
    assert readings[gone].deleted


def test_probe_names_the_account_and_says_app_passwords_do_not_expire(sandbox):
    bsky, account = channel(sandbox)
    with bsky:
        health = bsky.probe()
    assert health.account_id == double(sandbox).account(account).did
    assert (health.handle, health.name, health.expires_at) == (
        "@force.bsky.social",
        "Bluesky",
        None,
    )


def test_nothing_listening_is_transient_and_nothing_was_sent(sandbox):
    from campaign.config import Account
    from scheduler.channels.bluesky import BlueskyChannel

    account = Account(
        platform="bluesky",
        name="Nowhere",
        handle="@nowhere.bsky.social",
        base_url="http://127.0.0.1:9",
        credentials={"app_password": "NOWHERE_APP_PASSWORD"},
    )
    with BlueskyChannel(account, {"app_password": "pw-nowhere"}, timeout=2) as bsky:
        with pytest.raises(Transient, match="nothing was sent") as failed:
            bsky.publish(OutgoingPost("x", ("Hello",)))
    assert not isinstance(failed.value, OutcomeUnknown) and "pw-nowhere" not in str(failed.value)


def test_only_posts_the_pds_made_since_the_time_asked_are_looked_at(sandbox, clock):
    """Looking back too little must fail here as it would on the real PDS."""
    bsky, _ = channel(sandbox)
    post = OutgoingPost("old", ("Posted before the outage.",))
    with bsky:
        bsky.publish(post)
        clock.advance(timedelta(minutes=12))
        assert bsky.find_published(post, clock.now() - timedelta(minutes=10)) is None
        assert bsky.find_published(post, clock.now() - timedelta(minutes=13)) is not None


def test_a_late_create_is_unknown_and_found_once_it_lands(sandbox, clock):
    sandbox.update(late_create_seconds=1.0)
    bsky, account = channel(sandbox, timeout=0.5)
    since = clock.now()
    with bsky:
        bsky.probe()
        sandbox.land_late("bluesky")
        with pytest.raises(OutcomeUnknown, match="no answer within the timeout"):
            bsky.publish(OutgoingPost("late", ("Landing late.",)))
        assert bsky.find_published(OutgoingPost("late", ("Landing late.",)), since) is None
        clock.advance(timedelta(seconds=2))
        found = bsky.find_published(OutgoingPost("late", ("Landing late.",)), since)
    (post,) = double(sandbox).posts_of(account)
    assert found is not None and found.part_ids == (post.uri,)
