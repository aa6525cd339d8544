"""Where people see alerts: `campaign alerts list|send|test`, a failing channel in `campaign
status` and on the dashboard's banner; and the secrets that must never show in any of them."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from campaign.alerts.delivery import deliver_due
from campaign.cli import main
from campaign.clock import ManualClock
from campaign.config import load_config
from campaign.store import Store, users
from campaign.store.users import add_user
from campaign.web import create_app
from scheduler.sandbox.alert_sinks import SmtpSink, WebhookSink
from tests.alerts.conftest import HOOK_TOKEN, SLUG, raise_failed
from tests.web.conftest import QUICK_HASHER, Web


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, alerts_environ: dict[str, str], tmp_path: Path):
    for name, value in alerts_environ.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CAMPAIGN_USER", "pc.tester")
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", f"sqlite:///{tmp_path / 'campaign.db'}")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_alerts_test_sends_to_one_channel_and_exits_by_outcome(
    planned: Store, alerting_config: Path, mail: SmtpSink, hooks: WebhookSink, cli_env
):
    config = str(alerting_config)
    code, out, _ = run("alerts", "test", "ops-hook", "--config", config)
    assert code == 0 and "Sent a test message to ops-hook" in out
    [call] = hooks.messages
    assert call.json["topic"] == "channel-test" and mail.messages == []
    assert call.path == f"/hook/{HOOK_TOKEN}"

    code, out, err = run("alerts", "test", "duty-email", "--config", config)
    assert code == 0 and len(mail.messages) == 1  # whatever severity the channel asks for
    assert mail.messages[0]["Subject"].startswith("[info] Stalking Awareness Week 2020: Test")

    code, _, err = run("alerts", "test", "duty-mail", "--config", config)
    assert code == 2
    assert "has no alert channel 'duty-mail'; its channels are comms-teams, duty-email" in err

    hooks.down()
    code, _, err = run("alerts", "test", "ops-slack", "--campaign", SLUG)
    assert code == 1
    assert "the test message to ops-slack was not sent: could not connect to the Slack " in err
    assert "(connection refused)" in err and "Traceback" not in err
    hooks.up()
    code, _, _ = run("alerts", "send")
    assert code == 0 and len(hooks.messages) == 1  # a failed test is not sent later

    code, out, _ = run("alerts", "list", "--json")
    listed = json.loads(out)
    assert [a["topic"] for a in listed["alerts"]] == ["channel-test"] * 3
    states = [(d["channel"], d["state"]) for a in listed["alerts"] for d in a["deliveries"]]
    assert sorted(states) == [
        ("duty-email", "sent"),
        ("ops-hook", "sent"),
        ("ops-slack", "given-up"),
    ]
    first = listed["alerts"][0]
    raised = datetime.fromisoformat(first["created_at"]).astimezone(ZoneInfo("Europe/London"))
    assert first["local_time"] == raised.isoformat()  # in the campaign's zone
    assert listed["failing_channels"] == []  # a failed test says so itself, once


def test_alerts_send_and_list_report_what_happened(
    planned: Store, clock: ManualClock, mail: SmtpSink, hooks: WebhookSink, cli_env
):
    clock.set(datetime.now(UTC))  # the commands read the wall clock
    raise_failed(planned, clock)
    hooks.answer(503)
    code, out, _ = run("alerts", "send", "--json")
    report = json.loads(out)
    assert code == 1 and (report["sent"], report["failed"]) == (1, 1)
    [failed] = [d for d in report["deliveries"] if not d["sent"]]
    assert failed["error"].startswith("the Teams webhook answered 503")

    code, out, _ = run("alerts", "list", "--campaign", SLUG)
    assert code == 0
    assert "Monday 10:00 X post failed" in out
    assert "duty-email: sent" in out and "comms-teams: not sent yet (1 try" in out

    code, _, err = run("alerts", "list", "--campaign", "stalking-week")
    assert code == 2 and "did you mean 'stalking-awareness-week-2020'" in err

    hooks.answer(200)
    code, out, _ = run("alerts", "send")
    assert code == 0 and "Nothing due to be sent now; 1 waiting to be tried again" in out


def test_a_failing_channel_shows_in_status_and_on_the_banner(
    planned: Store,
    clock: ManualClock,
    alerting_config: Path,
    mail: SmtpSink,
    hooks: WebhookSink,
    alerts_environ,
    cli_env,
    monkeypatch,
):
    raise_failed(planned, clock)
    hooks.answer(503)
    for attempt in range(1, 4):
        deliver_due(planned, clock, "daemon-1", alerts_environ)  # the email goes at once
        if attempt < 3:  # one or two failures are not yet "keeps failing"
            assert planned.alerts.failing_channels() == []
        clock.advance(timedelta(minutes=5))

    [failing] = planned.alerts.failing_channels()
    assert (failing.name, failing.kind, failing.attempts, failing.waiting) == (
        "comms-teams",
        "teams",
        3,
        1,
    )
    expected = (
        "Alerts to comms-teams are not getting through (since Mon 13 Apr 10:00 BST, 3 tries): "
        "the Teams webhook answered 503. They are kept and retried."
    )

    code, out, _ = run("status", "--json", "--config", str(alerting_config))
    status = json.loads(out)
    assert [c["name"] for c in status["alert_channels"]] == ["comms-teams"]
    assert status["alert_channels"][0]["last_error"].startswith("the Teams webhook answered 503")
    code, out, _ = run("status", "--config", str(alerting_config))
    assert expected in " ".join(out.split())

    monkeypatch.setattr(users, "HASHER", QUICK_HASHER)
    add_user(planned, "olly", Web.password, "officer")
    app = create_app(load_config(alerting_config), planned, secret_key="k" * 32, clock=clock)
    client = Web(app).sign_in("olly")
    page = client.get("/week").text
    banner = re.search(r'<section class="banner.*?</section>', page, re.S)
    assert banner and expected in " ".join(re.sub(r"<[^>]+>", " ", banner.group(0)).split())
    assert client.get("/api/status").json["banner"]["alerts"] == [expected]

    hooks.answer(200)  # it comes back: the banner clears once the alert is through
    clock.advance(timedelta(minutes=10))
    deliver_due(planned, clock, "daemon-1", alerts_environ)
    assert planned.alerts.failing_channels() == []
    assert client.get("/api/status").json["banner"]["alerts"] == []


def test_secrets_never_show_in_the_database_audit_logs_or_output(
    planned: Store,
    clock: ManualClock,
    tmp_path: Path,
    mail: SmtpSink,
    hooks: WebhookSink,
    alerts_environ,
    secret_values,
    cli_env,
    monkeypatch,
    caplog,
):
    caplog.set_level(logging.INFO)  # the most the daemon and the dashboard log (urllib3's
    # DEBUG lines name every request's path, as they do for every client of requests)
    raise_failed(planned, clock)
    raise_failed(planned, clock, key="post-failed:2:1")
    mail.refuse("535 5.7.8 Authentication failed for alerts-sender-7781 pw-Zq8!kLm2-not-for-logs")
    hooks.down()
    outputs = []
    for _ in range(4):
        report = deliver_due(planned, clock, "daemon-1", alerts_environ)
        outputs.append(json.dumps(report.as_dict()))
        clock.advance(timedelta(minutes=5))
    hooks.up()
    hooks.answer(404)
    monkeypatch.setenv("TEST_ALERTS_SMTP_PASSWORD", "wrong-password-XYZ")
    mail.accept()
    outputs += [run("alerts", "send")[1], run("alerts", "send", "--json")[1]]
    outputs += [run("alerts", "list")[1], run("alerts", "list", "--json")[1]]
    outputs += [run("status", "--json", "--campaign", SLUG)[1]]
    outputs += [
        run("status", "--campaign", SLUG)[1],
        run("audit", "--campaign", SLUG, "--export", "-")[1],
    ]
    outputs += run("alerts", "test", "ops-slack", "--campaign", SLUG)[1:]

    with planned.engine.connect() as connection:  # the whole database, as text
        dump = "\n".join(connection.connection.dbapi_connection.iterdump())
    everything = "\n".join([dump, caplog.text, *outputs])
    assert "answered 404" in everything and "refused the message (535" in everything
    for secret in [*secret_values, "wrong-password-XYZ"]:
        assert secret not in everything, f"{secret!r} leaked"


def test_alerts_send_from_cron_is_the_dead_mans_switch_and_raises_it_once(
    planned: Store, mail: SmtpSink, hooks: WebhookSink, cli_env
):
    """With every daemon dead and the dashboard not running, `campaign alerts send` from cron
    raises the no-daemon alert (a post is due in 10 minutes) and sends it; the next run, five
    minutes later, raises nothing more."""
    from campaign.store.models import PostRow

    planned.approve(SLUG, "alice", keys=("2020-04-20-x",), allow_past=True)
    with planned.transaction() as session:
        post = session.query(PostRow).filter_by(key="2020-04-20-x").one()
        post.scheduled_at = datetime.now(UTC) + timedelta(minutes=10)

    code, out, _ = run("alerts", "send", "--json")
    report = json.loads(out)
    assert code == 0, out
    assert [key.split(":")[0] for key in report["raised"]] == ["no-daemon"]
    [card] = [call.json for call in hooks.messages]
    assert "No publishing service is running" in json.dumps(card)
    assert len(mail.messages) == 1 and "[critical]" in mail.messages[0]["Subject"]

    code, out, _ = run("alerts", "send", "--json")
    assert code == 0 and json.loads(out)["raised"] == [] and len(hooks.messages) == 1


def test_a_channel_written_in_the_config_can_be_tested_before_it_is_planned(
    planned: Store, alerting_config: Path, hooks: WebhookSink, cli_env, monkeypatch
):
    """ "Uncomment and fill in; `campaign alerts test NAME`": the channel as written is tried,
    and the officer is told to plan so that alerts use it."""
    monkeypatch.setenv("TEST_ALERTS_NEW_URL", hooks.url("/new-slack"))
    alerting_config.write_text(
        alerting_config.read_text(encoding="utf-8")
        + '\n[alerts.channels.new-slack]\nkind = "slack"\nurl_env = "TEST_ALERTS_NEW_URL"\n',
        encoding="utf-8",
    )
    code, out, err = run("alerts", "test", "new-slack", "--config", str(alerting_config))
    assert code == 0, err
    assert "Sent a test message to new-slack" in out
    assert "not stored yet: run `campaign plan`" in " ".join(out.split())
    assert [call.path for call in hooks.messages] == ["/new-slack"]

    code, _, err = run("alerts", "test", "new-slack", "--campaign", SLUG)
    assert code == 2 and "has no alert channel 'new-slack'" in err  # the stored ones
