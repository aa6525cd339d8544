"""Delivering the outbox to a real SMTP server and a real webhook receiver on loopback: once,
with the right words, retried with backoff while a channel is down, given up after 48 hours,
and audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign.alerts.delivery import LEASE, backoff, deliver_due
from campaign.clock import ManualClock
from campaign.store import AuditRow, Store
from campaign.store.alert_rows import AlertDeliveryRow
from scheduler.sandbox.alert_sinks import SmtpSink, WebhookSink
from tests.alerts.conftest import HOOK_TOKEN, SLUG, raise_failed


def audit_actions(store: Store) -> list[tuple[str, dict]]:
    with store.reading() as session:
        rows = session.scalars(select(AuditRow).where(AuditRow.action.like("alert-%")))
        return [(row.action, row.details) for row in rows.all()]


def deliveries(store: Store) -> dict[str, AlertDeliveryRow]:
    with store.reading() as session:
        return {row.channel_name: row for row in session.scalars(select(AlertDeliveryRow))}


def test_an_alert_reaches_email_and_teams_once_with_its_facts(
    planned: Store, clock: ManualClock, mail: SmtpSink, hooks: WebhookSink, alerts_environ
):
    raise_failed(planned, clock)
    # Routed by severity: critical reaches the email and the Teams channel; the test-only
    # channels (Slack, webhook) ask for channel tests alone.
    assert sorted(deliveries(planned)) == ["comms-teams", "duty-email"]

    report = deliver_due(planned, clock, "daemon-1", alerts_environ)
    again = deliver_due(planned, clock, "daemon-1", alerts_environ)

    assert report.ok and len(report.sent) == 2 and again.outcomes == []
    [email] = mail.received
    message = email.message
    assert message["Subject"] == (
        "[critical] Stalking Awareness Week 2020: Monday 10:00 X post failed"
    )
    assert email.recipients == (
        "comms-duty@derbyshire.police.uk",
        "duty-inspector@derbyshire.police.uk",
    )
    assert email.login == "alerts-sender-7781"  # logged in with the variables' values
    body = message.get_content()
    assert "What happened: The Monday 10:00 post on X was not published." in body
    assert "The platform said: You are not allowed to create a Tweet with duplicate" in body
    assert "What to do: Change the wording in the dashboard and approve it again." in body
    assert "Attempts: 1" in body  # a fact with no place of its own is still listed
    assert (
        f"https://campaigns.derbyshire.local/campaigns/{SLUG}/week" in body
    )  # the link, on the configured dashboard
    assert message["X-Campaign-Alert-Key"] == "post-failed:1:1/duty-email"
    assert message["Message-ID"].startswith("<alert.")

    [teams] = hooks.messages
    assert teams.path == f"/teams/{HOOK_TOKEN}"
    assert teams.header("Idempotency-Key") == "post-failed:1:1/comms-teams"
    attachment = teams.json["attachments"][0]
    assert teams.json["type"] == "message"
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"][0]["text"] == "Monday 10:00 X post failed"
    facts = {fact["title"]: fact["value"] for fact in card["body"][2]["facts"]}
    assert facts["The platform said"].startswith("You are not allowed to create a Tweet")
    assert card["actions"][0]["url"].endswith(f"/campaigns/{SLUG}/week")

    sent = [details for action, details in audit_actions(planned) if action == "alert-sent"]
    assert sorted((d["channel"], d["topic"], d["attempts"]) for d in sent) == [
        ("comms-teams", "post-failed", 1),
        ("duty-email", "post-failed", 1),
    ]
    assert {d["key"] for d in sent} == {"post-failed:1:1/comms-teams", "post-failed:1:1/duty-email"}


def test_raising_the_same_event_twice_sends_it_once(
    planned: Store, clock: ManualClock, mail: SmtpSink, hooks: WebhookSink, alerts_environ
):
    raise_failed(planned, clock)
    deliver_due(planned, clock, "daemon-1", alerts_environ)
    with planned.transaction() as session:
        from campaign.store.outbox import AlertEvent, raise_alert

        campaign = planned.campaign(SLUG, session)
        event = AlertEvent(key="post-failed:1:1", topic="post-failed", title="again")
        assert raise_alert(session, [campaign], event, clock.now()) is None
    deliver_due(planned, clock, "daemon-2", alerts_environ)
    assert len(mail.messages) == 1 and len(hooks.messages) == 1


def test_the_backoff_doubles_from_30_seconds_to_10_minutes():
    assert [backoff(n).total_seconds() for n in range(1, 8)] == [30, 60, 120, 240, 480, 600, 600]
    assert LEASE > timedelta(seconds=30)  # outlasts one send's network steps


def test_a_webhook_down_for_five_minutes_gets_the_alert_soon_after_it_comes_back(
    planned: Store, clock: ManualClock, mail: SmtpSink, hooks: WebhookSink, alerts_environ
):
    raise_failed(planned, clock)
    raised = clock.now()
    hooks.down()  # connection refused for three minutes, then "503" for two
    tried_at = []
    while clock.now() < raised + timedelta(minutes=20):
        if clock.now() >= raised + timedelta(minutes=3) and hooks.refused == []:
            hooks.up()
            hooks.answer(503)
        if clock.now() >= raised + timedelta(minutes=5):
            hooks.answer(200)
        report = deliver_due(planned, clock, "daemon-1", alerts_environ)  # as the loop would
        tried_at += [clock.now() for o in report.outcomes if o.channel == "comms-teams"]
        if hooks.messages:
            break
        clock.advance(timedelta(seconds=10))

    [received] = hooks.messages
    back = raised + timedelta(minutes=5)
    assert clock.now() - back <= timedelta(minutes=5)  # within minutes of coming back
    assert len(mail.messages) == 1  # the email went at once, and only once
    keys = {call.header("Idempotency-Key") for call in [*hooks.refused, received]}
    assert hooks.refused and keys == {"post-failed:1:1/comms-teams"}  # one key, every attempt
    gaps = [later - earlier for earlier, later in zip(tried_at, tried_at[1:], strict=False)]
    assert gaps[:3] == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]

    for _ in range(3):  # nothing is sent twice afterwards
        clock.advance(timedelta(minutes=15))
        deliver_due(planned, clock, "daemon-1", alerts_environ)
    assert len(hooks.messages) == 1
    teams = deliveries(planned)["comms-teams"]
    assert teams.state == "sent" and teams.attempts == len(tried_at)


def test_a_channel_failing_for_48_hours_is_given_up_and_audited(
    planned: Store, clock: ManualClock, mail: SmtpSink, hooks: WebhookSink, alerts_environ
):
    raise_failed(planned, clock)
    mail.down()
    first = deliver_due(planned, clock, "daemon-1", alerts_environ)
    [failed] = first.failed
    assert failed.channel == "duty-email" and not failed.given_up
    assert failed.error == f"could not connect to the mail server 127.0.0.1:{mail.port} " + (
        "(connection refused)"
    )
    clock.advance(timedelta(hours=47, minutes=55))
    assert not deliver_due(planned, clock, "daemon-1", alerts_environ).failed[0].given_up
    clock.advance(timedelta(minutes=10))
    [last] = deliver_due(planned, clock, "daemon-1", alerts_environ).failed
    assert last.given_up and last.attempts == 3

    mail.up()
    clock.advance(timedelta(hours=1))
    assert deliver_due(planned, clock, "daemon-1", alerts_environ).outcomes == []
    assert mail.messages == [] and deliveries(planned)["duty-email"].state == "given-up"
    actions = [action for action, d in audit_actions(planned) if d["channel"] == "duty-email"]
    assert actions == ["alert-failed", "alert-given-up"]  # not one row per retry


def test_a_busy_mail_server_is_retried_and_its_words_kept(
    planned: Store, clock: ManualClock, mail: SmtpSink, hooks: WebhookSink, alerts_environ
):
    raise_failed(planned, clock)
    mail.refuse()
    [failed] = deliver_due(planned, clock, "daemon-1", alerts_environ).failed
    assert failed.error == (
        f"the mail server 127.0.0.1:{mail.port} refused the message "
        "(451 4.3.0 Mail server busy, try again later)"
    )
    mail.accept()
    clock.advance(timedelta(seconds=30))
    assert deliver_due(planned, clock, "daemon-1", alerts_environ).ok
    assert len(mail.messages) == 1


def test_a_missing_variable_says_which_and_keeps_the_alert(
    planned: Store, clock: ManualClock, hooks: WebhookSink, alerts_environ
):
    raise_failed(planned, clock)
    environ = {k: v for k, v in alerts_environ.items() if k != "TEST_ALERTS_TEAMS_URL"}
    report = deliver_due(planned, clock, "daemon-1", environ)
    [failed] = report.failed
    assert failed.error.startswith(
        "environment variable TEST_ALERTS_TEAMS_URL is not set: export it"
    )
    assert deliveries(planned)["comms-teams"].state == "pending"


@pytest.mark.parametrize("status", [429, 404])
def test_a_refusing_webhook_is_named_by_its_answer(
    planned: Store, clock: ManualClock, mail: SmtpSink, hooks: WebhookSink, alerts_environ, status
):
    raise_failed(planned, clock)
    hooks.answer(status, {"Retry-After": "900"})
    [failed] = deliver_due(planned, clock, "daemon-1", alerts_environ).failed
    assert failed.error.startswith(f"the Teams webhook answered {status}")
    if status == 429:  # the receiver's wish outranks our shorter backoff
        assert failed.next_attempt_at == clock.now() + timedelta(seconds=900)
