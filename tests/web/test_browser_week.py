"""The week page in Chromium: live updates replace the whole card, and posts move by drag and
drop or from the keyboard (the Move form), through the core's checks."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from campaign.clock import ManualClock, SystemClock
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import Store
from campaign.store.users import add_user
from campaign.web import create_app
from tests.web.conftest import PASSWORD, SLUG, OnLoopback

pytestmark = pytest.mark.browser

BEFORE_THE_WEEK = datetime(2020, 4, 19, 9, 0, tzinfo=UTC)  # Sunday before the week


@dataclass
class Served:
    url: str
    store: Store
    clock: ManualClock


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    repo = Path(__file__).resolve().parents[2]
    week = tmp_path / "week"
    week.mkdir()
    shutil.copy(repo / "config.toml", week / "config.toml")
    shutil.copytree(repo / "posts", week / "posts", ignore=shutil.ignore_patterns("*.py"))
    clock = ManualClock(BEFORE_THE_WEEK)
    store = Store.open(f"sqlite:///{tmp_path / 'week.db'}", clock)
    config = load_config(week / "config.toml")
    store_plan(config, store, "olly")
    for username, role in (("olly", "officer"), ("alice", "approver")):
        add_user(store, username, PASSWORD, role)
    app = create_app(
        config,
        store,
        secret_key="week-browser-secret-0123456789",
        clock=SystemClock(),
        poll_seconds=0.3,
    )
    server = OnLoopback(app, name="week")
    yield Served(server.url, store, clock)
    server.close()
    store.engine.dispose()


@pytest.fixture
def page(browser: Browser, served: Served) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)  # generous for a busy machine
    yield context.new_page()
    context.close()


def sign_in(page: Page, served: Served, username: str, path: str = "/week") -> None:
    page.goto(served.url + "/login?next=" + path)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(served.url + path)


def test_a_change_elsewhere_replaces_the_whole_card_and_is_announced(page: Page, served: Served):
    sign_in(page, served, "alice")
    card = page.locator("#post-2020-04-20-x")
    expect(card.get_by_role("button", name="Approve Monday 10:00 X post")).to_be_visible()
    expect(card.locator(".approved-at")).to_have_count(0)
    page.evaluate("window.stillTheSamePage = true")

    served.store.approve(SLUG, "alice", keys=("2020-04-20-x",))  # from another browser

    expect(card.locator(".approved-at")).to_contain_text("Approved by alice")
    expect(card.locator(".meta .approval")).to_contain_text("Approved by alice")
    expect(card.get_by_text("Withdraw approval of Monday 10:00 X post…")).to_be_visible()
    expect(card.get_by_role("button", name="Approve Monday 10:00 X post")).to_have_count(0)
    expect(page.locator(".summary .count.ready strong")).to_have_text("1")
    expect(page.locator("[data-live=announce]")).to_have_text(
        "Monday 10:00 X post approved by alice."
    )
    assert page.evaluate("window.stillTheSamePage") is True  # updated live, not reloaded
    # Nothing else is announced while nothing changes: the heartbeat is not news.
    page.wait_for_timeout(900)
    expect(page.locator("[data-live=announce]")).to_have_text(
        "Monday 10:00 X post approved by alice."
    )


def _scheduled(served: Served, key: str) -> datetime:
    [row] = served.store.posts(SLUG, keys=[key])
    return row.scheduled_at


def test_drag_a_post_to_another_day(page: Page, served: Served):
    served.store.approve(SLUG, "alice", keys=("2020-04-20-x",))
    sign_in(page, served, "olly")
    chip = page.locator('[data-chip="2020-04-20-x"]')
    saturday = page.locator('.cal-day[data-drop-day="2020-04-25"]')
    chip.drag_to(saturday)
    expect(page.locator(".flash.ok")).to_contain_text(
        "Moved the Monday 10:00 X post to Saturday 25 April 2020 at 10:00"
    )
    expect(page.locator(".flash.ok")).to_contain_text("It is a draft again")
    assert _scheduled(served, "2020-04-20-x") == datetime(2020, 4, 25, 9, 0, tzinfo=UTC)
    [row] = served.store.posts(SLUG, keys=["2020-04-20-x"])
    assert row.state == "draft" and row.approved_by is None
    expect(saturday.locator('[data-chip="2020-04-20-x"]')).to_be_visible()
    expect(page.locator("#day-2020-04-25 #post-2020-04-20-x")).to_be_visible()


def test_a_sent_post_cannot_be_dragged(page: Page, served: Served):
    with served.store.transaction() as session:
        from campaign.store.models import PostRow

        row = session.query(PostRow).filter_by(key="2020-04-21-x").one()
        row.state, row.platform_post_id = "published", "1250000000000000001"
    sign_in(page, served, "olly")
    chip = page.locator('[data-chip="2020-04-21-x"]')
    expect(chip).not_to_have_attribute("draggable", "true")
    chip.drag_to(page.locator('.cal-day[data-drop-day="2020-04-25"]'))
    page.wait_for_timeout(300)
    expect(page.locator(".flash")).to_have_count(0)
    assert _scheduled(served, "2020-04-21-x") == datetime(2020, 4, 21, 9, 0, tzinfo=UTC)


@pytest.mark.slow
@pytest.mark.parametrize("script", [True, False], ids=["with-js", "without-js"])
def test_move_a_post_from_the_keyboard(browser: Browser, served: Served, script: bool):
    context = browser.new_context(
        viewport={"width": 390, "height": 900}, java_script_enabled=script
    )
    context.set_default_timeout(20_000)  # generous for a busy machine
    page = context.new_page()
    try:
        sign_in(page, served, "olly")
        move = page.get_by_text("Move Tuesday 10:00 X post…")
        move.focus()
        page.keyboard.press("Enter")  # opens the Move form
        date = page.get_by_label("New date for Tuesday 10:00 X post")
        expect(date).to_be_visible()
        expect(
            page.get_by_label("New time (Europe/London) for Tuesday 10:00 X post")
        ).to_have_value("10:00")
        date.fill("2020-05-02")  # not a day of the campaign: refused, in plain words
        page.get_by_role("button", name="Move Tuesday 10:00 X post").focus()
        page.keyboard.press("Enter")
        expect(page.locator(".flash.error")).to_contain_text(
            "Not moved: the Tuesday 10:00 X post stays where it was. Saturday 2 May 2020 is not "
            "a day of this campaign"
        )
        assert _scheduled(served, "2020-04-21-x") == datetime(2020, 4, 21, 9, 0, tzinfo=UTC)
        page.get_by_text("Move Tuesday 10:00 X post…").focus()
        page.keyboard.press("Enter")
        page.get_by_label("New date for Tuesday 10:00 X post").fill("2020-04-24")
        page.get_by_label("New time (Europe/London) for Tuesday 10:00 X post").fill("15:45")
        page.get_by_role("button", name="Move Tuesday 10:00 X post").focus()
        page.keyboard.press("Enter")
        expect(page.locator(".flash.ok")).to_contain_text(
            "Moved the Tuesday 10:00 X post to Friday 24 April 2020 at 15:45"
        )
        assert _scheduled(served, "2020-04-21-x") == datetime(2020, 4, 24, 14, 45, tzinfo=UTC)
    finally:
        context.close()
