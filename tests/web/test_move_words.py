"""A refused move reads as sentences: each finding the checks give starts with a capital."""

from __future__ import annotations

import re

import pytest

from campaign.config import CampaignConfig, load_config

SLUG = "stalking-awareness-week-2020"
KEY = "2020-04-24-x"  # Friday 10:00: gives the National Stalking Helpline's number


@pytest.fixture
def config(campaign_dir, edit) -> CampaignConfig:
    edit("config.toml", 'helpline_closed = "warning"', 'helpline_closed = "error"')
    return load_config(campaign_dir / "config.toml")


def test_a_refused_move_reads_as_sentences(web, planned):
    base = planned.revisions(SLUG, KEY)[-1].number
    client = web.sign_in("olly")
    form = {"key": KEY, "revision": str(base), "date": "2020-04-25", "time": "10:00"}
    page = client.get(web.post(client, "/week/move", form).headers["Location"]).text
    said = " ".join(re.findall(r"<li class=\"flash \w+\">(.*?)</li>", page, re.S))
    assert "Not moved: at the new time the checks found a problem. Gives the National" in said
    assert ". gives" not in said
