"""The pre-flight's database checks, on the shipped week planned in SQLite, at a chosen moment
of the sandbox-free ManualClock: approvals, daemons, caps across campaigns, images, holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from campaign.clock import ManualClock
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.preflight.run import run_checks
from campaign.store import Store
from campaign.store.models import AccountRow, PostRow

SLUG = "stalking-awareness-week-2020"
NOW = datetime(2020, 4, 20, 7, 0, tzinfo=UTC)  # Monday 08:00 BST, before the first post


@pytest.fixture
def planned(campaign_dir, store: Store, clock: ManualClock) -> Store:
    store_plan(load_config(campaign_dir / "config.toml"), store, "officer")
    store.approve(SLUG, "approver", allow_self_approval=True)
    clock.set(NOW)
    store.publishing.heartbeat("daemon-1", NOW)
    return store


def checks(store: Store, hours: float = 24) -> dict[tuple[str, str | None], object]:
    report = run_checks(store, NOW, hours=hours)
    return {(f.check, f.post or f.account): f for f in report.findings}


def test_an_approved_day_with_a_daemon_alive_is_clear(planned: Store) -> None:
    report = run_checks(planned, NOW)
    assert report.findings == [] and report.ok


def test_caps_count_every_campaign_on_the_account_in_the_day_ahead(planned: Store) -> None:
    with planned.transaction() as session:
        x = session.query(AccountRow).filter(AccountRow.key == "x").one()
        x.definition = {**(x.definition or {}), "posts_per_24h": 2}

    found = checks(planned)

    [(key, finding)] = [(k, f) for k, f in found.items() if k[0] == "caps"]
    assert finding.severity == "problem" and finding.account == "x"
    assert "over the account's limit of 2" in finding.what
    assert "Mon 20 Apr 10:00 BST" in finding.where
    # A day later than the window: nothing in it goes over.
    assert not [k for k in checks(planned, hours=1) if k[0] == "caps"]


def test_held_accounts_are_problems_and_paused_ones_warnings(planned: Store) -> None:
    with planned.transaction() as session:
        for account in session.query(AccountRow):
            if account.key == "x":
                account.needs_credentials = True
                account.credentials_problem = "HTTP 401 Unauthorized"
            else:
                account.paused, account.pause_reason = True, "incident on the Page"

    found = checks(planned)

    held, paused = found["accounts", "x"], found["accounts", "facebook"]
    assert held.severity == "problem" and "HTTP 401 Unauthorized" in held.what
    assert "--account x" in held.fix
    assert paused.severity == "warning" and "incident on the Page" in paused.what


def test_an_approved_image_in_neither_the_database_nor_the_folder(
    planned: Store, campaign_dir
) -> None:
    with planned.transaction() as session:
        post = session.query(PostRow).filter(PostRow.key == "2020-04-20-x").one()
        post.media = [{**m, "sha256": "0" * 64} for m in post.media]  # approval unchanged

    changed = checks(planned)["images", "2020-04-20-x"]
    assert "the database holds no copy of the approved one" in changed.what

    (campaign_dir / "posts" / "images" / "see-stalking-clearly.png").unlink()
    missing = checks(planned)["images", "2020-04-20-x"]
    assert missing.severity == "problem" and "neither stored in the database" in missing.what


def test_no_daemon_alive_is_a_problem_while_posts_are_left(
    planned: Store, clock: ManualClock
) -> None:
    planned.publishing.heartbeat("daemon-1", NOW - timedelta(hours=1), stopping=True)

    daemon = checks(planned)["daemon", None]

    assert daemon.severity == "problem" and "No publishing daemon is running" in daemon.what
