"""`campaign check` on Threads posts: Threads' own count (emoji count their UTF-8 bytes, as
Meta's "Threads Posts" page says), 500 per part, at most 5 links, 20 carousel items, alt text
up to 1,000 characters, images up to 10:1."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from campaign.cli import main
from campaign.platforms.threads import length
from tests.platforms.threads_support import threads_campaign


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Stalking is a crime.", 20),  # plain characters count one each
        ("é ü ß", 5),  # accented letters are characters, not bytes
        ("👍", 4),  # an emoji: its UTF-8 bytes
        ("Report it 👮‍♀️", 10 + len("👮‍♀️".encode())),  # a joined sequence: all its bytes
        ("❤️", len("❤️".encode())),  # with its variation selector: 6
    ],
)
def test_threads_counts_emoji_by_their_utf8_bytes(text, count):
    assert length(text) == count


def _check(campaign_dir: Path, template: str, body: str, images: str = "") -> dict:
    config = campaign_dir / "config.toml"
    if not (campaign_dir / "posts" / "threads").exists():
        threads_campaign(campaign_dir)
    (campaign_dir / "posts" / "threads" / template).write_text(body, encoding="utf-8")
    if images:
        text = config.read_text(encoding="utf-8")
        config.write_text(
            text.replace(
                'template = "threads/text.j2" }', f'template = "threads/text.j2", {images} }}'
            ),
            encoding="utf-8",
        )
    result = CliRunner().invoke(main, ["check", "--config", str(config), "--json"])
    report = json.loads(result.stdout)
    report["exit_code"] = result.exit_code
    return report


def _rules(report: dict) -> list[str]:
    return [f["rule"] for f in report["findings"] if f["severity"] == "error"]


def test_a_part_of_500_with_an_emoji_over_is_a_threads_length_error(campaign_dir):
    footer = '{% include "_partials/footer.j2" %}'
    # 21 + 455 + " 👍" (1 + 4) + the hashtag line (20) = 501; as plain characters, 498.
    body = "Stalking is a crime. " + "a" * 455 + " 👍\n" + footer + "\n"
    report = _check(campaign_dir, "text.j2", body)
    finding = next(f for f in report["findings"] if f["rule"] == "threads-length")
    assert report["exit_code"] == 1
    assert (
        "501 characters (Threads limit 500; an emoji counts its UTF-8 bytes" in (finding["message"])
    )


def test_six_different_links_are_an_error_five_are_fine(campaign_dir):
    footer = '{% include "_partials/footer.j2" %}'
    links = " ".join(f"https://www.derbyshire.police.uk/page{n}" for n in range(6))
    report = _check(campaign_dir, "text.j2", f"Read more: {links}\n{footer}\n")
    assert "threads-links" in _rules(report)
    five = " ".join(f"https://www.derbyshire.police.uk/page{n}" for n in range(5))
    report = _check(campaign_dir, "text.j2", f"Read more: {five} {five}\n{footer}\n")
    assert "threads-links" not in _rules(report)


def _image(folder: Path, name: str, size: tuple[int, int]) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 40, 90)).save(buffer, "PNG")
    (folder / name).write_bytes(buffer.getvalue())
    return f"images/{name}"


def test_alt_text_over_1000_characters_is_an_error(campaign_dir):
    alt = "A" * 1001
    images = f'images = [{{ file = "images/see-stalking-clearly.png", alt = "{alt}" }}]'
    footer = '{% include "_partials/footer.j2" %}'
    report = _check(campaign_dir, "text.j2", f"Stalking is a crime.\n{footer}\n", images)
    messages = " ".join(f["message"] for f in report["findings"])
    assert report["exit_code"] == 1 and "is 1001 characters (limit 1000)" in messages


def test_an_image_wider_than_10_to_1_is_refused(campaign_dir):
    name = _image(campaign_dir / "posts" / "images", "banner.png", (1100, 100))
    images = f'images = [{{ file = "{name}", alt = "A long thin banner" }}]'
    footer = '{% include "_partials/footer.j2" %}'
    report = _check(campaign_dir, "text.j2", f"Stalking is a crime.\n{footer}\n", images)
    assert "image-shape" in _rules(report)


@pytest.mark.parametrize(("count", "refused"), [(20, False), (21, True)])
def test_a_carousel_holds_20_images_at_most(campaign_dir, count, refused):
    folder = campaign_dir / "posts" / "images"
    names = [_image(folder, f"card{n}.png", (400, 400)) for n in range(count)]
    items = ", ".join(f'{{ file = "{n}", alt = "Card {i}" }}' for i, n in enumerate(names))
    footer = '{% include "_partials/footer.j2" %}'
    body = f"Stalking is a crime.\n{footer}\n"
    report = _check(campaign_dir, "text.j2", body, f"images = [{items}]")
    assert ("image-count" in _rules(report)) is refused
