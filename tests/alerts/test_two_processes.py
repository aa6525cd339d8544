"""Two processes' delivery loops on one database (two Store objects, two owners, running at
once) never send one delivery twice: counted at the receivers."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest

from campaign.alerts.delivery import DeliveryReport, deliver_due
from campaign.clock import ManualClock
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import Store
from scheduler.sandbox.alert_sinks import SmtpSink, WebhookSink
from tests.alerts.conftest import raise_failed
from tests.conftest import fresh_database

ALERTS = 12


def deliver_from_two_processes(
    first: Store, second: Store, clock: ManualClock, environ: dict[str, str]
) -> list[DeliveryReport]:
    reports: list[DeliveryReport] = []
    start = threading.Barrier(2)

    def loop(store: Store, owner: str) -> None:
        start.wait()
        for _ in range(3):  # a loop's ticks; nothing is due again in between
            reports.append(deliver_due(store, clock, owner, environ, limit=5))

    threads = [
        threading.Thread(target=loop, args=(first, "daemon-a")),
        threading.Thread(target=loop, args=(second, "daemon-b")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return reports


def check_each_sent_once(reports: list[DeliveryReport], mail: SmtpSink, hooks: WebhookSink) -> None:
    emails = Counter(message["X-Campaign-Alert-Key"] for message in mail.messages)
    posts = Counter(call.header("Idempotency-Key") for call in hooks.messages)
    assert len(emails) == ALERTS and set(emails.values()) == {1}
    assert len(posts) == ALERTS and set(posts.values()) == {1}
    sent = [outcome.key for report in reports for outcome in report.sent]
    assert len(sent) == len(set(sent)) == 2 * ALERTS


def test_two_delivery_loops_on_one_sqlite_file_never_send_twice(
    planned: Store,
    clock: ManualClock,
    mail: SmtpSink,
    hooks: WebhookSink,
    tmp_path: Path,
    alerts_environ,
):
    for n in range(ALERTS):
        raise_failed(planned, clock, key=f"post-failed:{n}:1")
    other = Store.open_existing(f"sqlite:///{tmp_path / 'campaign.db'}", clock)
    try:
        reports = deliver_from_two_processes(planned, other, clock, alerts_environ)
    finally:
        other.engine.dispose()
    check_each_sent_once(reports, mail, hooks)


@pytest.mark.postgres
def test_two_delivery_loops_on_postgresql_never_send_twice(
    postgres_url: str,
    alerting_config: Path,
    clock: ManualClock,
    mail: SmtpSink,
    hooks: WebhookSink,
    alerts_environ,
):
    url = fresh_database(postgres_url, "alerts_delivery")  # plans nothing into the session's
    first = Store.open(url, clock)
    second = Store.open_existing(url, clock)
    try:
        store_plan(load_config(alerting_config), first, "officer")
        for n in range(ALERTS):
            raise_failed(first, clock, key=f"post-failed:pg{n}:1")
        reports = deliver_from_two_processes(first, second, clock, alerts_environ)
    finally:
        first.engine.dispose()
        second.engine.dispose()
    check_each_sent_once(reports, mail, hooks)
