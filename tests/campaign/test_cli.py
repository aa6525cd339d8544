"""The CLI end to end through click's runner: output, JSON, exit codes and an unchanged database."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from click.testing import CliRunner
from icalendar import Calendar

from campaign.cli import main


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
    assert data["ok"] and data["errors"] == 0 and len(data["posts"]) == 23
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
    assert approved.exit_code == 0 and "Approved 4 post(s) as pc.tester" in approved.output
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
    assert len(events) == 23
    first = min(events, key=lambda e: e.decoded("dtstart"))
    assert first.decoded("dtstart").date() == date(2020, 4, 20)
    assert "Stalking Awareness Week" in str(first["description"])
    assert first["categories"].cats[0] == "X"  # the platform as people name it


def test_plan_twice_changes_nothing(run, campaign_dir):
    run("plan")
    first = json.loads(run("status", "--json").output)
    second_plan = run("plan")
    assert "unchanged" in second_plan.output
    assert json.loads(run("status", "--json").output) == first


def test_plan_dry_run_writes_nothing(run, campaign_dir):
    result = run("plan", "--dry-run")
    assert result.exit_code == 0 and "Would store 23 posts" in result.output
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


def test_pause_and_resume_are_audited_and_shown_in_status(run, campaign_dir):
    run("plan")
    assert run("pause").exit_code == 2  # a reason is required
    paused = run("pause", "--reason", "critical incident in Chesterfield")
    assert paused.exit_code == 0 and "PAUSED" in paused.output
    status = json.loads(run("status", "--json").output)
    assert status["paused"] and status["pause_reason"] == "critical incident in Chesterfield"
    assert status["paused_by"] == "pc.tester" and status["any_daemon_alive"] is False
    shown = run("status").output  # the dashboard banner's words
    assert "PAUSED – nothing is being published" in shown and "Paused by pc.tester" in shown
    assert run("resume", "--reason", "incident closed").exit_code == 0
    assert json.loads(run("status", "--json").output)["paused"] is False
    one = run("pause", "--account", "x", "--reason", "X account compromised")
    assert one.exit_code == 0
    accounts = {a["key"]: a for a in json.loads(run("status", "--json").output)["accounts"]}
    assert accounts["x"]["paused"] and not accounts["facebook"]["paused"]


def test_pausing_an_unknown_account_is_a_clear_error(run):
    run("plan")
    result = run("pause", "--account", "tiktok", "--reason", "test")
    assert result.exit_code == 2 and "no account 'tiktok'" in result.output


# Read-only commands before any plan: no database is created or migrated.
BEFORE_PLAN = {
    "status": ("status",),
    "status-json": ("status", "--json"),
    "approve": ("approve", "--all"),
    "export": ("export", "--ics", "week.ics"),
    "report": ("report",),
    "audit": ("audit",),
    "pause": ("pause", "--reason", "incident"),
    "resume": ("resume",),
}


@pytest.mark.parametrize("args", BEFORE_PLAN.values(), ids=BEFORE_PLAN.keys())
def test_commands_before_any_plan_say_so_and_create_no_database(run, campaign_dir, args):
    result = run(*args)
    assert result.exit_code == 3, result.output
    assert "no plan stored yet: run `campaign plan`" in " ".join(result.output.split())
    assert sorted(p.name for p in campaign_dir.iterdir()) == ["config.toml", "posts"]


def test_plan_dry_run_before_any_plan_creates_no_database(run, campaign_dir):
    result = run("plan", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would store 23 posts" in result.output
    assert re.search(r"│ added +│ +23 │", result.output)
    assert sorted(p.name for p in campaign_dir.iterdir()) == ["config.toml", "posts"]


def test_preview_before_any_plan_creates_no_database(run, campaign_dir, tmp_path):
    result = run("preview", "-o", str(tmp_path / "preview.html"))
    assert result.exit_code == 0, result.output
    assert not (campaign_dir / "campaign.db").exists()


def test_read_only_commands_do_not_migrate_an_older_database(run, campaign_dir):
    from campaign.store.database import make_engine, migrate

    engine = make_engine(f"sqlite:///{campaign_dir / 'campaign.db'}")
    migrate(engine, "0001")
    engine.dispose()
    before = _db_bytes(campaign_dir)
    result = run("status")
    assert result.exit_code == 3, result.output
    text = " ".join(result.output.split())
    assert "older version" in text and "run `campaign plan`" in text
    assert _db_bytes(campaign_dir) == before


def test_a_pause_right_after_an_upgrade_migrates_an_older_database(run, campaign_dir):
    """The incident action must not wait for someone to run `campaign plan` after an upgrade."""
    run("plan")
    from campaign.store.database import downgrade, make_engine

    engine = make_engine(f"sqlite:///{campaign_dir / 'campaign.db'}")
    downgrade(engine, "0005")  # as if an older version had made it
    engine.dispose()
    result = run("pause", "--reason", "critical incident")
    assert result.exit_code == 0, result.output
    status = run("status", "--json")
    assert status.exit_code == 0 and json.loads(status.output)["paused"]


# Exit codes by family: a name that matches nothing is bad input, with the nearest names.
def test_an_unknown_post_key_is_bad_input_with_the_nearest_keys(run):
    run("plan")
    result = run("approve", "2020-04-20-twitter")
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert (
        "no post '2020-04-20-twitter'" in text
        and "did you mean '2020-04-20-instagram', '2020-04-20-x'," in text
    )


def test_an_unknown_account_is_bad_input_with_the_nearest_accounts(run):
    run("plan")
    close = run("pause", "--account", "facebok", "--reason", "test")
    assert close.exit_code == 2 and "did you mean 'facebook'" in close.output
    far = run("resume", "--account", "tiktok")
    assert far.exit_code == 2 and "no account 'tiktok'" in far.output
    assert "the accounts are bluesky, facebook, instagram, mastodon, threads, x" in " ".join(
        far.output.split()
    )


def test_an_empty_pause_reason_is_bad_input(run):
    run("plan")
    result = run("pause", "--reason", "   ")
    assert result.exit_code == 2 and "the reason for the pause is empty" in result.output
    assert json.loads(run("status", "--json").stdout)["paused"] is False


# `campaign plan` shows what it stored with warnings.
def test_plan_shows_every_warning_it_stores(run, edit):
    edit("config.toml", "min_reading_ease = 50", "min_reading_ease = 90")
    checked = json.loads(run("check", "--json").stdout)
    warnings = [f for f in checked["findings"] if f["severity"] == "warning"]
    assert checked["ok"] and warnings
    result = run("plan")
    assert result.exit_code == 0, result.output
    for finding in warnings:
        assert finding["where"] in result.output
    assert f"with {len(warnings)} warnings (shown above)" in " ".join(result.output.split())


# A week already in the past is said at every step (a warning: exit codes unchanged).
def test_a_week_in_the_past_is_warned_at_check_plan_and_approve(run):
    for args in (("check",), ("plan",)):
        result = run(*args)
        assert result.exit_code == 0, result.output
        text = " ".join(result.output.split())
        assert "warning:" in text and "post is in the past" in text, args
        assert "Mon 20 Apr 2020 to Sun 26 Apr 2020" in text
    approved = run("approve", "--all")
    assert approved.exit_code == 0, approved.output
    text = " ".join(approved.output.split())
    assert "All 23 of these posts' times have passed" in text
    assert "(due Mon 20 Apr 10:00 BST) will be marked missed" in text
    data = json.loads(run("check", "--json").stdout)
    assert len(data["past"]) == 23 and "in the past" in data["past_warning"]


# Text in square brackets is printed as written, never read as rich markup.
def test_square_brackets_in_messages_are_printed_as_written(run, edit):
    edit(
        "posts/how-to-report/x.j2", "How to report stalking to us:", "Call 0800 555 0199 to report:"
    )
    finding = run("check")
    assert finding.exit_code == 1
    assert "[helplines]" in finding.output
    edit("config.toml", 'slug = "stalking-awareness-week-2020"', 'slug = "Stalking"')
    config_error = run("check")
    assert config_error.exit_code == 2
    assert "'^[a-z0-9][a-z0-9-]*$'" in config_error.output


def test_a_repeated_date_is_reported_whole_on_the_terminal(run, edit):
    edit("config.toml", "date = 2020-04-21", "date = 2020-04-20")
    result = run("check")
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "is also the date of days[0]" in result.output
    assert "one day table and put all its posts in that day's `posts`" in result.output


@pytest.mark.slow
def test_a_pause_the_database_never_lets_through_says_publishing_is_not_paused(run, campaign_dir):
    """SQLite's write lock held by another process for the whole wait: the officer is told
    in plain words that nothing was paused and what to do, never shown the SQL."""
    import sqlite3

    run("plan")
    holder = sqlite3.connect(campaign_dir / "campaign.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = run("pause", "--reason", "critical incident", "--wait", "0")
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 3, result.output
    text = " ".join(result.output.split())
    assert "publishing is NOT paused" in text and "Run the same command again" in text
    assert "BEGIN IMMEDIATE" not in text and "SQL" not in text
    assert not json.loads(run("status", "--json").output)["paused"]


def test_status_says_publishing_is_on_only_while_a_daemon_is_alive(run, campaign_dir):
    """The terminal's words are the banner's: switched on with nothing sending is not "ON"."""
    from datetime import UTC, datetime

    from campaign.store import Store

    assert run("plan").exit_code == 0
    idle = " ".join(run("status").output.split())
    assert "Publishing is ON" not in idle
    assert "Approved posts will NOT go out: the publishing service is not running" in idle

    store = Store.open(f"sqlite:///{campaign_dir / 'campaign.db'}")
    store.publishing.heartbeat("d-1", datetime.now(UTC))
    store.engine.dispose()
    alive = " ".join(run("status").output.split())
    assert "Publishing is ON" in alive and "will NOT go out" not in alive
