"""Images are judged by their bytes (Pillow), against each platform's formats, sizes and pixels."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from PIL import Image

from campaign.config import load_config
from campaign.planning import check_plan
from campaign.render import render_plan

POSTS = {
    "x": '{ channel = "x", time = "11:00", template = "how-to-report/x.j2" }',
    "facebook": '{ channel = "facebook", time = "12:00", template = "how-to-report/facebook.j2" }',
}
KEYS = {"x": "2020-04-25-x", "facebook": "2020-04-25-facebook"}


def _image(fmt: str, size=(1200, 675), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 40, 90)).save(buffer, fmt, **save)
    return buffer.getvalue()


def _noise_png(side: int) -> bytes:
    """A PNG that does not compress: about 3 * side * side bytes."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(3 * side * side)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def attach(campaign_dir, edit):
    """Attach files (name -> bytes) to the how-to-report post of a channel; return its findings."""

    def _attach(channel: str, files: dict[str, bytes]):
        images = []
        for name, data in files.items():
            (campaign_dir / "posts" / "images" / name).write_bytes(data)
            images.append(f'{{ file = "images/{name}", alt = "A card" }}')
        old = POSTS[channel]
        edit("config.toml", old, old[:-2] + f", images = [{', '.join(images)}] }}")
        report = check_plan(load_config(campaign_dir / "config.toml")).report
        return [f for f in report.findings if f.key == KEYS[channel]]

    return _attach


def _rules(findings, severity="error"):
    return sorted(f.rule for f in findings if f.severity == severity)


def test_a_text_file_named_png_is_an_error(attach):
    findings = attach("x", {"card.png": b"This is not a picture, just words.\n"})
    [finding] = [f for f in findings if f.rule == "image-unreadable"]
    assert finding.severity == "error" and "images/card.png" in finding.message
    assert "not an image" in finding.message


def test_a_png_cut_short_is_an_error(attach):
    whole = _image("PNG")
    findings = attach("facebook", {"cut.png": whole[: len(whole) // 2]})
    assert _rules(findings) == ["image-unreadable"]
    assert "damaged or cut short" in findings[0].message


def test_real_format_decides_per_platform(attach):
    # X takes JPEG, PNG, GIF and WebP; Facebook takes JPEG, BMP, PNG, GIF and TIFF.
    findings = attach("x", {"card.bmp": _image("BMP")})
    [finding] = [f for f in findings if f.rule == "image-format"]
    assert "is a BMP image" in finding.message and "JPEG, PNG, GIF or WebP" in finding.message


def test_webp_is_fine_on_x_but_not_on_facebook(attach):
    assert attach("x", {"card.webp": _image("WEBP")}) == []


def test_webp_on_facebook_is_an_error(attach):
    findings = attach("facebook", {"card.webp": _image("WEBP")})
    assert _rules(findings) == ["image-format"]
    assert "JPEG, PNG, GIF, BMP or TIFF" in findings[0].message


def test_bmp_and_tiff_are_fine_on_facebook(attach):
    assert attach("facebook", {"card.tiff": _image("TIFF")}) == []


def test_a_jpeg_named_png_passes_but_is_flagged_for_its_name(attach):
    findings = attach("x", {"photo.png": _image("JPEG")})
    assert _rules(findings) == []
    [warning] = findings
    assert warning.rule == "image-name" and "is a JPEG image named .png" in warning.message


@pytest.mark.parametrize(("size", "why"), [((3, 3), "at least 4×4"), ((8193, 2), "8192×8192")])
def test_x_image_dimensions(attach, size, why):
    findings = attach("x", {"odd.png": _image("PNG", size)})
    assert _rules(findings) == ["image-dimensions"]
    assert f"{size[0]}×{size[1]} pixels" in findings[0].message and why in findings[0].message


def test_x_image_over_5_mb_is_an_error(attach):
    findings = attach("x", {"big.png": _noise_png(1400)})  # about 5.9 MB
    assert _rules(findings) == ["image-size"] and "X takes up to 5 MB" in findings[0].message


def test_facebook_png_over_1_mb_is_a_warning(attach):
    findings = attach("facebook", {"big.png": _noise_png(700)})  # about 1.5 MB
    assert _rules(findings) == [] and _rules(findings, "warning") == ["image-size"]
    assert "pixelated" in findings[0].message


def test_an_animated_gif_goes_alone_on_x(attach):
    frames = [Image.new("RGB", (40, 40), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=200)
    findings = attach("x", {"moving.gif": buffer.getvalue(), "card.png": _image("PNG")})
    assert _rules(findings) == ["image-animated"]


def test_checking_leaves_the_image_bytes_and_content_hash_alone(campaign_dir):
    image = campaign_dir / "posts" / "images" / "helpline-card.png"
    before = hashlib.sha256(image.read_bytes()).hexdigest()
    config = load_config(campaign_dir / "config.toml")
    hashes = {p.key: p.content_hash for p in render_plan(config)}
    assert check_plan(config).report.errors == []
    assert hashlib.sha256(image.read_bytes()).hexdigest() == before
    assert {p.key: p.content_hash for p in render_plan(config)} == hashes
