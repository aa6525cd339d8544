"""The long-running daemon (APScheduler runner) in this process, against the sandbox: a slow
request holds only its own post, and the scheduler does not fill the log while it waits."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from campaign.store import PostRow, PostState
from scheduler.channels import channels_for
from scheduler.daemon import Daemon
from scheduler.runner import DaemonRunner

SLUG = "stalking-awareness-week-2020"
MONDAY_11 = datetime(2020, 4, 20, 11, 0, tzinfo=UTC)  # the Facebook post's time (12:00 BST)


def _wait_for(condition, seconds: float) -> float:
    """Poll until `condition()` holds; returns the seconds it took (fails after `seconds`)."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "timed out"
        time.sleep(0.02)
    return time.monotonic() - started


def test_a_slow_send_does_not_delay_a_retry_that_falls_due(week_factory, caplog):
    week = week_factory(rate_slow=1.0, slow_seconds=4.0)
    week.store.approve(SLUG, "inspector", keys=["2020-04-20-x", "2020-04-20-facebook"])
    publishing = week.config.publishing.model_copy(
        update={"poll_seconds": 0.1, "grace_minutes": 600, "workers": 4}
    )
    week.config = week.config.model_copy(update={"publishing": publishing})
    environ = week.sandbox.credentials(list(week.config.accounts.values()))
    daemon = Daemon.for_config(
        week.store, week.config, channels_for(week.config, environ, timeout=8.0), week.clock
    )
    week.daemons.append(daemon)
    week.clock.set(MONDAY_11)
    daemon.housekeeping()  # schedules both posts
    # Monday's X post failed once at 09:00 and retries at 11:00:30.
    with week.store.transaction() as session:
        session.execute(
            update(PostRow)
            .where(PostRow.key == "2020-04-20-x")
            .values(
                attempts=1,
                next_attempt_at=MONDAY_11 + timedelta(seconds=30),
                last_error="HTTP 503 Service Unavailable",
            )
        )
    runner = DaemonRunner(daemon)
    caplog.set_level(logging.INFO)
    runner.start()
    try:
        # The Facebook post goes out; the platform takes four seconds to answer.
        _wait_for(lambda: any(r.method == "POST" for r in week.sandbox.facebook.requests), 5)
        week.sandbox.update(rate_slow=0.0)
        week.clock.set(MONDAY_11 + timedelta(seconds=31))

        took = _wait_for(lambda: week.states()["2020-04-20-x"] == PostState.PUBLISHED, 10)

        assert took < 2.0, f"the retry waited {took:.1f} s behind the slow send"
        assert week.states()["2020-04-20-facebook"] == PostState.PUBLISHING  # still waiting
        _wait_for(lambda: week.states()["2020-04-20-facebook"] == PostState.PUBLISHED, 10)
    finally:
        runner.stop()
    assert len(week.sandbox.x.tweets) == 3 and len(week.sandbox.facebook.posts) == 1
    noisy = [r for r in caplog.records if "maximum number of running instances" in r.getMessage()]
    assert noisy == []


def test_a_send_in_doubt_is_looked_for_by_one_daemon_at_a_time(week_factory):
    from campaign.store.control import heartbeat

    week = week_factory()
    week.store.approve(SLUG, "inspector", keys=["2020-04-20-x"])
    now = datetime(2020, 4, 20, 9, 1, tzinfo=UTC)
    stale = now - timedelta(seconds=30)
    with week.store.transaction() as session:
        for daemon_id in ("a", "b"):
            heartbeat(session, daemon_id, now)
        session.execute(
            update(PostRow)
            .where(PostRow.key == "2020-04-20-x")
            .values(
                state=PostState.PUBLISHING,
                claimed_by="a",
                in_doubt=True,
                next_attempt_at=now - timedelta(seconds=1),
            )
        )

    def take(daemon_id: str, busy=()) -> list[str]:
        posts = week.store.publishing.take_over_in_doubt(daemon_id, now, stale, busy=busy)
        return [post.key for post in posts]

    [post_id] = [p.id for p in week.store.posts(SLUG, keys=["2020-04-20-x"])]
    assert take("a", busy={post_id}) == []  # this process is already looking for it
    assert take("a") == ["2020-04-20-x"]
    assert take("b") == []  # "a" is looking: nobody else takes it meanwhile
    assert take("a") == []
