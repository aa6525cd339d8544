"""Real daemon processes (`python -m scheduler`) on a shared accelerated clock: kill -9 at
random moments and restart, and two daemons on one PostgreSQL database. 0 duplicates, 0 lost.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from campaign.clock import SpeedClock
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import PostState, Store
from scheduler.sandbox import PlatformSandbox, SandboxSettings

# Daemons on an accelerated real-time clock: `make test` runs these alone, after the rest.
pytestmark = [pytest.mark.slow, pytest.mark.serial]

SPEED = 120.0  # one simulated minute every half second
# The kill -9 test's clock: a simulated minute a second, so a daemon that takes a few seconds to
# start on a busy machine still finds the posts it comes back for within their grace window.
KILL_SPEED = 60.0
FIRST_POST = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)  # 10:00 BST
POSTS = 24


def _config_text(sandbox: PlatformSandbox) -> str:
    posts = []
    for n in range(POSTS):
        channel = "x" if n % 2 == 0 else "facebook"
        minute = n // 2
        posts.append(
            f'  {{ channel = "{channel}", time = "10:{minute:02d}", '
            f'template = "burst/{channel}.j2", key = "post-{n:02d}" }},'
        )
    return f"""
[campaign]
name = "Burst Week"
slug = "burst-week"
organisation = "Test Force"
hashtag = "#BurstWeek"
start = 2026-05-04
end = 2026-05-04
timezone = "Europe/London"

[publishing]
grace_minutes = 15
poll_seconds = 0.1
heartbeat_timeout_seconds = 240
request_timeout_seconds = 1.0
workers = 8

[accounts.x]
platform = "x"
name = "Test Force on X"
handle = "@TestForce"
tier = "basic"
base_url = "{sandbox.x_base_url}"

[accounts.x.credentials]
consumer_key = "T_X_CK"
consumer_secret = "T_X_CS"
access_token = "T_X_AT"
access_token_secret = "T_X_ATS"

[accounts.facebook]
platform = "facebook"
name = "Test Force"
page_id = "4242"
base_url = "{sandbox.graph_base_url}"
credentials = {{ page_access_token = "T_FB_TOKEN" }}

[helplines.emergency]
name = "Emergency"
number = "999"
purpose = "danger"

