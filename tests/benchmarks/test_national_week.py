"""The national week benchmark (benchmarks/national_week.py) keeps working: its forces'
configs, its count on the sandbox's side, and a small run with real daemon processes."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from campaign.config import load_config
from campaign.store import PostState
from campaign.store.models import AccountRow, PostRow
from scheduler.sandbox import PlatformSandbox
from tests.conftest import fresh_database

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from _forces import FORCE_NAMES, write_forces  # noqa: E402
from _tally import tally  # noqa: E402

URLS = {"x": "http://127.0.0.1:9", "facebook": "http://127.0.0.1:9"}


def test_every_force_has_its_own_accounts_and_the_demo_week(tmp_path, shipped_config):
    written = write_forces(tmp_path, len(FORCE_NAMES), URLS, speed=2000)
    configs = [load_config(path) for _, path in written]
    assert len(configs) == 43
    assert len({c.campaign.slug for c in configs}) == 43
    assert len({c.campaign.organisation for c in configs}) == 43
    accounts = [a for c in configs for a in c.accounts.values()]
    assert len({a.identity for a in accounts}) == 86
    variables = [v for a in accounts for v in a.credentials.values()]
    assert len(variables) == len(set(variables)), "two forces share a credential variable"
    demo_times = sorted(  # the national week is the demo week's X and Facebook posts
        shipped_config.scheduled_at(day, post)
        for day in shipped_config.days
        for post in day.posts
        if post.channel in ("x", "facebook")
    )
    for config in configs:
        assert {a.base_url for a in config.accounts.values()} == set(URLS.values())
        times = sorted(config.scheduled_at(day, post) for day in config.days for post in day.posts)
        assert times == demo_times  # 14 posts, every force's due at the same moments
        # Durations on the daemons' clock last as long in real time as shipped (15 minutes).
        assert config.publishing.grace_minutes == 15 * 2000


def _post(key: str, account: AccountRow, *parts: str) -> PostRow:
    return PostRow(key=key, account=account, parts=list(parts), state=PostState.PUBLISHED)


def test_the_count_finds_a_post_sent_twice_and_one_never_sent(shipped_config):
    sandbox = PlatformSandbox()
    sandbox.credentials(shipped_config.accounts.values())
    x = AccountRow(platform="x", name="Derbyshire on X", handle="@DerbyshirePolice")
    page = AccountRow(
        platform="facebook", name="Derbyshire", definition={"page_id": "104857361209584"}
    )
    thread = _post("thread", x, "First part #Tag", "Second part")
    twice = _post("twice", page, "A Page post")
    never = _post("never", x, "Never sent #Tag")
    first = sandbox.x.add_tweet("DerbyshirePolice", "First part #Tag")
    sandbox.x.add_tweet("DerbyshirePolice", "Second part", in_reply_to=first.id)
    sandbox.facebook.add_post("104857361209584", "A Page post")
    sandbox.facebook.add_post("104857361209584", "A Page post")
    sandbox.x.add_tweet("DerbyshirePolice", "Nobody planned this")

    counted = tally([("week", thread), ("week", twice), ("week", never)], sandbox)

    assert (counted.posts, counted.parts, counted.once) == (3, 4, 1)
    assert counted.duplicated == ["week/twice"]
    assert counted.missing == ["week/never"]
    assert counted.unexpected == 2  # the second Page post and the unplanned tweet
    assert not counted.exactly_once


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.serial  # daemons on an accelerated real-time clock: run alone
def test_three_forces_published_by_two_daemons_exactly_once(postgres_url):
    started = datetime.now(UTC)
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "national_week.py"),
            "--forces",
            "3",
            "--speed",
            "40000",  # every duration scales with it: as long in real time at any speed
            "--database",
            fresh_database(postgres_url, f"national_{uuid.uuid4().hex[:8]}"),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["posts"] == 42 and figures["exactly_once"] == 42
    assert figures["duplicated"] == [] and figures["missing"] == []
    assert figures["unexpected"] == 0 and figures["refused_creates"] == {}
    assert figures["states"] == {"published": 42}
    assert len(figures["plan_seconds"]) == 3
    assert 0 <= figures["lateness_seconds"]["p50"] <= figures["lateness_seconds"]["max"]
    assert figures["wall_seconds"] < (datetime.now(UTC) - started).total_seconds()
    assert len(figures["published_by"]) == 2, "both daemons should have shared the work"
