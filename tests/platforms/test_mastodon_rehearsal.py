"""A small Mastodon campaign rehearsed: the real Mastodon.py client over HTTP to the double,
which throttles, fails and drops answers after creates; every post (an image post and
threads) is on the instance exactly once, as the double counts it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from campaign.cli import main
from campaign.config import load_config
from campaign.store import Store
from scheduler.rehearsal import rehearse
from scheduler.sandbox import SandboxSettings
from tests.platforms.mastodon_support import mastodon_campaign

SLUG = "stalking-awareness-week-2020"


def test_a_mastodon_week_with_faults_publishes_each_part_once(campaign_dir, tmp_path):
    config = load_config(mastodon_campaign(campaign_dir))
    store = Store.open(f"sqlite:///{tmp_path / 'rehearsal.db'}")
    settings = SandboxSettings(seed=5, rate_429=0.1, rate_5xx=0.1, rate_drop_after_create=0.1)
    summary = rehearse(config, store, speed=1e9, settings=settings, request_timeout=1.0)
    assert summary.states == {"published": 3}, summary.failed_reasons
    assert summary.retries > 0, "no fault hit a request: the test did not exercise them"
    # A 3-part thread with its image, a 2-part thread and a single post: 6 statuses, each
    # exactly once, as the Mastodon double counted them.
    tally = summary.platforms["mastodon"]
    assert tally.expected == 6 and tally.exactly_once
    assert summary.sent_to_sandbox == 6 and summary.duplicates == 0
    posts = store.posts(SLUG)
    assert all(len(post.live_part_ids) == len(post.parts) for post in posts)
    store.engine.dispose()


@pytest.mark.slow
def test_campaign_rehearse_with_faults_publishes_a_mastodon_week_once(campaign_dir, tmp_path):
    # The CLI's --faults also makes creates land late (answered 20 s later): slow.
    config = mastodon_campaign(campaign_dir)
    database = f"sqlite:///{tmp_path / 'rehearsal.db'}"
    arguments = ["rehearse", "--config", str(config), "--speed", "1e9", "--faults", "0.3"]
    result = CliRunner().invoke(main, [*arguments, "--database", database, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["states"] == {"published": 3}
    assert summary["duplicates"] == 0 and summary["retries"] > 0
    assert summary["platforms"] == {"mastodon": {"expected": 6, "once": 6, "duplicates": 0}}
