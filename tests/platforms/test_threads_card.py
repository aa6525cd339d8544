"""The Threads card in the sign-off preview: the account's avatar and name, each part of a
thread under the one before and joined by the thread line, the image with its alt text."""

from __future__ import annotations

import re

from click.testing import CliRunner

from campaign.cli import main
from tests.platforms.threads_support import ALT, threads_campaign


def _preview(campaign_dir, tmp_path) -> str:
    config = threads_campaign(campaign_dir)
    output = tmp_path / "preview.html"
    result = CliRunner().invoke(main, ["preview", "--config", str(config), "--output", str(output)])
    assert result.exit_code == 0, result.output
    return output.read_text(encoding="utf-8")


def _card(page: str, key: str) -> str:
    start = page.index(f'id="post-{key}"')
    return page[start : page.index("</article>", start)]


def test_a_thread_is_drawn_as_threads_draws_it_part_under_part(campaign_dir, tmp_path):
    page = _preview(campaign_dir, tmp_path)
    card = _card(page, "2020-04-21-threads-thread")
    assert 'class="mock threads"' in card
    assert card.count('class="thr-part"') == 3  # each part in the avatar column's line
    assert [n for n in re.findall(r'class="part-no">(\d/\d)<', card)] == ["1/3", "2/3", "3/3"]
    assert "<strong>derbyshirepolice</strong>" in card  # Threads shows the handle, no @
    assert card.index("Know the signs") < card.index("Online, a stalker") < card.index("Both are")
    assert ".thr-part:last-child .thr-rail::after" in page  # the line ends at the last part


def test_an_image_post_shows_its_image_with_its_alt_text(campaign_dir, tmp_path):
    page = _preview(campaign_dir, tmp_path)
    card = _card(page, "2020-04-20-threads-image")
    assert f'alt="{ALT}"' in card and "data:image/png;base64," in card
    assert 'class="platform threads"' in card and ".platform.threads" in page
