"""Two campaigns in one database, in a real browser: the switcher (by keyboard), each
campaign's own posts, the month calendar with today marked, the pause scopes, and axe-core
finding nothing wrong on each page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from campaign.clock import ManualClock, SystemClock
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import Store
from campaign.store.users import add_user
from campaign.web import create_app
from tests.web.conftest import SECOND, OnLoopback, axe_violations, second_campaign

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SLUG = "stalking-awareness-week-2020"
PASSWORD = "correct horse battery staple"


class Served:
    """Both campaigns planned into one SQLite database, the dashboard on loopback."""

    def __init__(self, campaign_dir: Path, tmp_path: Path, clock: ManualClock) -> None:
        self.store = Store.open(f"sqlite:///{tmp_path / 'force.db'}", clock)
        config = load_config(campaign_dir / "config.toml")
        other = load_config(second_campaign(campaign_dir, tmp_path / "road-safety"))
        store_plan(config, self.store, "olly")
        store_plan(other, self.store, "olly")
        add_user(self.store, "alice", PASSWORD, "approver")
        app = create_app(
            config,
            self.store,
            secret_key="browser-test-secret-key-0123456789",
            clock=SystemClock(),
            poll_seconds=0.5,
        )
        self.served = OnLoopback(app)
        self.url = self.served.url

    def close(self) -> None:
        self.served.close()
        self.store.engine.dispose()


@pytest.fixture
def served(campaign_dir, tmp_path, clock) -> Iterator[Served]:
    running = Served(campaign_dir, tmp_path, clock)  # the clock: Monday 13 April 2020
    yield running
    running.close()


@pytest.fixture
def page(browser: Browser, served: Served) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    context.set_default_timeout(20_000)  # generous for a busy machine
    opened = context.new_page()
    opened.goto(served.url + "/login")
    opened.get_by_label("Username").fill("alice")
    opened.get_by_label("Password").fill(PASSWORD)
    opened.get_by_role("button", name="Sign in").click()
    expect(opened).to_have_url(served.url + "/week")
    yield opened
    context.close()


def test_switch_campaigns_by_keyboard_and_see_the_month(page: Page, served: Served):
    expect(page.locator("#post-2020-04-21-x")).to_have_count(1)
    expect(page.locator("#post-2020-04-14-x")).to_have_count(0)
    assert axe_violations(page) == []

    switcher = page.locator(".switcher summary")
    switcher.focus()
    page.keyboard.press("Enter")
    other = page.get_by_role("navigation", name="Campaigns").get_by_role(
        "link", name="Road Safety Week 2020"
    )
    expect(other).to_be_visible()
    assert axe_violations(page) == []
    other.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{served.url}/c/{SECOND}/week")
    expect(page.locator("#post-2020-04-14-x")).to_have_count(1)
    expect(page.locator("#post-2020-04-21-x")).to_have_count(0)
    expect(page.locator(".brand-text strong")).to_have_text("Road Safety Week 2020")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Month calendar").click()
    expect(page.get_by_role("heading", name="Everything going out in April 2020")).to_be_visible()
    today = page.locator('td[aria-current="date"]')
    expect(today).to_have_attribute("data-day", "2020-04-13")
    expect(today).to_contain_text("Today")
    expect(page.locator('td[data-day="2020-04-14"]')).to_contain_text("Road Safety Week 2020")
    expect(page.locator('td[data-day="2020-04-14"]')).to_contain_text("X @DerbyshirePolice")
    expect(page.locator('td[data-day="2020-04-21"]')).to_contain_text(
        "Stalking Awareness Week 2020"
    )
    monday = page.locator('td[data-day="2020-04-20"]')
    expect(monday).to_contain_text("Road Safety Week 2020")
    expect(monday).to_contain_text("Stalking Awareness Week 2020")
    expect(page.get_by_role("columnheader", name="Monday")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Next month").click()
    expect(page.get_by_role("heading", name="Everything going out in May 2020")).to_be_visible()
    expect(page.locator('td[aria-current="date"]')).to_have_count(0)
    page.get_by_role("link", name="Previous month").click()
    page.locator('td[data-day="2020-04-21"] a').first.click()
    expect(page).to_have_url(f"{served.url}/c/{SLUG}/week#post-2020-04-21-x")


def test_pause_one_account_then_everything_from_the_pause_page(page: Page, served: Served):
    page.get_by_role("link", name="Pause all publishing").click()
    assert axe_violations(page) == []
    page.get_by_label("Account to pause").select_option("x")
    page.get_by_label("Reason for pausing the account").fill("Password reset under way")
    page.get_by_role("button", name="Yes, pause this account now").click()
    expect(page.locator(".flash.error")).to_contain_text("PAUSED X @DerbyshirePolice")
    accounts = {row.key: row for row in served.store.accounts(SLUG)}
    assert accounts["x"].paused and not accounts["facebook"].paused
    assert not served.store.campaign(SLUG).paused
    entry = served.store.audit_log(SLUG)[-1]
    assert (entry.action, entry.actor) == ("paused", "alice")
    assert {row.key: row.paused for row in served.store.accounts(SECOND)}["x"]

    page.get_by_role("link", name="Pause all publishing").click()
    expect(page.get_by_label("Account to pause")).to_contain_text("X @DerbyshirePolice – used by")
    page.get_by_label("Reason for pausing everything").fill("Major incident declared")
    page.get_by_role("button", name="Yes, pause everything now").click()
    banner = page.locator("[data-live=banner]")
    expect(banner).to_have_class("banner paused")
    expect(page.locator("[data-live=detail]")).to_contain_text("Everything is paused")
    assert served.store.everything_paused() is not None
    page.goto(f"{served.url}/c/{SECOND}/week")  # the other campaign says so too
    expect(page.locator("[data-live=detail]")).to_contain_text("Major incident declared")
    page.get_by_role("link", name="Resume publishing").click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Resume everything").click()
    expect(page.locator(".flash.ok")).to_contain_text("Publishing resumed everywhere")
    assert served.store.everything_paused() is None
    assert [e.action for e in served.store.audit_log(SECOND)][-2:] == ["paused", "resumed"]