[[days]]
date = 2026-05-04
slug = "burst"
theme = "Burst"
posts = [
{chr(10).join(posts)}
]
"""


TEMPLATES = {
    "x.j2": "Post at {{ post.local_time.strftime('%H:%M') }} number {{ post.channel }}.\n"
    "In danger now? Call {{ helplines.emergency.number }}.\n{{ campaign.hashtag }}\n---\n"
    "Second part for {{ post.local_time.strftime('%H:%M') }}.",
    "facebook.j2": "Facebook post at {{ post.local_time.strftime('%H:%M') }}.\n"
    "In danger now? Call {{ helplines.emergency.number }}.\n{{ campaign.hashtag }}",
}


class Burst:
    def __init__(
        self,
        tmp_path,
        database_url: str,
        settings: SandboxSettings,
        speed: float = SPEED,
        lead: float = 3.0,
    ) -> None:
        self.origin = time.time() + lead  # sim time 09:59 UTC arrives `lead` seconds from now
        self.speed = speed
        self.clock = SpeedClock(FIRST_POST - timedelta(minutes=1), speed, self.origin)
        self.sandbox = PlatformSandbox(settings=settings, clock=self.clock)
        self.sandbox.start()
        (tmp_path / "posts" / "burst").mkdir(parents=True)
        for name, text in TEMPLATES.items():
            (tmp_path / "posts" / "burst" / name).write_text(text)
        self.config_path = tmp_path / "config.toml"
        self.config_path.write_text(_config_text(self.sandbox))
        self.database_url = database_url
        config = load_config(self.config_path)
        store = Store.open(database_url)
        store_plan(config, store, "officer")
        store.approve("burst-week", "inspector")
        store.engine.dispose()
        self.environ = {
            **os.environ,
            **self.sandbox.credentials(list(config.accounts.values())),
            "CAMPAIGN_DATABASE_URL": database_url,
        }
        self.processes: list[subprocess.Popen] = []

    def start_daemon(self) -> subprocess.Popen:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "scheduler",
                "--config",
                str(self.config_path),
                "--clock-start",
                self.clock.start.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "--clock-speed",
                str(self.speed),
                "--clock-origin",
                repr(self.origin),
            ],
            env=self.environ,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.processes.append(process)
        return process

    def states(self) -> dict[str, PostState]:
        store = Store.open(self.database_url)
        try:
            return {p.key: p for p in store.posts("burst-week")}
        finally:
            store.engine.dispose()

    def wait_until_settled(self, deadline_real: float) -> dict:
        while time.time() < deadline_real:
            posts = self.states()
            if all(
                p.state
                in (PostState.PUBLISHED, PostState.MISSED, PostState.FAILED, PostState.PARTIAL)
                for p in posts.values()
            ):
                return posts
            time.sleep(0.3)
        raise AssertionError(f"not settled: {Counter(p.state for p in self.states().values())}")

    def sent(self) -> Counter[str]:
        texts = Counter(t.text for t in self.sandbox.x.tweets)
        texts.update(p.message for p in self.sandbox.facebook.posts)
        return texts

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait()
            if process.stderr:
                process.stderr.close()
        self.sandbox.stop()


def _audit(burst: Burst) -> list:
    store = Store.open(burst.database_url)
    try:
        return store.audit_log("burst-week")
    finally:
        store.engine.dispose()


def _publishers(burst: Burst) -> Counter[str]:
    return Counter(entry.actor for entry in _audit(burst) if entry.action == "published")


def _assert_once_and_accounted(burst: Burst, posts: dict) -> None:
    assert max(burst.sent().values()) == 1, "a post was sent twice"
    for post in posts.values():
        if post.state == PostState.PUBLISHED:
            assert len(post.platform_part_ids) == len(post.parts)
        else:
            assert post.last_error, f"{post.key} is {post.state} without a reason"


def test_kill_minus_nine_at_random_moments_never_duplicates_or_loses(tmp_path):
    burst = Burst(
        tmp_path,
        f"sqlite:///{tmp_path / 'burst.db'}",
        SandboxSettings(seed=5, latency_seconds=0.05),
        speed=KILL_SPEED,
    )
    rng = random.Random(2024)
    kills = 0
    try:
        last_post = FIRST_POST + timedelta(minutes=POSTS // 2)
        while burst.clock.now() < last_post + timedelta(minutes=2):
            process = burst.start_daemon()
            time.sleep(rng.uniform(0.8, 2.5))
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
        burst.start_daemon()
        posts = burst.wait_until_settled(time.time() + 60)
        _assert_once_and_accounted(burst, posts)
        published = sum(p.state == PostState.PUBLISHED for p in posts.values())
        assert kills >= 4 and published >= POSTS // 2
    finally:
        burst.close()


@pytest.mark.postgres
def test_two_daemons_on_one_postgresql_database_never_double_post(tmp_path, postgres_url):
    # Both daemons must be up before the first post is due, or the first one takes them all:
    # time enough for two to start on a busy machine.
    burst = Burst(tmp_path, postgres_url, SandboxSettings(seed=6, latency_seconds=0.05), lead=10)
    try:
        burst.start_daemon()
        burst.start_daemon()
        posts = burst.wait_until_settled(time.time() + 90)
        _assert_once_and_accounted(burst, posts)
        unpublished = {
            p.key: (p.state, p.last_error) for p in posts.values() if p.state != PostState.PUBLISHED
        }
        assert not unpublished
        publishers = _publishers(burst)
        assert len(publishers) == 2, f"both daemons should have shared the work: {publishers}"
    finally:
        for process in burst.processes:
            process.send_signal(signal.SIGTERM)
        for process in burst.processes:
            assert process.wait(timeout=20) == 0, process.stderr.read().decode()[-2000:]
        burst.close()


@pytest.mark.postgres
def test_racing_claims_on_postgresql_have_exactly_one_winner(postgres_url, campaign_dir):
    store = Store.open(postgres_url)
    config = load_config(campaign_dir / "config.toml")
    config = config.model_copy(
        update={"campaign": config.campaign.model_copy(update={"slug": "race"})}
    )
    store_plan(config, store, "officer")
    store.approve("race", "inspector")
    now = datetime(2020, 4, 27, tzinfo=UTC)
    race = store.publishing.campaign_id("race")
    store.publishing.schedule_approved(now, race)
    ids = [p.id for p in store.posts("race")]
    winners: Counter[int] = Counter()
    lock = threading.Lock()

    def contender(name: str) -> None:
        for post_id in ids:
            if store.publishing.acquire(name, [post_id], now):
                with lock:
                    winners[post_id] += 1

    threads = [threading.Thread(target=contender, args=(f"d{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.engine.dispose()
    assert winners == Counter({post_id: 1 for post_id in ids})


STOP_WITHIN = 20.0  # seconds: a send in flight is a few bounded requests; a hang is forever


def _wall_clock_config(sandbox: PlatformSandbox, pages: int, now: datetime) -> str:
    """A campaign on the wall clock: one post on each of `pages` Pages, due over the last four
    minutes (so all are due at once) and a few in the next minute (so date jobs are planned)."""
    moments = [now - timedelta(minutes=n % 5) for n in range(pages - 4)]
    moments += [now + timedelta(minutes=1)] * 4
    days: dict = {}
    for n, moment in enumerate(moments):
        days.setdefault(moment.date(), []).append(
            f'  {{ channel = "p{n:03d}", time = "{moment:%H:%M}", '
            'template = "burst/facebook.j2" },'
        )
    accounts = "".join(
        f"""
