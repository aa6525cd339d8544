"""Every dashboard page in real Chromium, at a desktop and a phone width: axe finds no serious
or critical violation, the page has one h1, and no two controls (links, buttons, fields,
disclosure summaries) share an accessible name, as Chromium itself computes them.

To check a new page, add a `Visit` to PAGES: its address, who looks at it, and, for a page that
only a form leads to, the steps from that address (`then`). Pages are visited in one server
over one store (the shipped week and a second campaign whose files are gone), set up once.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from campaign.clock import ManualClock, SystemClock
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import Store
from campaign.store.models import PostRow
from campaign.store.users import add_user
from campaign.web import create_app
from tests.web.conftest import (
    PASSWORD,
    SECOND,
    SLUG,
    OnLoopback,
    axe_violations,
    second_campaign,
)
from tests.web.welsh_week import SLUG as WELSH_SLUG
from tests.web.welsh_week import welsh_week

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = {"desktop": 1280, "phone": 390}
AUTUMN = "autumn-week-2020"  # 19-25 October 2020: the clocks go back on its Sunday
PEOPLE = {"olly": "officer", "alice": "approver", "ann": "analyst", "ada": "admin"}
# Tuesday 21 April 2020, 11:00 BST: Monday has gone out, Tuesday's 10:00 post is late.
NOW = datetime(2020, 4, 21, 10, 0, tzinfo=UTC)
# Roles Chromium gives controls (a <summary> is a "DisclosureTriangle").
CONTROLS = {
    "button",
    "link",
    "textbox",
    "searchbox",
    "combobox",
    "checkbox",
    "radio",
    "spinbutton",
    "slider",
    "switch",
    "DisclosureTriangle",
    "Date",
    "DateTime",
    "InputTime",
    "ListBox",
    "PopUpButton",
}
FIELDS = {"Date", "DateTime", "InputTime"}


def _move(page: Page, name: str, day: str, time: str) -> None:
    page.get_by_text(f"Move {name}…").click()
    page.get_by_label(f"New date for {name}").fill(day)
    page.get_by_label(f"New time (Europe/London) for {name}").fill(time)
    page.get_by_role("button", name=f"Move {name}").click()


def _move_to_the_night_the_clocks_go_back(page: Page) -> None:
    _move(page, "Thursday 10:00 X post", "2020-10-25", "01:30")


def _move_outside_the_campaign(page: Page) -> None:
    _move(page, "Thursday 10:00 X post", "2020-05-02", "10:00")


def _approve_a_post_whose_time_has_passed(page: Page) -> None:
    page.get_by_role("button", name="Approve Tuesday 10:00 X post").click()


@dataclass(frozen=True)
class Visit:
    """A page to check: its address, the words its h1 starts with (so an error page cannot
    pass for it), who is signed in (None: nobody), and the steps from that address to the page
    checked, for a page only a form leads to."""

    path: str
    heading: str
    user: str | None = "alice"
    then: Callable[[Page], None] | None = None


PAGES: dict[str, Visit] = {
    "sign in": Visit("/login", "Sign in", None),
    "week": Visit("/week", "Week and sign-off"),
    "week, officer": Visit("/week", "Week and sign-off", "olly"),
    "week, compact list": Visit("/week?view=list", "Week and sign-off"),
    "week, filtered": Visit("/week?channel=x&state=draft&mine=1", "Week and sign-off"),
    "move: which of two times": Visit(
        f"/c/{AUTUMN}/week", "01:30 happens twice", then=_move_to_the_night_the_clocks_go_back
    ),
    "week with messages": Visit("/week", "Week and sign-off", then=_move_outside_the_campaign),
    "approve late": Visit(
        "/week", "This post's time has passed", then=_approve_a_post_whose_time_has_passed
    ),
    "month calendar": Visit("/calendar?month=2020-04", "Everything going out in April 2020"),
    "month, compact list, filtered": Visit(
        "/calendar?month=2020-04&view=list&channel=x&mine=1", "Everything going out"
    ),
    "results": Visit("/results", "Results", "ann"),
    "compare": Visit(f"/results/compare?with={SECOND}", "Stalking Awareness Week", "ann"),
    "stored view": Visit(f"/c/{SECOND}/week", "Week and sign-off"),
    "pause confirmation": Visit("/control/pause", "Pause all publishing"),
    "resume confirmation": Visit("/control/resume", "Resume publishing"),
    "composer: edit": Visit("/post/2020-04-22-x/edit", "", "olly"),
    "composer: new post": Visit("/post/new", "", "olly"),
    "composer: cancel": Visit("/post/2020-04-22-x/cancel", "", "olly"),
    "review queue": Visit("/review", ""),
    "week in Welsh and English": Visit(f"/c/{WELSH_SLUG}/week", "Week and sign-off"),
    "week in Welsh and English, compact list": Visit(
        f"/c/{WELSH_SLUG}/week?view=list", "Week and sign-off"
    ),
    "review queue in Welsh and English": Visit(f"/c/{WELSH_SLUG}/review", ""),
    "user admin": Visit("/admin/users", "", "ada"),
    "not found": Visit("/no-such-page", "Not found"),
    "not allowed": Visit("/week", "Not allowed", "ann"),
    "bad request": Visit("/calendar?month=April", "Bad Request"),
}


def _autumn(week: Path, target: Path) -> Path:
    """The shipped week 26 weeks later, from its own copy of the files: its config path."""
    shutil.copytree(week, target)
    config = target / "config.toml"
    text = config.read_text(encoding="utf-8").replace(f'slug = "{SLUG}"', f'slug = "{AUTUMN}"')
    text = text.replace('name = "Stalking Awareness Week 2020"', 'name = "Autumn Week 2020"')
    for day in range(20, 27):
        text = text.replace(f"2020-04-{day}", f"2020-10-{day - 1}")
    config.write_text(text, encoding="utf-8")
    return config


@dataclass
class Served:
    url: str
    signed_in: dict[str, dict]  # each user's cookies, signed in once


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The dashboard on loopback over the shipped week (some posts sent, approved, failed)
    and a second campaign shown as stored (its files are gone)."""
    root = tmp_path_factory.mktemp("every-page")
    repo = Path(__file__).resolve().parents[2]
    week = root / "week"
    week.mkdir()
    shutil.copy(repo / "config.toml", week / "config.toml")
    shutil.copytree(repo / "posts", week / "posts", ignore=shutil.ignore_patterns("*.py"))
    store = Store.open(f"sqlite:///{root / 'pages.db'}", ManualClock(NOW))
    config = load_config(week / "config.toml")
    store_plan(config, store, "olly")
    store_plan(load_config(second_campaign(week, root / "second")), store, "olly")
    store_plan(load_config(_autumn(week, root / "autumn")), store, "olly")
    store_plan(load_config(welsh_week(root / "welsh")), store, "olly")  # a pair, a bilingual post
    shutil.rmtree(root / "second")
    for username, role in PEOPLE.items():
        add_user(store, username, PASSWORD, role)
    store.approve(SLUG, "alice", keys=("2020-04-20-x", "2020-04-21-facebook"), allow_past=True)
    with store.transaction() as session:
        rows = {row.key: row for row in session.query(PostRow)}
        rows["2020-04-20-x"].state = "published"
        rows["2020-04-20-x"].platform_post_id = "1250000000000000001"
        rows["2020-04-20-x"].published_at = rows["2020-04-20-x"].scheduled_at
        rows["2020-04-20-facebook"].state = "failed"
        rows["2020-04-20-facebook"].last_error = "(#368) The action has been deemed abusive"
    app = create_app(
        config, store, secret_key="every-page-secret-key-0123456789", clock=SystemClock()
    )
    server = OnLoopback(app, name="every-page")
    yield Served(server.url, {})
    server.close()
    store.engine.dispose()


