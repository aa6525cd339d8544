"""The Instagram card in the sign-off preview, in the session's Chromium: nothing axe-core
finds wrong (contrast, alt text, ARIA)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser

from campaign.cli import main
from tests.platforms.instagram_support import CAPTION, image_bytes, small_campaign
from tests.web.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_instagram_cards_pass_axe(browser: Browser, tmp_path: Path) -> None:
    files = ["images/a.jpg", "images/b.jpg"]
    posts = [
        ("2020-04-20", "10:00", CAPTION, files[:1]),
        ("2020-04-21", "10:00", f"{CAPTION} @DerbyshirePolice", files),
    ]
    config = small_campaign(tmp_path / "week", posts, {f: image_bytes(1080, 1080) for f in files})
    target = tmp_path / "preview.html"
    result = CliRunner().invoke(main, ["preview", "-o", str(target), "--config", str(config)])
    assert result.exit_code == 0, result.output
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(target.as_uri())
        assert page.locator(".mock.ig").count() == 2
        assert axe_violations(page) == []
    finally:
        context.close()
