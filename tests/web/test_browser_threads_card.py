"""The Threads card in a real browser: the preview page with Threads posts (a thread, an
image post) has no WCAG 2.1 AA problem axe-core can find, and the thread line is drawn."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from campaign.cli import main
from tests.platforms.threads_support import threads_campaign
from tests.web.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_threads_cards_are_accessible(browser, campaign_dir, tmp_path):
    config = threads_campaign(campaign_dir)
    output = tmp_path / "preview.html"
    result = CliRunner().invoke(main, ["preview", "--config", str(config), "-o", str(output)])
    assert result.exit_code == 0, result.output
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(output.as_uri())
        thread = page.locator('[id="post-2020-04-21-threads-thread"] .thr-part')
        assert thread.count() == 3
        line = thread.first.locator(".thr-rail").evaluate(
            "e => getComputedStyle(e, '::after').backgroundColor"
        )
        assert line == "rgb(217, 217, 217)"  # the thread line joins part 1 to part 2
        assert axe_violations(page) == []
    finally:
        context.close()
