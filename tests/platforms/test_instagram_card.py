"""The Instagram card in `campaign preview` (the dashboard uses the same partial): the account
above, the image first and square, the caption under it led by the handle in bold, ALT shown."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from campaign.cli import main
from tests.platforms.instagram_support import CAPTION, image_bytes, small_campaign


def preview(tmp_path: Path, files: list[str]) -> str:
    images = {f: image_bytes(1080, 1350) for f in files}
    config = small_campaign(tmp_path / "week", [("2020-04-20", "10:00", CAPTION, files)], images)
    target = tmp_path / "preview.html"
    result = CliRunner().invoke(
        main, ["preview", "-o", str(target), "--config", str(config)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    card = re.search(r'<div class="mock ig">.*?\n        </div>', html, re.S)
    assert card, "no Instagram card in the preview"
    return card.group(0)


def test_the_card_shows_handle_image_then_caption_with_the_handle_bold(tmp_path: Path) -> None:
    card = preview(tmp_path, ["images/card.jpg"])
    head, image, caption = (
        card.index('class="ig-head"'),
        card.index('<img src="data:image/jpeg'),
        card.index('class="ig-caption"'),
    )
    assert head < image < caption
    assert re.search(r'class="ig-head">.*?<strong>derbyshirepolice</strong>', card, re.S)
    assert (
        '<strong class="ig-name">derbyshirepolice</strong> '
        '<span class="text" lang="en-GB">Stalking is a crime.' in card
    )
    assert 'alt="A dark blue card: stalking is a crime."' in card
    assert 'class="alt-badge"' in card and "ig-dots" not in card


def test_a_carousel_shows_its_first_image_and_says_how_many(tmp_path: Path) -> None:
    card = preview(tmp_path, ["images/a.jpg", "images/b.jpg", "images/c.jpg"])
    assert card.count("<img ") == 1 and ">1/3<" in card
    assert 'aria-label="3 images in this carousel"' in card
    assert card.count("<li><b>ALT</b>") == 3  # every image's alt text, listed under
