"""The daemon's store API: every campaign in one database, batched claims and outcomes, and an
audit log that accounts for every state a post went through."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import PostState, Store
from campaign.store.daemon_api import ClaimedPost, Published, Snapshot

FIRST = "stalking-awareness-week-2020"
SECOND = "fraud-week"
AFTER_THE_WEEK = datetime(2020, 4, 26, 22, 0, tzinfo=UTC)


@pytest.fixture
def two(store: Store, campaign_dir) -> Store:
    """Two campaigns planned and approved into one database."""
    config = load_config(campaign_dir / "config.toml")
    other = config.model_copy(
        update={"campaign": config.campaign.model_copy(update={"slug": SECOND})}
    )
    for each in (config, other):
        store_plan(each, store, "officer")
        store.approve(each.campaign.slug, "inspector")
    return store


def _slugs(posts: list[ClaimedPost]) -> Counter[str]:
    return Counter(post.campaign for post in posts)


def test_one_api_serves_every_campaign_in_the_database(two):
    api = two.publishing
    first, second = api.campaign_id(FIRST), api.campaign_id(SECOND)
    assert api.campaign_ids() == [first, second]
    scheduled = api.schedule_approved(AFTER_THE_WEEK)
    assert Counter(ref.campaign_id for ref in scheduled) == {first: 23, second: 23}
    assert len(api.due(AFTER_THE_WEEK, 100)) == 46
    assert len(api.due(AFTER_THE_WEEK, 100, scope=second)) == 23
    assert api.unfinished() == 46 and api.unfinished(first) == 23

    # One batched claim across both campaigns, honouring each campaign's own pause.
    two.pause(FIRST, "officer", "critical incident")
    claimed = api.acquire_due("d1", AFTER_THE_WEEK, 100)
    assert _slugs(claimed) == {SECOND: 23}
    two.resume(FIRST, "officer", "over")
    more = api.acquire_due("d1", AFTER_THE_WEEK, 100, exclude=[claimed[0].id])
    assert _slugs(more) == {FIRST: 23}
    assert api.acquire_due("d2", AFTER_THE_WEEK, 100) == []  # nothing left to claim

    # Outcomes of both campaigns recorded in one call; a lost claim is reported, not recorded.
    done = [Published(post.id, (f"id-{post.id}",), None, AFTER_THE_WEEK) for post in claimed + more]
    assert api.record_outcomes("d2", done[:1]) == [done[0].post_id]
    assert api.record_outcomes("d1", done) == []
    for slug in (FIRST, SECOND):
        assert {post.state for post in two.posts(slug)} == {PostState.PUBLISHED}
        published = [e for e in two.audit_log(slug) if e.action == "published"]
        assert len(published) == 23 and {e.actor for e in published} == {"d1"}

    # Metrics: due for both campaigns, saved in one batch, read back per campaign.
    offsets = {"1h": timedelta(hours=1)}
    later = AFTER_THE_WEEK + timedelta(hours=2)
    due = api.metrics_due(later, offsets)
    assert Counter(item.campaign_id for item in due) == {first: 23, second: 23}
    api.save_snapshots(
        [
            Snapshot(
                item.post_id,
                item.platform_post_id or "",
                later,
                item.offset,
                "ok",
                "2",
                ("impression_count",),
                {"impression_count": 5},
                {},
            )
            for item in due
        ]
    )
    assert api.metrics_due(later, offsets) == []
    posts, snapshots = two.posts_and_snapshots(SECOND)
    assert len(posts) == len(snapshots) == 23
    assert {s.post_id for s in snapshots} == {p.id for p in posts}


def test_misfires_and_the_next_moment_are_per_campaign_or_for_all(two):
    api = two.publishing
    first, second = api.campaign_id(FIRST), api.campaign_id(SECOND)
    api.schedule_approved(AFTER_THE_WEEK)
    assert api.next_due(first) == api.next_due(second) == api.next_due()
    missed = api.mark_missed(AFTER_THE_WEEK, timedelta(minutes=15), scope=second)
    assert {ref.campaign_id for ref in missed} == {second} and len(missed) == 23
    assert {post.state for post in two.posts(FIRST)} == {PostState.SCHEDULED}
    assert api.count_actions("missed", second) == 23 and api.count_actions("missed", first) == 0


def test_the_audit_log_accounts_for_every_state_each_post_went_through(week_factory):
    """A week with faults, a pause and a resume: for every post, the audit rows of its moves
    chain from `draft` to the state it is in, each move from the state the last one left."""
    week = week_factory(rate_5xx=0.2, rate_429=0.1, rate_drop_after_create=0.1)
    week.store.approve(FIRST, "inspector")
    daemon = week.daemon("d1")
    week.run(daemon, until=datetime(2020, 4, 22, 12, 0, tzinfo=UTC))
    week.store.pause(FIRST, "officer", "critical incident")
    week.run(daemon, until=datetime(2020, 4, 23, 12, 0, tzinfo=UTC))
    week.store.resume(FIRST, "officer", "over")
    week.run(daemon)
    states = Counter()
    for post in week.store.posts(FIRST):
        state = PostState.DRAFT
        moves = [
            e
            for e in week.store.audit_log(FIRST)
            if e.post_id == post.id and "new_state" in e.details
        ]
        for entry in moves:
            assert entry.details["previous_state"] == state, (post.key, entry.action)
            state = PostState(entry.details["new_state"])
        assert state is post.state, post.key
        states[post.state] += 1
    assert states[PostState.PUBLISHED] and states[PostState.MISSED]  # both paths were taken
