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
from pathlib import Path

import pytest

from campaign.clock import SpeedClock
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import PostState, Store
from scheduler.sandbox import PlatformSandbox, SandboxSettings

pytestmark = pytest.mark.slow

SPEED = 10_000.0  # the week in about a minute
FIRST = "stalking-awareness-week-2020"
SECOND = "second-force-week-2020"
# Accelerated: a sweep every 0.05 s is 500 simulated seconds, so allow for it.
PUBLISHING = """
[publishing]
grace_minutes = 240
max_attempts = 8
workers = 8
poll_seconds = 0.05
heartbeat_timeout_seconds = 7200
"""


def _for_the_sandbox(config: Path, sandbox: PlatformSandbox, *, other_force: bool) -> None:
    """Point the copy's accounts at the sandbox (what `campaign plan` stores); the second
    force has accounts of its own (the sandbox, like X, refuses a repeated text)."""
    text = config.read_text(encoding="utf-8")
    text = text.replace('"https://api.twitter.com"', f'"{sandbox.x_base_url}"')
    text = text.replace('"https://graph.facebook.com"', f'"{sandbox.graph_base_url}"')
    start = text.index("[publishing]")
    end = text.index("[metrics]")
    text = text[:start] + PUBLISHING.lstrip() + "\n" + text[end:]
    if other_force:
        text = text.replace("@DerbyshirePolice", "@SecondForce")
        text = text.replace('page_id = "104857361209584"', 'page_id = "204857361209584"')
        text = text.replace("DERBYSHIRE_", "SECOND_")
    config.write_text(text, encoding="utf-8")


def _command(database_url: str, clock: SpeedClock, origin: float) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from campaign.cli import main; main(prog_name='campaign')",
        "daemon",
        "--database",
        database_url,
        "--clock-start",
        clock.start.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "--clock-speed",
        str(SPEED),
        "--clock-origin",
        repr(origin),
    ]


def test_one_daemon_given_only_the_database_publishes_two_campaigns(
    tmp_path, campaign_dir, another_campaign
):
    first_post = datetime(2020, 4, 20, 8, 0, tzinfo=UTC)
    origin = time.time() + 4.0  # time to start the process before the week begins
    clock = SpeedClock(first_post - timedelta(minutes=5), SPEED, origin)
    sandbox = PlatformSandbox(SandboxSettings(seed=12, latency_seconds=0.01), clock).start()
    database_url = f"sqlite:///{tmp_path / 'force.db'}"
    process: subprocess.Popen[bytes] | None = None
    try:
        configs = [campaign_dir / "config.toml", another_campaign(SECOND, shift_days=0)]
        environ = {**os.environ}
        store = Store.open(database_url)
        for n, path in enumerate(configs):
            _for_the_sandbox(path, sandbox, other_force=n == 1)
            config = load_config(path)
            store_plan(config, store, "officer")
            store.approve(config.campaign.slug, "inspector")
            environ.update(sandbox.credentials(list(config.accounts.values())))
        environ.pop("CAMPAIGN_DATABASE_URL", None)
        process = subprocess.Popen(
            _command(database_url, clock, origin),
            env=environ,
            cwd=tmp_path,  # no config.toml here: the database is all it is given
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
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
            assert process.poll() is None, process.communicate()[1].decode()[-3000:]
            time.sleep(0.5)
        else:
            raise AssertionError(f"not published: {states}, snapshots {snapshots}")

        process.send_signal(signal.SIGTERM)
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
        parts = sum(len(p.parts) for slug in (FIRST, SECOND) for p in store.posts(slug))
        assert sum(sent.values()) == parts
        # Each force's posts went to its own accounts.
        by_author = Counter(t.author_id for t in sandbox.x.tweets)
        assert len(by_author) == 2
        pages = Counter(post.page_id for post in sandbox.facebook.posts)
        assert set(pages) == {"104857361209584", "204857361209584"}
        # One daemon did all of it, and read both campaigns' engagement.
        daemons = {
            entry.actor
            for slug in (FIRST, SECOND)
            for entry in store.audit_log(slug)
            if entry.action == "published"
        }
        assert len(daemons) == 1
        for slug in (FIRST, SECOND):
            posts, snapshots = store.posts_and_snapshots(slug)
            assert {s.post_id for s in snapshots} <= {p.id for p in posts}
            assert any(s.status == "ok" for s in snapshots)
        store.engine.dispose()
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.communicate()
        sandbox.stop()
