"""The CLI end to end through click's runner: output, JSON, exit codes and an unchanged database."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from icalendar import Calendar

from campaign.cli import main


@pytest.fixture
def run(campaign_dir, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_USER", "pc.tester")

    def _run(*args: str, config=None):
        config = config or campaign_dir / "config.toml"
        result = CliRunner().invoke(main, [*args, "--config", str(config)], catch_exceptions=False)
        return result

    return _run


def _db_bytes(campaign_dir):
    path = campaign_dir / "campaign.db"
    return path.read_bytes() if path.exists() else None


def test_help_everywhere():
    for command in (
        [],
        ["init"],
        ["check"],
        ["plan"],
        ["preview"],
        ["approve"],
        ["status"],
        ["export"],
    ):
        result = CliRunner().invoke(main, [*command, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_check_json_on_the_shipped_week(run):
    result = run("check", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["ok"] and data["errors"] == 0 and len(data["posts"]) == 14
    monday = next(p for p in data["posts"] if p["key"] == "2020-04-20-x")
    assert monday["local_time"] == "2020-04-20T10:00:00+01:00" and len(monday["lengths"]) == 3


def test_check_exits_1_on_errors_and_names_the_template(run, edit):
    edit(
        "posts/how-to-report/x.j2", "How to report stalking to us:", "Call 0800 555 0199 to report:"
    )
    result = run("check")
    assert result.exit_code == 1
    assert "how-to-report/x.j2:1" in result.output and "phone-unknown" in result.output


def test_plan_approve_status_export(run, campaign_dir, tmp_path):
    assert run("plan").exit_code == 0
    approved = run("approve", "--day", "2020-04-20")
    assert approved.exit_code == 0 and "Approved 2 post(s) as pc.tester" in approved.output
    status = json.loads(run("status", "--json").output)
    states = {p["key"]: p for p in status["posts"]}
    assert (
        states["2020-04-20-x"]["state"] == "approved"
        and states["2020-04-20-x"]["approved_by"] == "pc.tester"
    )
    assert states["2020-04-21-x"]["state"] == "draft"
    ics = tmp_path / "week.ics"
    assert run("export", "--ics", str(ics)).exit_code == 0
    events = [c for c in Calendar.from_ical(ics.read_bytes()).walk("VEVENT")]
    assert len(events) == 14
    first = min(events, key=lambda e: e.decoded("dtstart"))
    assert first.decoded("dtstart").date() == date(2020, 4, 20)
    assert "Stalking Awareness Week" in str(first["description"])


def test_plan_twice_changes_nothing(run, campaign_dir):
    run("plan")
    first = json.loads(run("status", "--json").output)
    second_plan = run("plan")
    assert "unchanged" in second_plan.output
    assert json.loads(run("status", "--json").output) == first


def test_plan_dry_run_writes_nothing(run, campaign_dir):
    result = run("plan", "--dry-run")
    assert result.exit_code == 0 and "Would store 14 posts" in result.output
    assert run("status").exit_code == 3  # the campaign was never stored


def test_plan_refuses_a_week_with_errors_and_stores_nothing(run, campaign_dir, edit):
    run("plan")
    before = _db_bytes(campaign_dir)
    status_before = run("status", "--json").output
    edit(
        "posts/how-to-report/x.j2", "How to report stalking to us:", "Call 0800 555 0199 to report:"
    )
    result = run("plan")
    assert result.exit_code == 1 and "Nothing was stored" in result.output
    assert run("status", "--json").output == status_before
    assert before is not None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("config.toml", 'slug = "stalking-awareness-week-2020"', 'slug = "stalking'), "line 7"),
        (("config.toml", 'time = "13:30"', 'time = "1:30pm"'), "days[2].posts[0].time"),
        (("config.toml", '"Europe/London"', '"Europe/Londres"'), "unknown timezone"),
        (("config.toml", "date = 2020-04-26", "date = 2020-05-26"), "outside the campaign"),
        (
            ("posts/how-to-report/x.j2", "{{ contact.online_form }}", "{{ contact.online_form }"),
            "how-to-report/x.j2:6",
        ),
        (
            ("posts/how-to-report/x.j2", "{{ contact.online_form }}", "{{ contact.webform }}"),
            "webform",
        ),
        (("config.toml", "images/helpline-card.png", "images/helpline.png"), "images/helpline.png"),
    ],
    ids=[
        "toml-syntax",
        "schema",
        "timezone",
        "date-outside",
        "template-syntax",
        "undefined",
        "missing-image",
    ],
)
def test_bad_input_exits_2_with_a_clear_message_and_leaves_the_database_alone(
    run, campaign_dir, edit, change, expected
):
    run("plan")
    status_before = run("status", "--json").output
    edit(*change)
    for command in ("check", "plan"):
        result = run(command)
        assert result.exit_code == 2, result.output
        assert expected in result.output.replace("\n", " ")
        assert "Traceback" not in result.output
    edit(change[0], change[2], change[1])
    assert run("status", "--json").output == status_before


def test_approve_needs_a_target(run):
    run("plan")
    result = run("approve")
    assert result.exit_code == 2 and "say what to approve" in result.output


def test_preview_writes_html_with_every_post(run, campaign_dir, tmp_path):
    run("plan")
    target = tmp_path / "preview.html"
    result = run("preview", "--output", str(target))
    assert result.exit_code == 0 and str(target) in result.output.replace("\n", "")
    html = target.read_text()
    for key in ("2020-04-20-x", "2020-04-26-facebook"):
        assert key in html


def test_init_scaffolds_a_campaign_whose_placeholders_fail_the_check_until_written(
    tmp_path, write_placeholders
):
    directory = tmp_path / "new-week"
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "init",
            str(directory),
            "--name",
            "Fraud Awareness Week 2027",
            "--hashtag",
            "#StopFraud",
            "--start",
            "2027-03-01",
            "--organisation",
            "Anyshire Police",
        ],
    )
    assert result.exit_code == 0, result.output
    config = directory / "config.toml"
    check = runner.invoke(main, ["check", "--json", "--config", str(config)])
    data = json.loads(check.output)
    assert check.exit_code == 1 and len(data["posts"]) == 14
    placeholders = [f for f in data["findings"] if f["rule"] == "placeholder"]
    assert data["errors"] == len(placeholders) == 2 + 7 + 14  # accounts, themes, templates
    where = {f["where"].split(":")[0] for f in placeholders}
    assert where == {"config.toml"} | {
        f"day-{n}/{channel}.j2" for n in range(1, 8) for channel in ("x", "facebook")
    }
    in_config = [f for f in placeholders if f["where"].startswith("config.toml:")]
    fields = {f["message"].split(" ")[0] for f in in_config}
    assert {"accounts.x.handle", "accounts.facebook.page_id", "days[0].theme"} <= fields
    assert all(f["line"] for f in placeholders)
    # Writing what each placeholder asks for is all it takes to pass.
    write_placeholders(directory)
    check = runner.invoke(main, ["check", "--json", "--config", str(config)])
    data = json.loads(check.output)
    assert check.exit_code == 0, data["findings"]
    assert (directory / "posts" / "README.md").is_file()  # the guide error messages point to
    again = runner.invoke(
        main,
        [
            "init",
            str(directory),
            "--name",
            "x",
            "--hashtag",
            "#X",
            "--start",
            "2027-03-01",
            "--organisation",
            "y",
        ],
    )
    assert again.exit_code == 2 and "already holds a campaign" in again.output


def test_pause_and_resume_are_audited_and_shown_in_status(run, campaign_dir):
    run("plan")
    assert run("pause").exit_code == 2  # a reason is required
    paused = run("pause", "--reason", "critical incident in Chesterfield")
    assert paused.exit_code == 0 and "PAUSED" in paused.output
    status = json.loads(run("status", "--json").output)
    assert status["paused"] and status["pause_reason"] == "critical incident in Chesterfield"
    assert status["paused_by"] == "pc.tester" and status["any_daemon_alive"] is False
    assert "PAUSED by pc.tester" in run("status").output
    assert run("resume", "--reason", "incident closed").exit_code == 0
    assert json.loads(run("status", "--json").output)["paused"] is False
    one = run("pause", "--account", "x", "--reason", "X account compromised")
    assert one.exit_code == 0
    accounts = {a["key"]: a for a in json.loads(run("status", "--json").output)["accounts"]}
    assert accounts["x"]["paused"] and not accounts["facebook"]["paused"]


def test_pausing_an_unknown_account_is_a_clear_error(run):
    run("plan")
    result = run("pause", "--account", "instagram", "--reason", "test")
    assert result.exit_code == 3 and "no account 'instagram'" in result.output
