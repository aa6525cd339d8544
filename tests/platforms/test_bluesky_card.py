"""The Bluesky card in the sign-off preview: the app's look, one partial for preview and
dashboard."""

from __future__ import annotations

import re

from campaign.config import load_config
from campaign.planning import check_plan
from campaign.preview import render_preview_html
from tests.platforms.bluesky_support import small_campaign
from tests.platforms.test_bluesky_rehearsal import DAYS, TEMPLATES


def test_a_bluesky_thread_card_looks_like_the_app(tmp_path):
    config = load_config(small_campaign(tmp_path / "c", TEMPLATES, DAYS))
    checked = check_plan(config)
    page = render_preview_html(config, checked.posts, checked.report)
    start = page.index('id="post-2020-04-20-bluesky-one"')
    card = page[start : page.index("</article>", start)]
    assert 'class="mock bsky"' in card
    parts = re.findall(r'<div class="skeet( continues)?">', card)
    assert parts == [" continues", " continues", ""]  # the reply line joins parts 1-3
    assert "Derbyshire Constabulary on Bluesky" in card and "@derbyshire.police.uk" in card
    assert card.count("Reply to Derbyshire Constabulary on Bluesky") == 2
    assert card.count("<img ") == 1 and 'alt="Dark blue card with the words' in card
    assert 'class="alt-badge"' in card and "1/3" in card
    assert '<span class="tag">#SeeStalkingClearly</span>' in card
    assert ".platform.bluesky" in page and ".skeet.continues .rail::after" in page
