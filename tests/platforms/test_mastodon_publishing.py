"""At most once on Mastodon through the real daemon: lost answers, late creates and a takeover
are settled by looking at the account (and the Idempotency-Key) before any resend."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from click.testing import CliRunner

from campaign.cli import main
from campaign.store import PostState
from scheduler.channels.base import OutgoingPost
from scheduler.sandbox import SandboxSettings
from tests.platforms.mastodon_support import SLUG, MastodonWeek, double, masto_channel


@pytest.fixture
def week_of(campaign_dir, tmp_path, clock) -> Iterator:
    weeks: list[MastodonWeek] = []

    def make(**settings) -> MastodonWeek:
        week = MastodonWeek(campaign_dir, tmp_path, clock, SandboxSettings(seed=11, **settings))
        weeks.append(week)
        return week

    yield make
    for week in weeks:
        week.close()


def _states(week: MastodonWeek) -> set[str]:
    return {post.state for post in week.store.posts(SLUG)}


def test_lost_answers_after_creates_never_make_a_second_status(week_of):
    week = week_of(rate_drop_after_create=0.5)
    week.run(week.daemon())
    assert _states(week) == {PostState.PUBLISHED}
    assert sum(week.copies().values()) == 6 and max(week.copies().values()) == 1
    # A lost answer is looked for on the account before anything is sent again.
    looked = [e for e in week.store.audit_log(SLUG) if e.action == "reconciling"]
    assert looked, "no answer was lost: the test did not exercise the fault"


def test_late_creates_are_waited_for_and_found_never_resent(week_of):
    # A third of creates land 2 s after the client (0.5 s timeout) gave up.
    week = week_of(rate_late_create=0.34, late_create_seconds=2.0)
    week.run(week.daemon())
    week.clock.advance(timedelta(minutes=5))
    assert _states(week) == {PostState.PUBLISHED}
    assert max(week.copies().values()) == 1 and sum(week.copies().values()) == 6
    published = [e for e in week.store.audit_log(SLUG) if e.action == "published"]
    assert any(e.details["found_by_reconciliation"] for e in published)


def test_a_takeover_after_an_outage_finds_the_thread_sent_before(week_of):
    week = week_of()
    [post] = week.store.posts(SLUG, keys=["2020-04-21-mastodon-x"])
    week.clock.set(post.scheduled_at)
    first = week.daemon("daemon-first")
    first.housekeeping()
    [claimed] = first.publisher.claim(first.due())
    first.publisher.channel(claimed).publish(claimed.post)  # sent; nothing recorded
    week.clock.advance(timedelta(minutes=12))
    second = week.daemon("daemon-second")
    second.run_once()
    [row] = week.store.posts(SLUG, keys=["2020-04-21-mastodon-x"])
    assert row.state == PostState.PUBLISHED, row.last_error
    assert len(row.live_part_ids) == 2 and max(week.copies().values()) == 1
    [published] = [e for e in week.store.audit_log(SLUG) if e.action == "published"]
    assert published.details["found_by_reconciliation"]


def test_the_double_only_returns_statuses_since_the_time_asked(sandbox, clock):
    """Looking back too little must fail here as it would on a real instance."""
    channel, _ = masto_channel(sandbox)
    post = OutgoingPost("old", ("Posted before the outage.",))
    channel.publish(post)
    clock.advance(timedelta(minutes=12))
    assert channel.find_published(post, clock.now() - timedelta(minutes=10)) is None
    assert channel.find_published(post, clock.now() - timedelta(minutes=13)) is not None


def test_preflight_warns_when_the_instance_takes_fewer_characters(week_of):
    week = week_of()
    environ = week.sandbox.credentials(list(week.config.accounts.values()))

    def preflight() -> dict:
        result = CliRunner().invoke(
            main,
            ["preflight", "--database", str(week.store.engine.url), "--json"],
            env=environ,
            obj={"clock": week.clock},
        )
        return json.loads(result.output)

    assert [f for f in preflight()["findings"] if f["check"] == "platform-limits"] == []
    double(week.sandbox).max_characters = 400
    data = preflight()
    [finding] = [f for f in data["findings"] if f["check"] == "platform-limits"]
    assert finding["severity"] == "warning"
    assert "takes at most 400 characters a post but the checks allow 500" in finding["what"]
    assert {a["account"]: a["status"] for a in data["accounts"]} == {"mastodon": "ok"}
