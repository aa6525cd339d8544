"""A move runs the same checks as any change: here the X account allows 3 sends in 15
minutes (a thread's parts count), and a move that makes 5 is refused in plain words, the post
staying where it was."""

from __future__ import annotations

import re

import pytest

from campaign.config import CampaignConfig, load_config

SLUG = "stalking-awareness-week-2020"
KEY = "2020-04-21-x"  # Tuesday 10:00, two parts


@pytest.fixture
def config(campaign_dir, edit) -> CampaignConfig:
    edit("config.toml", 'tier = "basic"', 'tier = "basic"\nposts_per_15min = 3')
    return load_config(campaign_dir / "config.toml")


def test_a_move_that_breaks_a_cap_is_refused_and_the_post_stays(web, planned):
    [before] = planned.posts(SLUG, keys=[KEY])
    base = planned.revisions(SLUG, KEY)[-1].number
    client = web.sign_in("olly")
    # Monday's X thread has three parts at 10:00.
    form = {"key": KEY, "revision": str(base), "date": "2020-04-20", "time": "10:05"}
    response = web.post(client, "/week/move", form)
    page = client.get(response.headers["Location"]).text
    said = " ".join(re.findall(r"<li class=\"flash \w+\">(.*?)</li>", page, re.S))
    assert "Not moved: at the new time the checks found a problem." in said
    assert "sends on x within 15 minutes" in said and "limit is 3" in said  # the checks' words
    [after] = planned.posts(SLUG, keys=[KEY])
    assert after.scheduled_at == before.scheduled_at and after.state == before.state
    assert planned.revisions(SLUG, KEY)[-1].number == base
    # Within the cap, the same move goes through.
    form["time"] = "10:20"
    web.post(client, "/week/move", form)
    moved = planned.posts(SLUG, keys=[KEY])[0].scheduled_at
    assert (moved.day, moved.hour, moved.minute) == (20, 9, 20)  # 10:20 BST