[accounts.p{n:03d}]
platform = "facebook"
name = "Test Force {n}"
page_id = "{5000 + n}"
base_url = "{sandbox.graph_base_url}"
credentials = {{ page_access_token = "T_FB_{n}" }}
"""
        for n in range(pages)
    )
    day_tables = "".join(
        f"""
[[days]]
date = {day}
slug = "burst"
theme = "Burst"
posts = [
{chr(10).join(posts)}
]
"""
        for day, posts in sorted(days.items())
    )
    return f"""
[campaign]
name = "Stop Week"
slug = "stop-week"
organisation = "Test Force"
hashtag = "#StopWeek"
start = {min(days)}
end = {max(days)}
timezone = "UTC"

[publishing]
grace_minutes = 15
poll_seconds = 0.2
heartbeat_timeout_seconds = 240
request_timeout_seconds = 1.0
workers = 4
{accounts}
[helplines.emergency]
name = "Emergency"
number = "999"
purpose = "danger"
{day_tables}"""


def _sigterm_under_load(tmp_path, database_url: str) -> list[str]:
    """Start a wall-clock daemon with many due posts on a slow sandbox, SIGTERM it (sometimes
    twice) at a random moment, and require a clean exit within STOP_WITHIN; several times.
    Returns each run's log (stderr)."""
    settings = SandboxSettings(seed=9, latency_seconds=0.05, rate_slow=0.4, slow_seconds=3.0)
    sandbox = PlatformSandbox(settings=settings).start()
    logs: list[str] = []
    stores: list[Store] = []
    try:
        (tmp_path / "posts" / "burst").mkdir(parents=True)
        (tmp_path / "posts" / "burst" / "facebook.j2").write_text(
            "Facebook post from {{ post.channel }}.\n"
            "In danger now? Call {{ helplines.emergency.number }}.\n{{ campaign.hashtag }}"
        )
        config_path = tmp_path / "config.toml"
        config_path.write_text(_wall_clock_config(sandbox, 60, datetime.now(UTC)))
        config = load_config(config_path)
        store = Store.open(database_url)
        stores.append(store)
        store_plan(config, store, "officer")
        store.approve("stop-week", "inspector")
        environ = {
            **os.environ,
            **sandbox.credentials(list(config.accounts.values())),
            "CAMPAIGN_DATABASE_URL": database_url,
        }
        rng = random.Random(31)
        for run in range(8):
            log_path = tmp_path / f"daemon-{run}.log"
            with open(log_path, "wb") as log_file:
                process = subprocess.Popen(
                    [sys.executable, "-m", "scheduler", "--config", str(config_path)],
                    env=environ,
                    stdout=subprocess.DEVNULL,
                    stderr=log_file,
                )
            try:
                deadline = time.time() + 30
                while not any(d.pid == process.pid for d in store.daemons()):
                    assert time.time() < deadline and process.poll() is None, "did not start"
                    time.sleep(0.1)
                time.sleep(rng.uniform(0.0, 2.0))
                process.send_signal(signal.SIGTERM)
                if rng.random() < 0.5:
                    time.sleep(rng.uniform(0.0, 0.5))
                    if process.poll() is None:
                        process.send_signal(signal.SIGTERM)
                try:
                    code = process.wait(timeout=STOP_WITHIN)
                except subprocess.TimeoutExpired:
                    process.send_signal(signal.SIGUSR1)  # the daemon dumps every thread's stack
                    time.sleep(1)
                    raise AssertionError(
                        f"the daemon did not stop within {STOP_WITHIN:g} s:\n"
                        + log_path.read_text()[-8000:]
                    ) from None
                logs.append(log_path.read_text())
                assert code == 0, logs[-1][-3000:]
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        sent = Counter(p.message for p in sandbox.facebook.posts)
        assert sent and max(sent.values()) == 1, "a post was sent twice"
    finally:
        for store in stores:
            store.engine.dispose()
        sandbox.stop()
    return logs


def test_sigterm_under_load_always_stops_within_a_bound(tmp_path):
    logs = _sigterm_under_load(tmp_path, f"sqlite:///{tmp_path / 'stop.db'}")
    assert not [log for log in logs if "Traceback" in log]


@pytest.mark.postgres
def test_daemons_on_postgresql_start_and_stop_without_errors(tmp_path, postgres_url):
    logs = _sigterm_under_load(tmp_path, postgres_url)
    assert not [log for log in logs if "UniqueViolation" in log or "Traceback" in log]
