"""One real daemon process given only the database (`campaign daemon --database URL`) publishes
two campaigns planned into it, on the accelerated clock against the sandbox: every post exactly
once, counted on the sandbox's side, and their metrics collected."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from campaign.clock import SpeedClock
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import PostState, Store
from scheduler.sandbox import PlatformSandbox, SandboxSettings
from tests.conftest import fresh_database

# Daemons on an accelerated real-time clock: `make test` runs these alone, after the rest.
pytestmark = [pytest.mark.slow, pytest.mark.serial]

SPEED = 10_000.0  # two days in about ten seconds
WEEK_SPEED = 30_000.0  # the two daemons' week in about twenty seconds
FIRST = "stalking-awareness-week-2020"
SECOND = "second-force-week-2020"


def _publishing(speed: float) -> str:
    """Accelerated: a sweep every 0.05 s is 500 simulated seconds at SPEED, so allow for it.
    The durations grow with the speed so that they last as long in real time at any speed
    (grace 1.44 s, heartbeat timeout 0.72 s)."""
    scale = speed / SPEED
    return f"""
[publishing]
grace_minutes = {240 * scale:g}
max_attempts = 8
workers = 8
poll_seconds = 0.05
heartbeat_timeout_seconds = {7200 * scale:g}
settle_seconds = {60 * scale:g}
retry_base_seconds = {5 * scale:g}
retry_max_seconds = {300 * scale:g}
"""


def _command(entry: str, database_url: str, clock: SpeedClock) -> list[str]:
    """`campaign daemon` or `python -m scheduler`, given the database and nothing else."""
    program = (
        ["-c", "from campaign.cli import main; main(prog_name='campaign')", "daemon"]
        if entry == "campaign"
        else ["-m", "scheduler"]
    )
    return [
        sys.executable,
        *program,
        "--database",
        database_url,
        "--clock-start",
        clock.start.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "--clock-speed",
        repr(clock.speed),
        "--clock-origin",
        repr(clock.origin),
    ]


def _first_two_days(config) -> None:
    """Monday and Tuesday only: threads, an image, both platforms and posts of both forces
    due at the same moments, in a third of the accelerated week."""
    text = config.read_text(encoding="utf-8")
    third = text.index("[[days]]", text.index("[[days]]", text.index("[[days]]") + 1) + 1)
    config.write_text(text[:third], encoding="utf-8")


def _publish_two_forces(
    tmp_path,
    campaign_dir,
    another_campaign,
    point_at_sandbox,
    database_url,
    entries,
    *,
    days=7,
    speed=SPEED,
) -> set[str]:
    """Plan both forces' weeks into the database, start a daemon per entry point given only
    the database, and require every post of both published exactly once (counted on the
    sandbox) and engagement read for both. Returns the daemons that published."""
    first_post = datetime(2020, 4, 20, 8, 0, tzinfo=UTC)
    origin = time.time() + 4.0 + 2 * len(entries)  # time to start them before the week begins
    clock = SpeedClock(first_post - timedelta(minutes=5), speed, origin)
    sandbox = PlatformSandbox(SandboxSettings(seed=12, latency_seconds=0.01), clock).start()
    processes: list[subprocess.Popen[bytes]] = []
    store = Store.open(database_url)
    try:
        configs = [campaign_dir / "config.toml", another_campaign(SECOND, shift_days=0)]
        environ = {**os.environ}
        for n, path in enumerate(configs):
            point_at_sandbox(path, sandbox, other_force=n == 1, publishing=_publishing(speed))
            if days == 2:
                _first_two_days(path)
            config = load_config(path)
            store_plan(config, store, "officer")
            store.approve(config.campaign.slug, "inspector")
            environ.update(sandbox.credentials(list(config.accounts.values())))
        environ.pop("CAMPAIGN_DATABASE_URL", None)
        for entry in entries:
            processes.append(
                subprocess.Popen(
                    _command(entry, database_url, clock),
                    env=environ,
                    cwd=tmp_path,  # no config.toml here: the database is all it is given
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
            )
        expected = {slug: len(store.posts(slug)) for slug in (FIRST, SECOND)}
        deadline = time.time() + 150
        while time.time() < deadline:
            states = Counter(
                (slug, post.state) for slug in (FIRST, SECOND) for post in store.posts(slug)
            )
            snapshots = {slug: len(store.posts_and_snapshots(slug)[1]) for slug in (FIRST, SECOND)}
            published = all(
                states[slug, PostState.PUBLISHED] == expected[slug] for slug in expected
            )
            if published and all(snapshots.values()):
                break
            for process in processes:
                assert process.poll() is None, process.communicate()[1].decode()[-3000:]
            time.sleep(0.5)
        else:
            raise AssertionError(f"not published: {states}, snapshots {snapshots}")

        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            out, err = (text.decode() for text in process.communicate(timeout=30))
            assert process.returncode == 0, err[-3000:]
            assert "2 campaigns" in out and "Stalking Awareness Week 2020" in out
            assert "second force week 2020" in out
            assert "Traceback" not in err

        # Counted on the platforms' side: every part of every post exactly once (the two
        # forces post the same words, each on its own accounts).
        sent = Counter((tweet.author_id, tweet.text) for tweet in sandbox.x.tweets)
        sent.update((post.page_id, post.message) for post in sandbox.facebook.posts)
        assert max(sent.values()) == 1
        stored = [p for slug in (FIRST, SECOND) for p in store.posts(slug)]
        first_two = ("x", "facebook")
        parts = sum(len(p.parts) for p in stored if p.account.platform in first_two)
        assert sum(sent.values()) == parts
        # And on the later platforms, as many texts arrived as the posts there have parts.
        later = sum(
            len(texts)
            for platform, texts in sandbox.published_texts().items()
            if platform not in first_two
        )
        assert later == sum(len(p.parts) for p in stored if p.account.platform not in first_two)
        # Each force's posts went to its own accounts.
        assert len({t.author_id for t in sandbox.x.tweets}) == 2
        pages = {post.page_id for post in sandbox.facebook.posts}
        assert pages == {"104857361209584", "204857361209584"}
        # Both campaigns' engagement was read.
        for slug in (FIRST, SECOND):
            posts, snapshots = store.posts_and_snapshots(slug)
            assert {s.post_id for s in snapshots} <= {p.id for p in posts}
            assert any(s.status == "ok" for s in snapshots)
        return {
            entry.actor
            for slug in (FIRST, SECOND)
            for entry in store.audit_log(slug)
            if entry.action == "published"
        }
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
        store.engine.dispose()
        sandbox.stop()


def test_one_daemon_given_only_the_database_publishes_two_campaigns(
    tmp_path, campaign_dir, another_campaign, point_at_sandbox
):
    database_url = f"sqlite:///{tmp_path / 'force.db'}"
    publishers = _publish_two_forces(
        tmp_path,
        campaign_dir,
        another_campaign,
        point_at_sandbox,
        database_url,
        ["campaign"],
        days=2,  # one daemon: two days show it; two daemons need the week to share
    )
    assert len(publishers) == 1


@pytest.mark.postgres
def test_two_daemons_given_only_a_postgresql_database_share_two_campaigns(
    tmp_path, campaign_dir, another_campaign, point_at_sandbox, postgres_url
):
    database_url = fresh_database(postgres_url, "two_forces")
    publishers = _publish_two_forces(
        tmp_path,
        campaign_dir,
        another_campaign,
        point_at_sandbox,
        database_url,
        ["scheduler", "scheduler"],
        speed=WEEK_SPEED,  # the whole week, so that both daemons get posts to claim
    )
    assert len(publishers) == 2, f"both daemons should have shared the work: {publishers}"
