"""The composer in a real browser (Debian's chromium through Playwright): the live counter and
findings as the officer types, a part added with the keyboard's buttons, a picture uploaded
with its alt text, saved; and axe finds nothing serious at desktop and phone widths."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from campaign.clock import SystemClock
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import Store
from campaign.store.users import add_user
from campaign.web import create_app
from tests.web.conftest import OnLoopback, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SLUG = "stalking-awareness-week-2020"
KEY = "2020-04-21-x"
PASSWORD = "correct horse battery staple"
TIMEOUT_MS = 20_000  # a deadline, not a wait: generous for a busy machine


class Served:
    """The shipped week planned in a fresh store, the dashboard on a loopback port."""

    def __init__(self, campaign_dir: Path, tmp_path: Path, clock) -> None:
        self.store = Store.open(f"sqlite:///{tmp_path / 'composer.db'}", clock)
        config = load_config(campaign_dir / "config.toml")
        store_plan(config, self.store, "olly")
        add_user(self.store, "olly", PASSWORD, "officer")
        app = create_app(
            config, self.store, secret_key="composer-browser-secret-0123456789", clock=SystemClock()
        )
        self.served = OnLoopback(app)
        self.url = self.served.url

    def row(self, key: str = KEY):
        [row] = self.store.posts(SLUG, keys=[key])
        return row

    def close(self) -> None:
        self.served.close()
        self.store.engine.dispose()


@pytest.fixture
def served(campaign_dir, tmp_path, clock) -> Iterator[Served]:
    running = Served(campaign_dir, tmp_path, clock)
    yield running
    running.close()


@pytest.fixture
def page(browser: Browser, served: Served) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    opened.goto(served.url + "/login")
    opened.get_by_label("Username").fill("olly")
    opened.get_by_label("Password").fill(PASSWORD)
    opened.get_by_role("button", name="Sign in").click()
    expect(opened).to_have_url(served.url + "/week")
    yield opened
    context.close()


def _png(tmp_path: Path) -> Path:
    path = tmp_path / "know-the-signs.png"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 675), (13, 44, 77)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_compose_a_thread_with_a_picture_and_save(page: Page, served: Served, tmp_path: Path):
    page.get_by_role("link", name="Edit Tuesday 10:00 X post").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Tuesday 10:00 X post")
    counters = page.locator("[data-counter]")
    second = page.get_by_label("Part 2", exact=True)
    before = counters.nth(1).inner_text()

    second.press("End")
    second.press_sequentially(" Or call 0300 123 4567.")
    expect(counters.nth(1)).not_to_have_text(before)
    status = page.locator("[data-live-status]")
    expect(status).to_contain_text("1 error")
    expect(status).to_contain_text("not one of the configured helplines")
    expect(page.locator("[data-card] .tweet")).to_have_count(2)
    expect(second).to_be_focused()  # the announcement does not take the focus

    second.fill(second.input_value().replace(" Or call 0300 123 4567.", ""))
    expect(status).to_have_text("No problems found.")

    page.get_by_role("button", name="Add a part").click()
    third = page.get_by_label("Part 3", exact=True)
    expect(third).to_be_focused()
    third.press_sequentially("Worried? Call ")
    page.get_by_role("button", name="Insert National Stalking Helpline number").click()
    expect(third).to_have_value("Worried? Call {{ helplines.stalking.number }}")
    expect(counters.nth(2)).to_have_text("27 / 280")
    expect(page.locator("[data-card] .tweet")).to_have_count(3)
    expect(page.locator("[data-card]")).to_contain_text("Worried? Call 0808 802 0300")
    expect(page.get_by_role("button", name="Move part 3 up")).to_be_visible()
    expect(page.get_by_role("button", name="Move part 3 down")).to_be_hidden()

    page.get_by_label("Add a picture").set_input_files(str(_png(tmp_path)))
    page.get_by_label("Alt text for the new picture").fill(
        "Dark blue card with the words: Know the signs of stalking."
    )
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".flash.ok")).to_contain_text("Saved Tuesday 10:00 X post (revision 2)")
    expect(page.locator(".flash.ok")).to_contain_text("needs approval again")

    row = served.row()
    assert len(row.parts) == 3 and row.parts[2] == "Worried? Call 0808 802 0300"
    [image] = row.media
    assert image["file"].endswith("-know-the-signs.png")
    assert image["alt"] == "Dark blue card with the words: Know the signs of stalking."
    expect(page.get_by_label("Alt text for know-the-signs.png")).to_have_value(image["alt"])


@pytest.mark.parametrize("width,height", [(1360, 900), (390, 844)])
def test_the_composer_has_no_accessibility_violations(
    page: Page, served: Served, width: int, height: int
):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(served.url + f"/post/{KEY}/edit")
    page.get_by_label("Part 1", exact=True).press_sequentially(" Call 0300 123 4567")
    expect(page.locator("[data-live-status]")).to_contain_text("error")
    assert axe_violations(page) == []
    page.goto(served.url + "/post/new?date=2020-04-22&channel=facebook")
    assert axe_violations(page) == []
