"""`campaign check` on a small Instagram campaign: Instagram's own limits from its documentation
(IG User Media reference: caption 2,200 characters, 30 hashtags, 20 @-mentions; JPEG only,
aspect ratio 4:5 to 1.91:1; an image required)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import main
from tests.platforms.instagram_support import CAPTION, image_bytes, small_campaign

DAY = "2020-04-20"


def check(config: Path) -> tuple[int, list[dict[str, str]]]:
    result = CliRunner().invoke(
        main, ["check", "--json", "--config", str(config)], catch_exceptions=False
    )
    return result.exit_code, json.loads(result.output)["findings"]


def rules(findings: list[dict[str, str]], severity: str = "error") -> set[str]:
    return {f["rule"] for f in findings if f["severity"] == severity}


def one_post(tmp_path: Path, caption: str = CAPTION, **images: bytes) -> Path:
    files = {f"images/{name}": data for name, data in images.items()}
    return small_campaign(tmp_path, [(DAY, "10:00", caption, list(files))], files)


def test_a_square_jpeg_with_a_short_caption_passes(tmp_path: Path) -> None:
    code, findings = check(one_post(tmp_path, **{"card.jpg": image_bytes(1080, 1080)}))
    assert code == 0 and not rules(findings)


def test_an_instagram_post_without_an_image_fails(tmp_path: Path) -> None:
    code, findings = check(one_post(tmp_path))
    assert code == 1 and "image-required" in rules(findings)


def test_a_png_image_fails_as_instagram_takes_jpeg_only(tmp_path: Path) -> None:
    code, findings = check(one_post(tmp_path, **{"card.png": image_bytes(kind="PNG")}))
    found = [f for f in findings if f["rule"] == "image-format"]
    assert code == 1 and found and "JPEG" in found[0]["message"]


@pytest.mark.parametrize(
    ("width", "height", "refused"),
    [
        (1080, 566, False),  # 1.91:1, the widest Instagram takes
        (1080, 1350, False),  # 4:5, the tallest
        (1200, 600, True),  # 2:1, too wide
        (1080, 1920, True),  # 9:16, too tall for the feed
    ],
)
def test_the_aspect_ratio_must_be_between_4_5_and_1_91(
    tmp_path: Path, width: int, height: int, refused: bool
) -> None:
    code, findings = check(one_post(tmp_path, **{"card.jpg": image_bytes(width, height)}))
    assert ("image-shape" in rules(findings)) is refused
    assert code == (1 if refused else 0)


def test_a_narrow_image_is_scaled_not_refused(tmp_path: Path) -> None:
    """Widths under 320 are scaled up by Instagram (the reference says so): no error."""
    code, findings = check(one_post(tmp_path, **{"small.jpg": image_bytes(300, 300)}))
    assert code == 0 and not rules(findings)


def test_more_than_30_hashtags_fail(tmp_path: Path) -> None:
    tags = " ".join(f"#Tag{n}" for n in range(30))
    code, findings = check(one_post(tmp_path, f"{CAPTION} {tags}", **{"a.jpg": image_bytes()}))
    limit = [f for f in findings if f["rule"] == "hashtag-limit"]
    assert code == 1 and limit and "31 hashtags" in limit[0]["message"]


def test_30_hashtags_are_no_error(tmp_path: Path) -> None:
    tags = " ".join(f"#Tag{n}" for n in range(29))
    code, findings = check(one_post(tmp_path, f"{CAPTION} {tags}", **{"a.jpg": image_bytes()}))
    assert "hashtag-limit" not in rules(findings)
    assert "hashtag-count" in rules(findings, "warning")  # house style still speaks


def test_more_than_20_mentions_fail_and_an_email_address_is_no_mention(tmp_path: Path) -> None:
    twenty = " ".join(f"@partner{n}" for n in range(20))
    caption = f"{CAPTION} {twenty} Write to help@derbyshire.police.uk"
    code, findings = check(one_post(tmp_path, caption, **{"a.jpg": image_bytes()}))
    assert "instagram-mentions" not in rules(findings)
    code, findings = check(one_post(tmp_path, caption + " @partner20", **{"a.jpg": image_bytes()}))
    assert code == 1 and "instagram-mentions" in rules(findings)


def test_a_caption_of_2200_characters_passes_and_2201_fails(tmp_path: Path) -> None:
    filler = "Stalking is a crime. "
    body = (CAPTION + " " + filler * 200)[:2200]
    code, findings = check(one_post(tmp_path, body, **{"a.jpg": image_bytes()}))
    assert "instagram-length" not in rules(findings)
    code, findings = check(one_post(tmp_path, body + "x", **{"a.jpg": image_bytes()}))
    assert code == 1 and "instagram-length" in rules(findings)
