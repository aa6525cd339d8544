"""`campaign preflight` on the shipped week planned against the sandbox: the real command, the
real clients over loopback HTTP, real SQLite; the week's clock handed to the command."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner, Result

from campaign.cli import main
from campaign.store.alert_rows import AlertRow
from tests.scheduler.conftest import WEEK_SLUG, WEEK_START

NOW = WEEK_START - timedelta(hours=1)  # Monday 08:55 BST: the week's first posts are today


@pytest.fixture
def week(week_factory):
    week = week_factory()
    week.clock.set(NOW)
    week.environ = week.sandbox.credentials(list(week.config.accounts.values()))
    week.url = str(week.store.engine.url)
    return week


def approve_all_but(week, *keys: str) -> None:
    wanted = [p.key for p in week.store.posts(WEEK_SLUG) if p.key not in keys]
    week.store.approve(WEEK_SLUG, "approver", keys=wanted, allow_self_approval=True)


def preflight(week, *args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(
        main,
        ["preflight", "--database", week.url, *args],
        env={**week.environ, **(env or {})},
        obj={"clock": week.clock},
    )


def test_all_clear_exits_0(week) -> None:
    approve_all_but(week)
    week.store.publishing.heartbeat("daemon-1", NOW)

    result = preflight(week)

    assert result.exit_code == 0, result.output
    assert "All clear" in result.output
    data = json.loads(preflight(week, "--json").output)
    assert data["ok"] is True and data["findings"] == []
    assert {a["account"]: a["status"] for a in data["accounts"]} == {
        "x": "ok",
        "facebook": "ok",
        "instagram": "ok",
        "bluesky": "ok",
        "mastodon": "ok",
        "threads": "ok",
    }


def test_every_problem_is_located_and_exits_1(week) -> None:
    approve_all_but(week, "2020-04-20-facebook")  # due at 12:00 BST today, not approved
    # no daemon has ever beaten
    image = week.config_path.parent / "posts" / "images" / "see-stalking-clearly.png"
    image.write_bytes(image.read_bytes() + b"edited after approval")
    week.sandbox.revoke_token(week.config.accounts["x"])
    expires = NOW + timedelta(days=3)
    week.sandbox.expire_token(week.config.accounts["facebook"], expires)

    result = preflight(week, "--json")

    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    found = {(f["check"], f["post"] or f["account"] or f["campaign"]): f for f in data["findings"]}
    unapproved = found["approvals", "2020-04-20-facebook"]
    assert "Mon 20 Apr 12:00 BST" in unapproved["where"] and "(facebook)" in unapproved["where"]
    assert "campaign approve" in unapproved["fix"]
    assert found["daemon", WEEK_SLUG]["severity"] == "problem"
    changed = found["images", "2020-04-20-x"]
    assert "changed on disk after the post was approved" in changed["what"]
    assert "sends the image as approved" in changed["what"]
    refused = found["credentials", "x"]
    assert refused["severity"] == "problem" and "held" in refused["what"]
    assert found["token", "facebook"]["severity"] == "warning"  # later than the 24 h ahead
    assert "Thu 23 Apr 2020 08:55 BST" in found["token", "facebook"]["what"]
    accounts = {a["account"]: a for a in data["accounts"]}
    assert accounts["x"]["status"] == "refused" and accounts["x"]["held_now"] is True
    assert accounts["x"]["alerted"] is True  # the held-account alert, raised with the hold
    assert accounts["facebook"]["expires_at"] == expires.isoformat()
    for secret in week.environ.values():
        assert secret not in result.output

    # The refused token held the account as a refused send would: its posts wait.
    [x] = [a for a in week.store.accounts(WEEK_SLUG) if a.key == "x"]
    assert x.needs_credentials and "401" in (x.credentials_problem or "")
    actions = [row.action for row in week.store.audit_log(WEEK_SLUG)]
    assert actions.count("credentials-rejected") == 1
    assert data["alerts"]["failed"] == 0
    with week.store.reading() as session:
        held = session.query(AlertRow).filter(AlertRow.topic == "account-held").all()
    assert [alert.account_id for alert in held] == [x.id]
    # The expiring token raised its alert once, however often the check runs.
    preflight(week, "--json")
    with week.store.reading() as session:
        alerts = session.query(AlertRow).filter(AlertRow.topic == "token-expiring").all()
    assert len(alerts) == 1 and alerts[0].facts["account_key"] == "facebook"

    table = preflight(week)
    assert table.exit_code == 1
    assert "problem(s)" in table.output and "2020-04-20-facebook" in table.output


def test_token_expiring_within_the_day_ahead_is_a_problem(week) -> None:
    approve_all_but(week)
    week.store.publishing.heartbeat("daemon-1", NOW)
    week.sandbox.expire_token(week.config.accounts["facebook"], NOW + timedelta(hours=5))

    result = preflight(week, "--json", "--days", "2")

    assert result.exit_code == 1
    [finding] = json.loads(result.output)["findings"]
    assert (finding["check"], finding["severity"]) == ("token", "problem")


def test_a_missing_variable_is_named_never_a_value(week) -> None:
    approve_all_but(week)
    week.store.publishing.heartbeat("daemon-1", NOW)
    variable = week.config.accounts["facebook"].credentials["page_access_token"]

    result = preflight(week, "--json", env={variable: None})

    assert result.exit_code == 1
    [finding] = json.loads(result.output)["findings"]
    assert finding["check"] == "credentials" and finding["account"] == "facebook"
    assert variable in finding["what"] and variable in finding["fix"]
    assert week.environ[variable] not in result.output
    # Nothing was refused by the platform: the account is not held.
    assert not any(a.needs_credentials for a in week.store.accounts(WEEK_SLUG))


def test_bad_input_exits_2(week) -> None:
    assert preflight(week, "--hours", "0").exit_code == 2
    unknown = preflight(week, "--campaign", "no-such-campaign")
    assert unknown.exit_code == 2 and WEEK_SLUG in unknown.output


def test_the_held_account_alert_is_delivered_by_the_run_itself(week) -> None:
    """Run from cron with no daemon alive, preflight's alerts pass delivers what it raised."""
    from scheduler.sandbox.alert_sinks import WebhookSink

    approve_all_but(week)
    week.store.publishing.heartbeat("daemon-1", NOW)
    with week.store.transaction() as session:
        campaign = week.store.campaign(WEEK_SLUG, session)
        hook = {"kind": "webhook", "url_env": "OPS_HOOK_URL", "topics": ["account-held"]}
        alerts = {**(campaign.settings or {}).get("alerts", {}), "channels": {"ops": hook}}
        campaign.settings = {**(campaign.settings or {}), "alerts": alerts}
    week.sandbox.revoke_token(week.config.accounts["x"])

    with WebhookSink() as sink:
        result = preflight(week, "--json", env={"OPS_HOOK_URL": sink.url("/in/ops")})
        calls = list(sink.messages)

    assert result.exit_code == 1
    assert json.loads(result.output)["alerts"]["sent"] == 1
    [call] = calls
    assert call.json["topic"] == "account-held"
    assert call.header("Idempotency-Key") is not None


def test_a_held_account_is_reported_once_and_when_its_token_works_again(week) -> None:
    approve_all_but(week)
    week.store.publishing.heartbeat("daemon-1", NOW)
    week.sandbox.revoke_token(week.config.accounts["x"])
    preflight(week)  # holds x

    again = json.loads(preflight(week, "--json").output)
    assert [(f["check"], f["account"]) for f in again["findings"]] == [("accounts", "x")]

    week.sandbox.revoke_token(week.config.accounts["x"], revoked=False)  # renewed
    renewed = json.loads(preflight(week, "--json").output)
    checks = {(f["check"], f["account"]): f for f in renewed["findings"]}
    assert set(checks) == {("accounts", "x"), ("credentials", "x")}
    assert "accepts its credentials now" in checks["credentials", "x"]["what"]
    assert "--account x" in checks["credentials", "x"]["fix"]
