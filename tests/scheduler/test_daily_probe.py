"""The daemon's daily credentials probe: a token the platform now refuses holds its account
before its next post is due, so the post waits instead of failing."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from campaign.states import PostState
from campaign.store.alert_rows import AlertRow
from scheduler.daemon import PROBE_EVERY, PROBE_FIRST, PROBE_RETRY
from scheduler.runner import DaemonRunner
from tests.scheduler.conftest import WEEK_SLUG, WEEK_START

MONDAY_EARLY = WEEK_START - timedelta(hours=2)  # 07:55 BST, the first post at 10:00


@pytest.fixture
def week(week_factory):
    week = week_factory()
    week.store.approve(WEEK_SLUG, "approver", allow_self_approval=True)
    week.clock.set(MONDAY_EARLY)
    return week


def test_a_refused_token_holds_the_account_before_its_post_is_due(week, caplog) -> None:
    daemon = week.daemon()
    daemon.run_once()  # schedules the approved posts
    week.sandbox.revoke_token(week.config.accounts["x"])

    with caplog.at_level(logging.WARNING):
        report = daemon.probe_credentials()

    assert {c.account: (c.status, c.held) for c in report.accounts} == {
        "x": ("refused", True),
        "facebook": ("ok", False),
        "instagram": ("ok", False),
        "bluesky": ("ok", False),
        "mastodon": ("ok", False),
        "threads": ("ok", False),
    }
    [x] = [a for a in week.store.accounts(WEEK_SLUG) if a.key == "x"]
    assert x.needs_credentials and "401" in (x.credentials_problem or "")
    assert "credentials-rejected" in [r.action for r in week.store.audit_log(WEEK_SLUG)]
    with week.store.reading() as session:  # raised in the hold's own transaction
        held = session.query(AlertRow).filter(AlertRow.topic == "account-held").all()
    assert [alert.account_id for alert in held] == [x.id]
    assert not daemon.credentials_due()
    for secret in week.sandbox.credentials(list(week.config.accounts.values())).values():
        assert secret not in caplog.text

    # Monday's X post falls due: it waits, held, never sent and never failed.
    week.clock.set(WEEK_START + timedelta(minutes=10))  # 5 minutes after, within the grace
    daemon.run_once()
    assert week.states()["2020-04-20-x"] == PostState.SCHEDULED
    assert week.sandbox.x.tweets == []
    assert not any(r.method == "POST" for r in week.sandbox.x.requests)


def test_a_network_failure_holds_nothing_and_is_tried_again_sooner(week) -> None:
    daemon = week.daemon()
    week.sandbox.update(rate_5xx=1.0)

    report = daemon.probe_credentials()

    assert {c.status for c in report.accounts} == {"unreachable"}
    assert not any(a.needs_credentials for a in week.store.accounts(WEEK_SLUG))
    week.clock.advance(PROBE_RETRY - timedelta(minutes=1))
    assert not daemon.credentials_due()
    week.clock.advance(timedelta(minutes=1))
    assert daemon.credentials_due()


def test_a_token_expiring_soon_raises_its_alert_once_a_day_apart(week) -> None:
    daemon = week.daemon()
    expires = MONDAY_EARLY + timedelta(days=3)
    week.sandbox.expire_token(week.config.accounts["facebook"], expires)

    first = daemon.probe_credentials()
    assert daemon.credentials_due() is False
    week.clock.advance(PROBE_EVERY)
    assert daemon.credentials_due()
    second = daemon.probe_credentials()

    assert [c.alerted for c in first.accounts if c.account == "facebook"] == [True]
    assert [c.alerted for c in second.accounts if c.account == "facebook"] == [False]
    with week.store.reading() as session:
        alerts = session.query(AlertRow).filter(AlertRow.topic == "token-expiring").all()
    assert len(alerts) == 1
    assert alerts[0].facts["expires_at"] == expires.isoformat()
    assert not any(a.needs_credentials for a in week.store.accounts(WEEK_SLUG))


def test_the_runner_probes_a_minute_after_start_on_its_own_thread(week) -> None:
    daemon = week.daemon(poll_seconds=0.1)
    week.sandbox.revoke_token(week.config.accounts["facebook"])
    assert not daemon.credentials_due()  # the first sweep's sends come first
    week.clock.advance(PROBE_FIRST)
    runner = DaemonRunner(daemon)
    runner.start()
    try:
        for _ in range(100):
            if runner.credentials.finished():
                break
            runner.stopping.wait(0.05)
    finally:
        runner.stop()
    [facebook] = [a for a in week.store.accounts(WEEK_SLUG) if a.key == "facebook"]
    assert facebook.needs_credentials


def test_a_stopping_daemon_probes_no_further_account(week) -> None:
    daemon = week.daemon()
    daemon.stopping.set()

    report = daemon.probe_credentials()

    assert report.accounts == []
    assert week.sandbox.x.requests == [] and week.sandbox.facebook.requests == []
