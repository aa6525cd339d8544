"""A small Bluesky campaign rehearsed through the real daemon, channel and PDS double with
faults: every post and thread part lands exactly once."""

from __future__ import annotations

from click.testing import CliRunner

from campaign.cli import main
from campaign.config import load_config
from campaign.store import Store
from scheduler.rehearsal import rehearse
from scheduler.sandbox import SandboxSettings
from tests.platforms.bluesky_support import small_campaign

IMAGE = (
    '{ file = "images/see-stalking-clearly.png", alt = "Dark blue card with the words: '
    'Stalking Awareness Week. See stalking clearly." }'
)
DAYS = f"""
[[days]]
date = 2020-04-20
slug = "what-stalking-is"
theme = "What stalking is"
posts = [
  {{ channel = "bluesky", time = "10:00", template = "bsky/one.j2", images = [{IMAGE}] }},
  {{ channel = "bluesky", time = "15:00", template = "bsky/two.j2" }},
]

[[days]]
date = 2020-04-21
slug = "know-the-signs"
theme = "Know the signs"
posts = [
  {{ channel = "bluesky", time = "10:00", template = "bsky/three.j2" }},
  {{ channel = "bluesky", time = "12:00", template = "bsky/four.j2" }},
]
"""
TEMPLATES = {
    "bsky/one.j2": (
        "#SeeStalkingClearly Stalking is a crime. This week we help you spot the signs.\n"
        "---\n"
        "Stalking is a pattern of fixated, obsessive behaviour that causes fear or distress.\n"
        "---\n"
        "National Stalking Helpline: 0808 802 0300. In danger now? Call 999.\n"
    ),
    "bsky/two.j2": "#SeeStalkingClearly You are not alone. Call 101 to report stalking.\n",
    "bsky/three.j2": (
        "#SeeStalkingClearly Know the signs: FOUR. Fixated, obsessive, unwanted, repeated.\n"
        "---\n"
        "Read more: https://www.suzylamplugh.org/Pages/Category/national-stalking-helpline\n"
    ),
    "bsky/four.j2": "#SeeStalkingClearly Keep a diary of every incident. It helps police.\n",
}


def test_the_small_campaign_passes_its_checks(tmp_path):
    config = small_campaign(tmp_path / "c", TEMPLATES, DAYS)
    result = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert result.exit_code == 0, result.output


def test_a_rehearsal_with_faults_publishes_every_bluesky_post_exactly_once(tmp_path):
    path = small_campaign(tmp_path / "c", TEMPLATES, DAYS)
    # One metrics reading (an hour after each post) keeps the rehearsed time, and the test,
    # short; the sessions still expire and are refreshed between the days.
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('offsets = ["1h", "24h", "72h", "7d"]', 'offsets = ["1h"]'))
    config = load_config(path)
    store = Store.open(f"sqlite:///{tmp_path / 'rehearsal.db'}")
    faults = SandboxSettings(seed=5, rate_429=0.1, rate_5xx=0.1, rate_drop_after_create=0.1)
    summary = rehearse(config, store, speed=1e9, settings=faults)
    assert summary.states == {"published": 4}, (summary.failed_reasons, summary.missed_reasons)
    assert summary.retries > 0  # the faults were met
    assert summary.duplicates == 0
    assert summary.sent_to_sandbox == 3 + 1 + 2 + 1  # every thread part, once
    tally = summary.platforms["bluesky"]  # as the double counted them
    assert tally.exactly_once and tally.expected == tally.once == 7
    posts = store.posts(config.campaign.slug)
    assert all(p.platform_post_id.startswith("at://did:plc:") for p in posts)
    store.engine.dispose()
