"""The dashboard in a real browser: Debian's chromium driven by Playwright.

The app is served by waitress on a free loopback port in a background thread, over a store on
a manual clock with the shipped week planned; publishing is a real daemon step against the
local platform sandbox, so the page sees posts change as they would on the day.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, expect

from campaign.clock import ManualClock, SystemClock
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import Store
from campaign.store.users import add_user
from campaign.web import create_app
from scheduler.channels import channels_for
from scheduler.daemon import Daemon
from scheduler.rehearsal import sandbox_config
from scheduler.sandbox import PlatformSandbox, SandboxSettings
from tests.web.conftest import OnLoopback

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SLUG = "stalking-awareness-week-2020"
PASSWORD = "correct horse battery staple"
BEFORE_THE_WEEK = datetime(2020, 4, 20, 8, 55, tzinfo=UTC)  # Monday, 09:55 BST
TIMEOUT_MS = 20_000  # a deadline, not a wait: generous for a busy machine


class Live:
    """The shipped week in a fresh store, the sandbox, and the dashboard served on loopback."""

    def __init__(self, campaign_dir, tmp_path, clock: ManualClock) -> None:
        self.clock = clock
        clock.set(BEFORE_THE_WEEK)
        self.store = Store.open(f"sqlite:///{tmp_path / 'live.db'}", clock)
        self.sandbox = PlatformSandbox(SandboxSettings(seed=11), clock)
        self.sandbox.start()
        self.config = sandbox_config(load_config(campaign_dir / "config.toml"), self.sandbox)
        store_plan(self.config, self.store, "olly")
        for username, role in (("olly", "officer"), ("alice", "approver"), ("ann", "analyst")):
            add_user(self.store, username, PASSWORD, role)
        # Sessions run on the wall clock; the campaign's time (what is due) is the store's.
        app = create_app(
            self.config,
            self.store,
            secret_key="browser-test-secret-key-0123456789",
            clock=SystemClock(),
            poll_seconds=0.3,
        )
        self.served = OnLoopback(app)
        self.url = self.served.url
        self.daemons: list[Daemon] = []

    def daemon(self) -> Daemon:
        environ = self.sandbox.credentials(list(self.config.accounts.values()))
        channels = channels_for(self.config, environ, timeout=0.5)
        daemon = Daemon.for_config(
            self.store, self.config, channels, self.clock, rng=random.Random(3), daemon_id="d-1"
        )
        self.daemons.append(daemon)
        return daemon

    def row(self, key: str):
        [row] = self.store.posts(SLUG, keys=[key])
        return row

    def close(self) -> None:
        self.served.close()
        for daemon in self.daemons:
            daemon.pool.shutdown(wait=True)
        self.sandbox.stop()
        self.store.engine.dispose()


@pytest.fixture
def live(campaign_dir, tmp_path, clock) -> Iterator[Live]:
    running = Live(campaign_dir, tmp_path, clock)
    yield running
    running.close()


@pytest.fixture
def page(browser: Browser, live: Live) -> Iterator[Page]:
    """A fresh browser context, closed before the server stops (so its connections go first)."""
    context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    yield opened
    context.close()


def sign_in(page: Page, live: Live, username: str) -> None:
    page.goto(live.url + "/")
    expect(page).to_have_url(live.url + "/login?next=/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_and_see_the_week(page: Page, live: Live):
    sign_in(page, live, "olly")
    expect(page).to_have_url(live.url + "/week")
    expect(page.get_by_role("heading", name="Monday 20 April 2020")).to_be_visible()
    expect(page.get_by_role("heading", name="Sunday 26 April 2020")).to_be_visible()
    expect(page.locator("[data-chip]")).to_have_count(23)
    monday_x = page.locator("#post-2020-04-20-x")
    expect(monday_x.locator(".tweet")).to_have_count(len(live.row("2020-04-20-x").parts))
    expect(monday_x.locator(".state")).to_have_text("Draft – needs approval")
    expect(monday_x.locator("time")).to_have_text("10:00 BST")
    expect(monday_x.locator("img")).to_have_attribute(
        "alt", live.config.days[0].posts[0].images[0].alt
    )
    expect(monday_x.locator(".figures")).to_contain_text("/ 280")
    expect(page.locator("#post-2020-04-20-facebook .fb-head")).to_contain_text("12:00 BST")
    # No publishing service has started yet: the banner says so, never "Publishing is ON".
    expect(page.locator("[data-live=title]")).to_contain_text("Approved posts will NOT go out")
    expect(page.get_by_role("link", name="Pause all publishing")).to_have_count(0)  # officer


def test_approve_a_day(page: Page, live: Live):
    sign_in(page, live, "alice")
    page.get_by_role("button", name="Approve Monday's 4 drafts").click()
    expect(page.locator(".flash.ok")).to_contain_text("Approved 4 posts")
    monday = ("2020-04-20-x", "2020-04-20-bluesky", "2020-04-20-facebook", "2020-04-20-instagram")
    for key in monday:
        expect(page.locator(f"#post-{key} .meta .state")).to_have_text("Approved")
        expect(page.locator(f'[data-chip="{key}"] .chip-state')).to_have_text("Approved")
        row = live.row(key)
        assert (row.state, row.approved_by) == ("approved", "alice")
    expect(page.locator("#post-2020-04-21-x .meta .state")).to_have_text("Draft – needs approval")
    expect(page.locator(".activity")).to_contain_text("alice")
    entries = [e for e in live.store.audit_log(SLUG) if e.action == "approved"]
    assert {e.actor for e in entries} == {"alice"} and len(entries) == 4


def test_pause_and_resume(page: Page, live: Live):
    sign_in(page, live, "alice")
    page.get_by_role("link", name="Pause all publishing").click()
    expect(page.get_by_role("heading", name="Pause all publishing for")).to_be_visible()
    page.get_by_label("Reason for the pause").fill("Critical incident in Derby")
    page.get_by_role("button", name="Yes, pause all publishing now").click()
    expect(page.locator("[data-live=banner]")).to_have_class("banner paused")
    expect(page.locator("[data-live=title]")).to_have_text("PAUSED – nothing is being published")
    expect(page.locator("[data-live=detail]")).to_contain_text("Critical incident in Derby")
    assert live.store.campaign(SLUG).paused
    page.get_by_role("link", name="Resume publishing").click()
    page.get_by_role("button", name="Yes, resume publishing").click()
    expect(page.locator("[data-live=banner]")).to_have_class("banner stopped")  # no daemon
    expect(page.locator("[data-live=title]")).to_contain_text("Approved posts will NOT go out")
    expect(page.get_by_role("link", name="Pause all publishing")).to_be_visible()
    assert not live.store.campaign(SLUG).paused
    actions = [(e.action, e.actor) for e in live.store.audit_log(SLUG)[-2:]]
    assert actions == [("paused", "alice"), ("resumed", "alice")]


def test_watch_a_post_change_to_published_during_a_sandbox_rehearsal(page: Page, live: Live):
    live.store.approve(SLUG, "alice", day=BEFORE_THE_WEEK.date())
    daemon = live.daemon()
    daemon.run_once()  # schedules Monday's posts and beats
    sign_in(page, live, "alice")
    card = page.locator("#post-2020-04-20-x")
    expect(card.locator(".meta .state")).to_have_text("Scheduled")
    expect(page.locator("[data-live=daemons]")).to_contain_text("Publishing daemon running")
    expect(page.locator("[data-live=next]")).to_contain_text("Mon 20 Apr 10:00 BST on X")
    page.evaluate("window.stillTheSamePage = true")

    live.clock.set(datetime(2020, 4, 20, 9, 0, tzinfo=UTC))  # 10:00 BST: the X thread is due
    daemon.run_once()
    row = live.row("2020-04-20-x")
    assert row.state == "published" and row.platform_post_id

    expect(card.locator(".meta .state")).to_have_text("Published")
    expect(card.locator(".meta .state")).to_have_class("state published")
    link = card.get_by_role("link", name="View on X")
    expect(link).to_have_attribute(
        "href", f"https://x.com/DerbyshirePolice/status/{row.platform_post_id}"
    )
    expect(page.locator('[data-chip="2020-04-20-x"] .chip-state')).to_have_text("Published")
    expect(page.locator("[data-live=next]")).to_contain_text("Mon 20 Apr 10:30 BST on Bluesky")
    expect(page.locator("#post-2020-04-20-facebook .meta .state")).to_have_text("Scheduled")
    assert page.evaluate("window.stillTheSamePage") is True  # updated live, not reloaded


def test_download_the_csv(page: Page, live: Live):
    live.store.approve(SLUG, "alice", day=BEFORE_THE_WEEK.date())
    daemon = live.daemon()
    for hour in (9, 11, 12, 13):  # both Monday posts go out, then their +1 h snapshots
        live.clock.set(datetime(2020, 4, 20, hour, 5, tzinfo=UTC))
        daemon.run_once()
    sign_in(page, live, "ann")
    expect(page).to_have_url(live.url + "/results")
    expect(page.locator("[data-metric=impressions]")).not_to_have_text("unavailable")
    expect(page.locator("#chart-growth svg")).to_be_visible()
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download CSV").click()
    download = downloading.value
    assert download.suggested_filename == "stalking-awareness-week-2020-engagement.csv"
    with open(download.path(), encoding="utf-8") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read())))
    keys = {row["post_key"] for row in rows}
    assert len(keys) == 23
    monday = [row for row in rows if row["post_key"] == "2020-04-20-x" and row["snapshot"]]
    assert monday and monday[0]["state"] == "published" and int(monday[0]["impressions"]) > 0
