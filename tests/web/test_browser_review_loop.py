"""The week written and agreed in the browser, end to end, in real Chromium.

An officer turns a post into a two-part X thread with a picture and its alt text, watching the
counter, moves it to the Saturday and sees that the helpline is closed then, and saves. An
approver sees it in the queue with what changed and sends it back with a comment; the officer
reads the comment and fixes the post; the approver approves it; a daemon against the platform
sandbox publishes exactly the approved text and picture at the new time.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from campaign.clock import ManualClock, SystemClock
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import PostState, Store
from campaign.store.users import add_user
from campaign.web import create_app
from scheduler.channels import channels_for
from scheduler.daemon import Daemon
from scheduler.rehearsal import sandbox_config
from scheduler.sandbox import PlatformSandbox, SandboxSettings
from tests.web.conftest import OnLoopback

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SLUG = "stalking-awareness-week-2020"
KEY = "2020-04-21-x"  # Tuesday 10:00, X
PASSWORD = "correct horse battery staple"
WEEK_BEFORE = datetime(2020, 4, 13, 9, 0, tzinfo=UTC)
SATURDAY_15_BST = datetime(2020, 4, 25, 14, 0, tzinfo=UTC)


class Office:
    """The shipped week planned and approved once, the sandbox, the dashboard on loopback."""

    def __init__(self, campaign_dir: Path, tmp_path: Path, clock: ManualClock) -> None:
        self.clock = clock
        clock.set(WEEK_BEFORE)
        self.store = Store.open(f"sqlite:///{tmp_path / 'office.db'}", clock)
        self.sandbox = PlatformSandbox(SandboxSettings(seed=4), clock).start()
        self.config = sandbox_config(load_config(campaign_dir / "config.toml"), self.sandbox)
        store_plan(self.config, self.store, "olly")
        self.store.approve(SLUG, "alice", keys=[KEY])  # approved once: a change shows a diff
        add_user(self.store, "olly", PASSWORD, "officer")
        add_user(self.store, "alice", PASSWORD, "approver")
        app = create_app(
            self.config, self.store, secret_key="review-loop-secret-0123456789", clock=SystemClock()
        )
        self.served = OnLoopback(app)
        self.url = self.served.url

    def row(self):
        [row] = self.store.posts(SLUG, keys=[KEY])
        return row

    def publish_at(self, moment: datetime) -> None:
        environ = self.sandbox.credentials(list(self.config.accounts.values()))
        channels = channels_for(self.config, environ, timeout=2.0)
        daemon = Daemon.for_config(
            self.store, self.config, channels, self.clock, rng=random.Random(2), daemon_id="d-9"
        )
        try:
            self.clock.set(moment)
            daemon.run_once()
        finally:
            daemon.stop()

    def close(self) -> None:
        self.served.close()
        self.sandbox.stop()
        self.store.engine.dispose()


@pytest.fixture
def office(campaign_dir, tmp_path, clock) -> Iterator[Office]:
    running = Office(campaign_dir, tmp_path, clock)
    yield running
    running.close()


@pytest.fixture
def signed_in(browser: Browser, office: Office) -> Iterator[Callable[[str], Page]]:
    """A page per person, each in its own browser context (closed before the server stops)."""
    contexts: list[BrowserContext] = []

    def sign_in(username: str) -> Page:
        context = browser.new_context(viewport={"width": 1360, "height": 900})
        contexts.append(context)
        context.set_default_timeout(20_000)  # generous for a busy machine
        page = context.new_page()
        page.goto(office.url + "/login")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(office.url + "/week")
        return page

    yield sign_in
    for context in contexts:
        context.close()


def picture(tmp_path: Path) -> Path:
    path = tmp_path / "helpline-weekend.png"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 675), (20, 60, 90)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_post_written_sent_back_fixed_approved_and_published(
    signed_in: Callable[[str], Page], office: Office, tmp_path: Path
) -> None:
    officer = signed_in("olly")
    approver = signed_in("alice")

    # The officer writes: two parts, the helpline's number from the palette, a picture.
    officer.get_by_role("link", name="Edit Tuesday 10:00 X post").click()
    counters = officer.locator("[data-counter]")
    expect(officer.get_by_label("Part 2", exact=True)).to_be_visible()
    expect(officer.get_by_label("Part 3", exact=True)).to_have_count(0)  # a two-part thread
    second = officer.get_by_label("Part 2", exact=True)
    second.fill("Worried about someone? Call ")
    officer.get_by_role("button", name="Insert National Stalking Helpline number").click()
    expect(counters.nth(1)).to_have_text("41 / 280")  # the number as sent, not the variable
    officer.get_by_label("Add a picture").set_input_files(str(picture(tmp_path)))
    officer.get_by_label("Alt text for the new picture").fill(
        "Dark blue card: the National Stalking Helpline, 0808 802 0300."
    )
    # Moved to the Saturday, the helpline is closed when the post goes out.
    officer.get_by_label("Date", exact=True).fill("2020-04-25")
    officer.get_by_label("Time", exact=True).fill("15:00")
    status = officer.locator("[data-live-status]")
    expect(status).to_contain_text("closed")
    officer.get_by_role("button", name="Save changes").click()
    expect(officer.locator(".flash.ok")).to_contain_text("needs approval again")
    row = office.row()
    assert row.state == PostState.DRAFT and row.scheduled_at == SATURDAY_15_BST
    assert row.parts[1] == "Worried about someone? Call 0808 802 0300"

    # The approver sees what changed since approval, and sends it back.
    approver.goto(office.url + "/review")
    card = approver.locator(f"#review-{KEY}")
    expect(card.locator("ins").first).to_contain_text("Worried")
    expect(card).to_contain_text("closed")  # the approver sees the checks' warning too
    approver.get_by_text("Request changes to the Saturday 15:00 X post…").click()
    card.get_by_label("What should change?").fill(
        "The helpline is closed on Saturdays: say so, and give 999 for danger."
    )
    approver.get_by_role("button", name="Send the Saturday 15:00 X post back for changes").click()
    expect(approver.locator(".flash.ok")).to_contain_text("sent back for changes")

    # The officer reads why beside the post, and fixes it.
    officer.goto(office.url + f"/post/{KEY}/edit")
    expect(officer.get_by_text("The helpline is closed on Saturdays")).to_be_visible()
    second = officer.get_by_label("Part 2", exact=True)
    second.fill(
        "The helpline is open on weekdays: {{ helplines.stalking.number }}. "
        "In danger now? Call {{ helplines.emergency.number }}."
    )
    officer.get_by_role("button", name="Save changes").click()
    expect(officer.locator(".flash.ok")).to_contain_text("needs approval again")

    # The approver cannot be the author; alice is not: she approves what she is shown.
    approver.goto(office.url + "/review")
    expect(approver.locator(f"#review-{KEY}")).to_contain_text("open on weekdays")
    approver.get_by_role("button", name="Approve Saturday 15:00 X post").click()
    expect(approver.locator(".flash.ok")).to_contain_text(f"Approved 1 post: {KEY}")
    approved = office.row()
    assert approved.state == PostState.APPROVED and approved.approved_by == "alice"

    # The daemon publishes exactly the approved text and picture, at the new time.
    office.publish_at(SATURDAY_15_BST)
    published = office.row()
    assert published.state == PostState.PUBLISHED
    texts = [tweet.text for tweet in office.sandbox.x.tweets]
    assert texts == list(approved.parts)
    assert texts[1] == ("The helpline is open on weekdays: 0808 802 0300. In danger now? Call 999.")
    [uploaded] = office.sandbox.x.media.values()
    assert uploaded.alt_text == "Dark blue card: the National Stalking Helpline, 0808 802 0300."
    assert uploaded.size == (tmp_path / "helpline-weekend.png").stat().st_size
