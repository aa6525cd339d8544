"""The approval queue in a real browser: an approver reads what changed since they approved a
post (a word-level diff), approves it, and sends another post back with a comment; axe-core
finds nothing serious at desktop and phone widths, on the queue and on the user admin page."""

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
from tests.campaign.review_helpers import revise
from tests.web.conftest import OnLoopback, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SLUG = "stalking-awareness-week-2020"
PASSWORD = "correct horse battery staple"
MONDAY_X, MONDAY_FB = "2020-04-20-x", "2020-04-20-facebook"


class Served:
    """The shipped week, one post approved then changed by an officer, on loopback."""

    def __init__(self, campaign_dir: Path, tmp_path: Path, clock: ManualClock) -> None:
        self.store = Store.open(f"sqlite:///{tmp_path / 'review.db'}", clock)
        config = load_config(campaign_dir / "config.toml")
        store_plan(config, self.store, "olly")
        add_user(self.store, "olly", PASSWORD, "officer")
        add_user(self.store, "alice", PASSWORD, "admin")  # approves, and manages users
        revise(self.store, SLUG, MONDAY_X, "olly", ["Stalking is a crime. Call 101 today."])
        self.store.approve(SLUG, "alice", keys=[MONDAY_X])
        revise(self.store, SLUG, MONDAY_X, "olly", ["Stalking is a crime. Call 999 today."])
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

    def state(self, key: str) -> str:
        [row] = self.store.posts(SLUG, keys=[key])
        return str(row.state)


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
    opened.goto(served.url + "/login?next=/review")
    opened.get_by_label("Username").fill("alice")
    opened.get_by_label("Password").fill(PASSWORD)
    opened.get_by_role("button", name="Sign in").click()
    expect(opened).to_have_url(served.url + "/review")
    yield opened
    context.close()


def test_approve_with_the_diff_and_request_changes(page: Page, served: Served):
    changed = page.locator(f"#review-{MONDAY_X}")
    expect(changed.locator("del")).to_contain_text("101")
    expect(changed.locator("ins")).to_contain_text("999")
    expect(changed.locator("ins .visually-hidden")).to_have_text("added: ")
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 1360, "height": 900})

    page.get_by_role("button", name="Approve Monday 10:00 X post").click()
    expect(page.locator(".flash.ok")).to_contain_text(f"Approved 1 post: {MONDAY_X}")
    assert served.state(MONDAY_X) == "approved"
    expect(page.locator(f"#review-{MONDAY_X}")).to_have_count(0)

    page.get_by_text("Request changes to the Monday 12:00 Facebook post…").click()
    page.locator(f"#review-{MONDAY_FB}").get_by_label("What should change?").fill(
        "Give the helpline's opening hours."
    )
    page.get_by_role("button", name="Send the Monday 12:00 Facebook post back for changes").click()
    expect(page.locator(".flash.ok")).to_contain_text("sent back for changes")
    sent_back = page.locator("#group-sent-back").locator("xpath=..")
    expect(sent_back.locator(f"#review-{MONDAY_FB}")).to_contain_text(
        "Give the helpline's opening hours."
    )
    assert [e.actor for e in served.store.audit_log(SLUG) if e.action == "changes-requested"] == [
        "alice"
    ]

    page.goto(served.url + "/admin/users")
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert axe_violations(page) == []
