"""Fixtures for the alert tests: a real SMTP server and a real webhook receiver on loopback, and
the shipped campaign planned with alert channels pointing at them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from campaign.clock import ManualClock
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import Store
from campaign.store.alert_rows import AlertRow
from campaign.store.outbox import AlertEvent, raise_alert
from scheduler.sandbox.alert_sinks import SmtpSink, WebhookSink

SLUG = "stalking-awareness-week-2020"
SMTP_USER = "alerts-sender-7781"
SMTP_PASSWORD = "pw-Zq8!kLm2-not-for-logs"
HOOK_TOKEN = "sig-3f9a1c77e2b04d5e-secret"  # the secret part of every webhook address
SIGNING_SECRET = "hmac-secret-5521"


DASHBOARD = 'dashboard_url = "https://campaigns.derbyshire.local"\n'


def with_alerts(config_text: str, mail_port: int) -> str:
    """The config with the dashboard's address in its [alerts] table and the test channels."""
    if "\n[alerts]\n" in config_text:
        config_text = config_text.replace("\n[alerts]\n", f"\n[alerts]\n{DASHBOARD}", 1)
    else:
        config_text += f"\n[alerts]\n{DASHBOARD}"
    return config_text + alerts_toml(mail_port)


def alerts_toml(mail_port: int) -> str:
    return f"""
[alerts.channels.duty-email]
kind = "email"
severity = "critical"
to = ["comms-duty@derbyshire.police.uk", "duty-inspector@derbyshire.police.uk"]
sender = "campaign-alerts@derbyshire.police.uk"
host = "127.0.0.1"
port = {mail_port}
security = "none"
username_env = "TEST_ALERTS_SMTP_USER"
password_env = "TEST_ALERTS_SMTP_PASSWORD"

[alerts.channels.comms-teams]
kind = "teams"
severity = "warning"
url_env = "TEST_ALERTS_TEAMS_URL"

[alerts.channels.ops-slack]
kind = "slack"
topics = ["channel-test"]
url_env = "TEST_ALERTS_SLACK_URL"

[alerts.channels.ops-hook]
kind = "webhook"
topics = ["channel-test"]
url_env = "TEST_ALERTS_HOOK_URL"
secret_env = "TEST_ALERTS_HOOK_SECRET"
"""


def alerts(store: Store, topic: str | None = None) -> list[AlertRow]:
    """Every alert in the store (of one topic), oldest first."""
    from sqlalchemy import select

    with store.reading() as session:
        query = select(AlertRow).order_by(AlertRow.id)
        if topic is not None:
            query = query.where(AlertRow.topic == topic)
        return list(session.scalars(query))


@pytest.fixture
def mail() -> Iterator[SmtpSink]:
    with SmtpSink(credentials=(SMTP_USER, SMTP_PASSWORD)) as sink:
        yield sink


@pytest.fixture
def hooks() -> Iterator[WebhookSink]:
    with WebhookSink() as sink:
        yield sink


@pytest.fixture
def alerts_environ(hooks: WebhookSink) -> dict[str, str]:
    """ENV VAR NAME -> secret, as whoever runs the daemon would export them."""
    return {
        "TEST_ALERTS_SMTP_USER": SMTP_USER,
        "TEST_ALERTS_SMTP_PASSWORD": SMTP_PASSWORD,
        "TEST_ALERTS_TEAMS_URL": hooks.url(f"/teams/{HOOK_TOKEN}"),
        "TEST_ALERTS_SLACK_URL": hooks.url(f"/slack/{HOOK_TOKEN}"),
        "TEST_ALERTS_HOOK_URL": hooks.url(f"/hook/{HOOK_TOKEN}"),
        "TEST_ALERTS_HOOK_SECRET": SIGNING_SECRET,
    }


@pytest.fixture
def secret_values(alerts_environ: dict[str, str]) -> list[str]:
    return [SMTP_USER, SMTP_PASSWORD, HOOK_TOKEN, SIGNING_SECRET]


@pytest.fixture
def alerting_config(campaign_dir: Path, mail: SmtpSink) -> Path:
    """The shipped campaign's config.toml with the loopback alert channels added."""
    path = campaign_dir / "config.toml"
    path.write_text(with_alerts(path.read_text(encoding="utf-8"), mail.port), encoding="utf-8")
    return path


@pytest.fixture
def planned(alerting_config: Path, store: Store) -> Store:
    """The store with the alerting campaign planned (its channels stored with it)."""
    store_plan(load_config(alerting_config), store, "officer")
    return store


def raise_failed(store: Store, clock: ManualClock, key: str = "post-failed:1:1") -> AlertRow:
    """Raise a post-failed alert as the event capture does: inside a transaction."""
    with store.transaction() as session:
        campaign = store.campaign(SLUG, session)
        event = AlertEvent(
            key=key,
            topic="post-failed",
            title="Monday 10:00 X post failed",
            facts={
                "what": "The Monday 10:00 post on X was not published.",
                "when": "Mon 20 Apr 10:00 BST",
                "platform_message": "You are not allowed to create a Tweet with duplicate content.",
                "what_to_do": "Change the wording in the dashboard and approve it again.",
                "link": f"/campaigns/{SLUG}/week",
                "attempts": 1,
            },
        )
        row = raise_alert(session, [campaign], event, clock.now())
        assert row is not None
        return row


def later(clock: ManualClock, **delta: float) -> datetime:
    from datetime import timedelta

    return clock.advance(timedelta(**delta))
