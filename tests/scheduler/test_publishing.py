"""The daemon publishes the week through the real clients to the sandbox: once, on time,
never lost. Time is a ManualClock shared by the daemon and the sandbox; HTTP is real.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from campaign.config import load_config
from campaign.health import publishing_health
from campaign.planning import store_plan
from campaign.store import PostState, Store
from scheduler.channels import channels_for
from scheduler.daemon import Daemon
from scheduler.rehearsal import sandbox_config
from scheduler.sandbox import PlatformSandbox, SandboxSettings

SLUG = "stalking-awareness-week-2020"


def _sent_texts(sandbox) -> Counter[tuple[str, str]]:
    """Every (platform, text) created in the sandbox, with how often: a text may go out
    once on each platform (a thread's helpline part), never twice on one."""
    return Counter(
        (platform, text) for platform, texts in sandbox.published_texts().items() for text in texts
    )


def test_the_whole_week_is_published_once_at_its_times(week_factory):
    week = week_factory()
    week.store.approve(SLUG, "inspector")
    week.store.withdraw(SLUG, "inspector", "not signed off", keys=["2020-04-25-facebook"])
    daemon = week.daemon()
    week.run(daemon)
    states = week.states()
    assert states.pop("2020-04-25-facebook") == PostState.DRAFT
    assert set(states.values()) == {PostState.PUBLISHED}
    assert max(_sent_texts(week.sandbox).values()) == 1
    posts = {p.key: p for p in week.store.posts(SLUG)}
    # On time: each post went out at its scheduled moment (the clock jumps there exactly).
    for post in posts.values():
        if post.state == PostState.PUBLISHED:
            assert post.published_at - post.scheduled_at < timedelta(seconds=5)
    # Thread order and alt text intact on X.
    monday = posts["2020-04-20-x"]
    tweets = {t.id: t for t in week.sandbox.x.tweets}
    head, second, third = (tweets[i] for i in monday.platform_part_ids)
    assert (head.text, second.text, third.text) == tuple(monday.parts)
    assert second.in_reply_to == head.id and third.in_reply_to == second.id
    assert list(head.media_alt) == [monday.media[0]["alt"]]
    # The unapproved post never reached the platform.
    saturday_fb = posts["2020-04-25-facebook"]
    assert saturday_fb.parts[0] not in [p.message for p in week.sandbox.facebook.posts]


def test_cancelled_posts_are_never_sent(week_factory, edit):
    week = week_factory()
    week.store.approve(SLUG, "inspector")
    edit(
        "config.toml",
        '  { channel = "x", time = "11:00", template = "take-it-seriously/x.j2" },\n',
        "",
    )
    config = sandbox_config(load_config(week.config_path), week.sandbox)
    week.config = config
    store_plan(config, week.store, "officer")
    week.run(week.daemon())
    assert week.states()["2020-04-26-x"] == PostState.CANCELLED
    sunday = week.store.posts(SLUG, keys=["2020-04-26-x"])[0]
    assert sunday.parts[0] not in [t.text for t in week.sandbox.x.tweets]


def test_high_fault_rate_still_publishes_everything_in_its_window_with_no_duplicates(week_factory):
    week = week_factory(rate_429=0.2, rate_5xx=0.2, rate_drop_after_create=0.15)
    week.store.approve(SLUG, "inspector")
    week.run(week.daemon())
    assert set(week.states().values()) == {PostState.PUBLISHED}
    assert max(_sent_texts(week.sandbox).values()) == 1
    grace = week.config.publishing.grace
    for post in week.store.posts(SLUG):
        assert post.published_at - post.scheduled_at <= grace
    audit = Counter(entry.action for entry in week.store.audit_log(SLUG))
    assert audit["retry-scheduled"] > 0 and audit["published"] == 23


def test_a_reply_lost_after_the_post_was_created_is_found_not_resent(week_factory):
    week = week_factory(rate_drop_after_create=1.0)
    week.store.approve(SLUG, "inspector", keys=["2020-04-21-facebook", "2020-04-21-x"])
    week.run(week.daemon())
    states = week.states()
    assert states["2020-04-21-facebook"] == states["2020-04-21-x"] == PostState.PUBLISHED
    assert max(_sent_texts(week.sandbox).values()) == 1
    assert len(week.sandbox.facebook.posts) == 1 and len(week.sandbox.x.tweets) == 2
    published = [e for e in week.store.audit_log(SLUG) if e.action == "published"]
    assert all(e.details["found_by_reconciliation"] for e in published)


def test_pause_during_a_burst_stops_everything_claimed_after_it(week_factory):
    week = week_factory(latency_seconds=0.05)
    week.store.approve(SLUG, "inspector")
    # The daemon was down all week (grace is a week here), so the 22 posts before Sunday
    # 12:05 fall due at once (all but Sunday's 12:30 Threads post).
    daemon = week.daemon(grace_minutes=7 * 24 * 60, workers=2)
    week.clock.set(datetime(2020, 4, 26, 11, 5, tzinfo=UTC))
    daemon.housekeeping()
    due = daemon.due()
    assert len(due) == 22
    outcomes: Counter[str] = Counter()
    burst = threading.Thread(target=lambda: outcomes.update(daemon.publish_many(due)))
    burst.start()
    time.sleep(0.4)
    week.store.pause(SLUG, "inspector", "critical incident in the county")
    burst.join()
    audit = week.store.audit_log(SLUG)
    paused_at = next(entry.id for entry in audit if entry.action == "paused")
    claims = [entry for entry in audit if entry.action == "claimed"]
    assert [c for c in claims if c.id > paused_at] == []
    claimed_before = {c.post_id for c in claims}
    assert 0 < len(claimed_before) < 22 and outcomes["not-claimed"] == 22 - len(claimed_before)
    # Everything on the platforms came from a post claimed before the pause.
    posts = {p.id: p for p in week.store.posts(SLUG)}
    sent_heads = {t.id for t in week.sandbox.x.tweets if t.in_reply_to is None}
    sent_heads |= {p.id for p in week.sandbox.facebook.posts}
    owners = {posts[i].platform_post_id: i for i in claimed_before if posts[i].platform_post_id}
    assert sent_heads <= set(owners)
    week.store.resume(SLUG, "inspector", "incident over")
    week.run(daemon)
    assert set(week.states().values()) == {PostState.PUBLISHED}
    assert max(_sent_texts(week.sandbox).values()) == 1


def test_posts_past_the_grace_window_are_missed_with_a_reason_never_sent_late(week_factory):
    week = week_factory()
    week.store.approve(SLUG, "inspector")
    daemon = week.daemon()
    # The daemon starts on Wednesday morning: Monday and Tuesday are long gone.
    week.clock.set(datetime(2020, 4, 22, 8, 0, tzinfo=UTC))
    week.run(daemon)
    states = week.states()
    for key, state in states.items():
        expected = PostState.MISSED if key < "2020-04-22" else PostState.PUBLISHED
        assert state == expected, key
    missed = week.store.posts(SLUG, keys=["2020-04-20-x"])[0]
    assert "grace window" in missed.last_error
    assert missed.parts[0] not in [t.text for t in week.sandbox.x.tweets]


def test_a_late_start_within_the_grace_window_still_publishes(week_factory):
    week = week_factory()
    week.store.approve(SLUG, "inspector", day=date(2020, 4, 20))
    week.clock.set(datetime(2020, 4, 20, 9, 10, tzinfo=UTC))  # ten minutes late
    daemon = week.daemon()
    daemon.run_once()
    assert week.states()["2020-04-20-x"] == PostState.PUBLISHED


def test_a_rejected_token_holds_the_accounts_posts_until_resumed(week_factory):
    week = week_factory(expired_token=True)
    week.store.approve(SLUG, "inspector", day=date(2020, 4, 20))
    daemon = week.daemon()
    week.clock.set(datetime(2020, 4, 20, 9, 0, tzinfo=UTC))
    daemon.run_once()
    accounts = {a.key: a for a in week.store.accounts(SLUG)}
    assert accounts["x"].needs_credentials and accounts["x"].credentials_problem
    assert not accounts["facebook"].needs_credentials  # its first post is not due yet
    health = publishing_health(week.store, SLUG, week.clock.now(), 30)
    [x_health] = [a for a in health.accounts if a.key == "x"]
    assert x_health.needs_credentials and health.any_daemon_alive
    assert week.states()["2020-04-20-x"] == PostState.SCHEDULED  # held, not failed or burned
    week.sandbox.update(expired_token=False)
    week.store.resume(SLUG, "officer", "token renewed", account="x")
    week.clock.set(datetime(2020, 4, 20, 9, 5, tzinfo=UTC))
    daemon.run_once()
    assert week.states()["2020-04-20-x"] == PostState.PUBLISHED


def test_an_image_changed_on_disk_after_approval_does_not_change_what_is_sent(
    week_factory, campaign_dir
):
    """The approved picture's bytes are in the database: an edit of the file after approval
    is not sent (the next plan takes it up, and clears the approval)."""
    week = week_factory()
    week.store.approve(SLUG, "inspector", day=date(2020, 4, 20))
    image = campaign_dir / "posts" / "images" / "see-stalking-clearly.png"
    approved = image.read_bytes()
    image.write_bytes(approved + b"\0")
    week.clock.set(datetime(2020, 4, 20, 9, 0, tzinfo=UTC))
    week.daemon().run_once()
    assert week.states()["2020-04-20-x"] == PostState.PUBLISHED
    assert [m.size for m in week.sandbox.x.media.values()] == [len(approved)]


def test_an_image_whose_stored_bytes_changed_after_approval_is_not_sent(week_factory, campaign_dir):
    from sqlalchemy import update

    from campaign.store.content_rows import MediaRow

    week = week_factory()
    week.store.approve(SLUG, "inspector", day=date(2020, 4, 20))
    image = campaign_dir / "posts" / "images" / "see-stalking-clearly.png"
    image.write_bytes(image.read_bytes() + b"\0")
    with week.store.transaction() as session:  # bytes no longer those approved
        session.execute(update(MediaRow).values(data=image.read_bytes()))
    week.clock.set(datetime(2020, 4, 20, 9, 0, tzinfo=UTC))
    week.daemon().run_once()
    post = week.store.posts(SLUG, keys=["2020-04-20-x"])[0]
    assert post.state == PostState.DRAFT and post.approved_hash is None
    assert week.sandbox.x.tweets == []


def test_status_shows_a_live_daemon_heartbeat(week_factory):
    week = week_factory()
    daemon = week.daemon()
    daemon.run_once()
    [row] = week.store.daemons()
    assert row.id == daemon.id and row.heartbeat_at == week.clock.now() and row.stopped_at is None
    daemon.stop()
    assert week.store.daemons()[0].stopped_at is not None


def test_a_week_across_the_clock_change_posts_at_local_wall_clock_times(
    tmp_path, clock, write_placeholders
):
    from zoneinfo import ZoneInfo

    from campaign.scaffold import scaffold

    # The clocks go forward at 01:00 GMT on Sunday 29 March 2026.
    scaffold(
        tmp_path / "spring",
        name="Spring Week",
        hashtag="#SpringWeek",
        start=date(2026, 3, 26),
        organisation="Test Force",
    )
    write_placeholders(tmp_path / "spring")
    clock.set(datetime(2026, 3, 26, 0, 0, tzinfo=UTC))
    store = Store.open(f"sqlite:///{tmp_path / 'spring.db'}", clock)
    with PlatformSandbox(SandboxSettings(seed=2), clock) as sandbox:
        config = sandbox_config(load_config(tmp_path / "spring" / "config.toml"), sandbox)
        store_plan(config, store, "officer")
        store.approve("spring-week", "inspector")
        environ = sandbox.credentials(list(config.accounts.values()))
        channels = channels_for(config, environ, timeout=0.5)
        daemon = Daemon.for_config(store, config, channels, clock)
        for _ in range(100):
            daemon.run_once()
            upcoming = daemon.next_due()
            if upcoming is None:
                break
            clock.set(max(upcoming, clock.now() + timedelta(seconds=1)))
        daemon.stop()
        london = ZoneInfo("Europe/London")
        local = sorted(t.created_at.astimezone(london) for t in sandbox.x.tweets)
        utc_hours = sorted({t.created_at.astimezone(UTC).hour for t in sandbox.x.tweets})
    store.engine.dispose()
    assert len(local) == 7
    assert {(moment.hour, moment.minute) for moment in local} == {(10, 0)}
    assert utc_hours == [9, 10]  # 10:00 GMT before the change, 10:00 BST (09:00 UTC) after