def _context_state(browser: Browser, served: Served, user: str) -> dict:
    """Sign in once per user; later visits reuse the session cookie."""
    if user not in served.signed_in:
        context = browser.new_context()
        page = context.new_page()
        page.goto(served.url + "/login")
        page.get_by_label("Username").fill(user)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login" not in url)
        served.signed_in[user] = context.storage_state()
        context.close()
    return served.signed_in[user]


def duplicate_names(page: Page) -> list[str]:
    """Accessible names shared by two controls or more, with every disclosure opened (what
    is folded away is named too), as Chromium's accessibility tree has them."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    session.detach()
    by_id = {node["nodeId"]: node for node in nodes}

    def inside_a_field(node: dict) -> bool:
        """The parts Chromium draws inside a date or time field (its Day, Month... spinners)."""
        parent = by_id.get(node.get("parentId", ""))
        while parent is not None:
            if parent.get("role", {}).get("value") in FIELDS:
                return True
            parent = by_id.get(parent.get("parentId", ""))
        return False

    names: Counter[str] = Counter()
    for node in nodes:
        role = node.get("role", {}).get("value")
        if node.get("ignored") or role not in CONTROLS or inside_a_field(node):
            continue
        names[" ".join(str(node.get("name", {}).get("value", "")).split())] += 1
    return [f"{name!r} × {count}" for name, count in names.items() if count > 1]


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_is_accessible(browser: Browser, served: Served, name: str) -> None:
    """The page is reached once, at desktop width, then checked at each width: the phone width
    is the same document narrowed, as a phone's browser lays it out."""
    visit = PAGES[name]
    state = _context_state(browser, served, visit.user) if visit.user else None
    context = browser.new_context(
        viewport={"width": WIDTHS["desktop"], "height": 900}, storage_state=state
    )
    context.set_default_timeout(20_000)  # generous for a busy machine
    try:
        page = context.new_page()
        page.goto(served.url + visit.path)
        if visit.then is not None:
            visit.then(page)
        page.wait_for_load_state()
        assert "/login" not in page.url or visit.user is None, "not signed in"
        for width, pixels in WIDTHS.items():
            page.set_viewport_size({"width": pixels, "height": 900})
            serious = [v for v in axe_violations(page) if "(serious)" in v or "(critical)" in v]
            assert not serious, f"{name} at {width} width: {serious}"
            assert page.locator("h1").count() == 1, f"{name} at {width} width: not one h1"
            assert page.locator("h1").inner_text().startswith(visit.heading), name
            shared = duplicate_names(page)
            assert not shared, f"{name} at {width} width: controls share a name: {shared}"
    finally:
        context.close()
