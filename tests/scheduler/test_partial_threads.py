"""The pause is checked before every create, and a thread whose first part is public is
`partial` (loud, with links), finished at resume even past grace, or abandoned by an approver.
Real clients over real HTTP to the sandbox; the CLI through CliRunner.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

import campaign.cli.publish  # noqa: F401 - the publishing commands
from campaign.cli import main
from campaign.store import PostState
from campaign.store.partial import AbandonRefused
from campaign.store.users import add_user
from campaign.web.status import post_status

SLUG = "stalking-awareness-week-2020"
THREAD = "2020-04-21-x"  # two parts, 10:00 in London (09:00 UTC), no image


def _post(week, key):
    return week.store.posts(SLUG, keys=[key])[0]


def _copies(sandbox) -> Counter[str]:
    return Counter(tweet.text for tweet in sandbox.x.tweets)


def test_a_pause_during_the_image_upload_stops_the_first_create(week_factory):
    week = week_factory(latency_seconds=0.3)  # each request takes 0.3 s
    key = "2020-04-20-x"  # an image, then three parts
    week.store.approve(SLUG, "inspector", keys=[key])
    daemon = week.daemon()
    week.clock.set(_post(week, key).scheduled_at)
    daemon.housekeeping()
    [claimed] = daemon.publisher.claim(daemon.due())
    outcome: list[str] = []
    sending = threading.Thread(target=lambda: outcome.append(daemon.publisher.send(claimed)))
    sending.start()
    time.sleep(0.15)  # the image upload is in flight
    week.store.pause(SLUG, "inspector", "critical incident in the county")
    sending.join()
    assert outcome == ["paused"]
    assert any(r.path == "/2/media/upload" for r in week.sandbox.x.requests)
    assert week.sandbox.x.tweets == []  # nothing was created after the pause
    row = _post(week, key)
    assert row.state == PostState.SCHEDULED and row.live_part_ids == []
    assert [e.action for e in week.store.audit_log(SLUG)][-2:] == ["paused", "released"]


def _status(week, monkeypatch, *args: str):
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", f"sqlite:///{week.store.engine.url.database}")
    result = CliRunner().invoke(main, ["status", "--config", str(week.config_path), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_thread_stopped_by_a_pause_past_grace_is_partial_and_finished_at_resume(
    week_factory, monkeypatch
):
    # X takes one post per 15 minutes: the first part goes out, the second waits for the reset.
    week = week_factory(x_posts_per_15min=1)
    week.store.approve(SLUG, "inspector", keys=[THREAD])
    daemon = week.daemon(grace_minutes=30)
    start = _post(week, THREAD).scheduled_at
    week.clock.set(start)
    daemon.run_once()
    assert _post(week, THREAD).state == PostState.SCHEDULED  # retrying part 2 after the reset
    week.clock.set(start + timedelta(minutes=5))
    week.store.pause(SLUG, "inspector", "critical incident in the county")
    week.clock.set(start + timedelta(minutes=31))  # the pause outlasts the grace window
    daemon.run_once()
    row = _post(week, THREAD)
    assert row.state == PostState.PARTIAL, row.last_error
    [head] = row.live_part_ids
    link = f"https://x.com/DerbyshirePolice/status/{head}"
    # Loud: an audit row, `status` and its JSON, the dashboard's post state.
    [audit] = [e for e in week.store.audit_log(SLUG) if e.action == "partial"]
    assert audit.details["progress"] == "1 of 2 parts public"
    text = _status(week, monkeypatch)
    assert "partial: 1 of 2 parts public" in text and link in text
    [as_json] = [
        p for p in json.loads(_status(week, monkeypatch, "--json"))["posts"] if p["key"] == THREAD
    ]
    assert as_json["partial"] == {
        "public": 1,
        "parts": 2,
        "text": "partial: 1 of 2 parts public",
        "links": [link],
    }
    view = post_status(row, ZoneInfo("Europe/London"))
    assert "1 of 2 parts public" in view.label and view.link == link
    # Resumed past grace: the rest of the thread still goes out, once, under the head.
    week.sandbox.update(x_posts_per_15min=100)
    week.clock.set(start + timedelta(minutes=40))
    week.store.resume(SLUG, "inspector", "incident over")
    daemon.run_once()
    row = _post(week, THREAD)
    assert row.state == PostState.PUBLISHED and row.live_part_ids[0] == head
    assert max(_copies(week.sandbox).values()) == 1
    second = week.sandbox.x.tweet(row.live_part_ids[1])
    assert second.in_reply_to == head


def test_a_refused_later_part_leaves_a_partial_thread_an_approver_can_abandon(
    week_factory, monkeypatch
):
    week = week_factory(blocked_phrases=("put spy apps on your phone",))  # in the second part only
    week.store.approve(SLUG, "inspector", keys=[THREAD, "2020-04-21-facebook"])
    daemon = week.daemon()
    week.clock.set(_post(week, THREAD).scheduled_at)
    week.run(daemon, until=_post(week, "2020-04-21-facebook").scheduled_at)
    row = _post(week, THREAD)
    assert row.state == PostState.PARTIAL and "not permitted" in row.last_error
    assert len(row.live_part_ids) == 1 and len(week.sandbox.x.tweets) == 1
    # Only an approver may abandon it, with a reason; only a partial thread can be abandoned.
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", f"sqlite:///{week.store.engine.url.database}")
    config = str(week.config_path)

    def abandon(*args: str):
        return CliRunner().invoke(main, ["abandon", "--config", config, *args])

    refused = abandon(THREAD, "--reason", "posted by hand", "--by", "ann")
    assert refused.exit_code == 2 and "only an approver" in refused.output
    add_user(week.store, "alice", "a long enough password", "approver")
    done = abandon(THREAD, "--reason", "the rest was posted by hand", "--by", "alice")
    assert done.exit_code == 0, done.output
    assert "1 of 2 parts public" in done.output
    row = _post(week, THREAD)
    assert row.state == PostState.ABANDONED
    [audit] = [e for e in week.store.audit_log(SLUG) if e.action == "abandoned"]
    assert audit.actor == "alice" and audit.details["reason"] == "the rest was posted by hand"
    with pytest.raises(AbandonRefused, match="published, not partial"):
        week.store.abandon(SLUG, "2020-04-21-facebook", "alice", "changed our mind")
    # Resuming does not bring an abandoned thread back.
    week.store.resume(SLUG, "alice", "go on")
    week.run(daemon, until=week.clock.now() + timedelta(hours=1))
    assert _post(week, THREAD).state == PostState.ABANDONED
    assert len(week.sandbox.x.tweets) == 1
