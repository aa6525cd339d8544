"""Fixtures for the dashboard tests: the shipped week planned in a fresh store, one user per
role, an app on a manual session clock, and signed-in test clients."""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, Page, sync_playwright
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import create_server
from werkzeug.test import TestResponse

from campaign.cli.web import waitress_options
from campaign.clock import ManualClock
from campaign.config import CampaignConfig, load_config
from campaign.planning import store_plan
from campaign.store import Store, users
from campaign.store.users import add_user
from campaign.web import create_app

PASSWORD = "correct horse battery staple"
SECRET_KEY = "test-secret-key-that-signs-sessions"
SLUG = "stalking-awareness-week-2020"
PEOPLE = {"olly": "officer", "alice": "approver", "ann": "analyst"}
QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One chromium for every browser test of the session (each test opens its own context)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need Debian's chromium "
            "(`apt-get install chromium`; .ci/run installs it). Playwright's own browser "
            "download is not used."
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def axe_violations(page: Page) -> list[str]:
    """What axe-core finds wrong on the page (WCAG 2.x A and AA), one line per rule."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
    results = Axe().run(page, options={**options, "resultTypes": ["violations"]})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


@pytest.fixture(autouse=True)
def _quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with its real (deliberately slow) parameters is tested in test_users.py; here a
    light one keeps a hundred sign-ins fast."""
    monkeypatch.setattr(users, "HASHER", QUICK_HASHER)


@pytest.fixture
def config(campaign_dir: Path) -> CampaignConfig:
    return load_config(campaign_dir / "config.toml")


@pytest.fixture
def planned(store: Store, config: CampaignConfig) -> Store:
    """The shipped week stored as drafts, and one user per role."""
    store_plan(config, store, "olly")
    for username, role in PEOPLE.items():
        add_user(store, username, PASSWORD, role)
    return store


@pytest.fixture
def session_clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def app(config: CampaignConfig, planned: Store, session_clock: ManualClock) -> Flask:
    return create_app(config, planned, secret_key=SECRET_KEY, clock=session_clock)


class Forms(HTMLParser):
    """Every form on a page: (the card it sits in, its action, its hidden and named fields)."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, str, list[tuple[str, str]]]] = []
        self._card = ""
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "article" and attributes.get("id", "").startswith("post-"):
            self._card = attributes["id"].removeprefix("post-")
        elif tag == "form":
            self.forms.append((self._card, attributes.get("action", ""), []))
        elif tag == "input" and self.forms and attributes.get("name"):
            self.forms[-1][2].append((attributes["name"], attributes.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._card = ""

    def approve_form(self, key: str) -> list[tuple[str, str]]:
        [fields] = [f for card, action, f in self.forms if card == key and "approve" in action]
        return fields


class Web:
    """Drive the app as a browser would, through Flask's test client (conftest modules cannot
    be imported by the tests, so the helpers live on this fixture)."""

    password = PASSWORD
    people = PEOPLE
    forms = Forms

    def __init__(self, app: Flask) -> None:
        self.app = app

    @staticmethod
    def token(html: str) -> str:
        match = CSRF.search(html)
        assert match, "no CSRF token on the page"
        return match.group(1)

    def sign_in(self, username: str, password: str = PASSWORD) -> FlaskClient:
        client = self.app.test_client()
        token = self.token(client.get("/login").text)
        response = client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )
        assert response.status_code == 302, response.text
        return client

    def post(
        self, client: FlaskClient, path: str, data: dict[str, str], page: str = "/week"
    ) -> TestResponse:
        """POST a form as the page would: with the CSRF token the page carries."""
        token = self.token(client.get(page).text)
        return client.post(path, data={**data, "csrf_token": token})


@pytest.fixture
def web(app: Flask) -> Web:
    return Web(app)


SECOND = "road-safety-week-2020"


def second_campaign(campaign_dir: Path, target: Path) -> Path:
    """Another campaign of the same force, 14-20 April 2020 (its last day is the shipped week's
    first), on the same accounts, from its own copy of the files: its config path."""
    shutil.copytree(campaign_dir, target)
    config = target / "config.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('name = "Stalking Awareness Week 2020"', 'name = "Road Safety Week 2020"')
    text = text.replace(f'slug = "{SLUG}"', f'slug = "{SECOND}"')
    for day in range(20, 27):
        text = text.replace(f"2020-04-{day}", f"2020-04-{day - 6:02d}")
    config.write_text(text, encoding="utf-8")
    return config


@pytest.fixture
def two_campaigns(planned: Store, campaign_dir: Path, tmp_path: Path) -> CampaignConfig:
    """The shipped week and Road Safety Week 2020 planned into one store; the second's config."""
    other = load_config(second_campaign(campaign_dir, tmp_path / "road-safety"))
    store_plan(other, planned, "olly")
    return other


class OnLoopback:
    """The dashboard served by waitress on a free loopback port, in a background thread, with
    the options `campaign serve` uses, for a real browser; `close()` stops it (close the
    browser's contexts first)."""

    def __init__(
        self, app: Flask, name: str = "dashboard", https: bool = False, proxy: str | None = None
    ) -> None:
        options = waitress_options("127.0.0.1", 0, threads=4, https=https, trusted_proxy=proxy)
        self.server = create_server(app, **options)
        self.port = self.server.effective_port
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, name=name, daemon=True)
        self.thread.start()

    def channels(self) -> list[HTTPChannel]:
        """The client connections the server holds open now."""
        return [each for each in list(self.server._map.values()) if isinstance(each, HTTPChannel)]

    def close(self) -> None:
        """Finish the requests in flight, then close every socket from the server's own thread:
        closing them from here while its loop waits on them is waitress issue #468."""
        self.server.task_dispatcher.shutdown()
        self.server.trigger.pull_trigger(lambda: wasyncore.close_all(self.server._map))
        self.thread.join(timeout=5)
        assert not self.thread.is_alive(), "the dashboard's server did not stop"
