"""`campaign approve` through click's runner: fingerprints, who approved, days, lateness."""

from __future__ import annotations

import getpass
import json
import re
import socket

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner

from campaign.cli import main
from campaign.config import load_config
from campaign.store import Store
from campaign.store.users import add_user, set_disabled

SLUG = "stalking-awareness-week-2020"
QUICK = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
FINGERPRINTED = re.compile(
    r"(2020-04-\d\d-(?:x|facebook|bluesky|instagram|mastodon|threads))@([0-9a-f]{12})\b"
)


@pytest.fixture
def run(campaign_dir, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_USER", "pc.tester")

    def _run(*args: str):
        config = campaign_dir / "config.toml"
        return CliRunner().invoke(main, [*args, "--config", str(config)], catch_exceptions=False)

    return _run


@pytest.fixture
def store(campaign_dir):
    store = Store.open(load_config(campaign_dir / "config.toml").database_url())
    yield store
    store.engine.dispose()


def _states(run) -> dict[str, dict]:
    return {post["key"]: post for post in json.loads(run("status", "--json").output)["posts"]}


def test_dry_run_prints_fingerprints_that_approve_exactly_that_text(run, store):
    run("plan")
    listed = run("approve", "--day", "2020-04-20", "--dry-run")
    assert listed.exit_code == 0 and "Would approve 4 post(s):" in listed.output
    fingerprints = dict(FINGERPRINTED.findall(listed.output))
    assert set(fingerprints) == {
        "2020-04-20-x",
        "2020-04-20-facebook",
        "2020-04-20-bluesky",
        "2020-04-20-instagram",
    }
    assert {row["state"] for row in _states(run).values()} == {"draft"}  # nothing written
    hashes = {key: row["content_hash"] for key, row in _states(run).items()}
    assert all(hashes[key].startswith(value) for key, value in fingerprints.items())
    approved = run("approve", f"2020-04-20-x@{fingerprints['2020-04-20-x']}")
    assert approved.exit_code == 0
    assert f"2020-04-20-x@{fingerprints['2020-04-20-x']}" in approved.output
    [entry] = [e for e in store.audit_log(SLUG) if e.action == "approved"]
    assert entry.details["shown_hash"] == fingerprints["2020-04-20-x"]


def test_a_fingerprint_of_text_stored_over_since_approves_nothing(run, store, edit):
    run("plan")
    old = dict(FINGERPRINTED.findall(run("approve", "--all", "--dry-run").output))
    edit("posts/what-stalking-is/x.j2", "Today is the start", "This week is")
    run("plan")
    refused = run(
        "approve",
        f"2020-04-20-x@{old['2020-04-20-x']}",
        f"2020-04-20-facebook@{old['2020-04-20-facebook']}",
    )
    assert refused.exit_code == 2
    assert "nothing was approved: 2020-04-20-x changed since you were shown it" in refused.output
    assert {row["state"] for row in _states(run).values()} == {"draft"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2020-04-20-x@abc"], "a fingerprint is 12 to 64 lower-case hex digits"),
        (["2020-04-20-x@0123456789ab", "2020-04-20-facebook"], "with every KEY"),
        (["2020-04-20-x@0123456789ab", "--day", "2020-04-20"], "without --day"),
    ],
)
def test_fingerprint_usage_mistakes_are_bad_input(run, args, message):
    run("plan")
    result = run("approve", *args)
    assert result.exit_code == 2 and message in result.output


def test_a_cli_approval_records_the_os_account_and_host_beside_the_typed_name(run, store):
    run("plan")
    result = run("approve", "2020-04-20-x", "--by", "Chief Constable")
    assert result.exit_code == 0
    assert f"as Chief Constable (account {getpass.getuser()} on" in result.output
    [entry] = [e for e in store.audit_log(SLUG) if e.action == "approved"]
    assert entry.actor == "Chief Constable"
    assert entry.details["via"] == "cli"
    assert entry.details["os_user"] == getpass.getuser()
    assert entry.details["host"] == socket.gethostname()


def test_every_cli_action_that_writes_the_audit_log_is_marked_as_cli(run, store):
    run("plan")
    run("approve", "2020-04-20-x")
    run("approve", "2020-04-20-x", "--withdraw", "--reason", "typo")
    run("pause", "--reason", "incident")
    run("resume", "--reason", "stood down")
    actions = {e.action: e.details for e in store.audit_log(SLUG)}
    for action in ("planned", "approved", "approval-withdrawn", "paused", "resumed"):
        assert actions[action]["via"] == "cli", action
        assert actions[action]["os_user"] == getpass.getuser(), action


def test_once_users_exist_by_must_name_an_enabled_approver(run, store):
    run("plan")
    for name, role in (("alice", "approver"), ("olly", "officer"), ("bob", "approver")):
        add_user(store, name, "correct horse battery staple", role, hasher=QUICK)
    set_disabled(store, "bob", True)
    typed = run("approve", "2020-04-20-x", "--by", "Chief Constable")
    assert typed.exit_code == 2 and "'Chief Constable' is not a dashboard user" in typed.output
    officer = run("approve", "2020-04-20-x", "--by", "olly")
    assert officer.exit_code == 2 and "has the role officer" in officer.output
    disabled = run("approve", "2020-04-20-x", "--by", "bob")
    assert disabled.exit_code == 2 and "disabled" in disabled.output
    assert not [e for e in store.audit_log(SLUG) if e.action == "approved"]
    assert run("approve", "2020-04-20-x", "--by", "alice").exit_code == 0
    assert _states(run)["2020-04-20-x"]["approved_by"] == "alice"


@pytest.mark.parametrize("day", ["2020-05-01", "2020-04-19"])
def test_approving_a_day_outside_the_campaign_is_bad_input(run, day):
    run("plan")
    result = run("approve", "--day", day)
    assert result.exit_code == 2
    assert f"{day} is outside Stalking Awareness Week 2020 (2020-04-20 to 2020-04-26)" in (
        result.output
    )
    assert "Approved 0" not in result.output
    assert {row["state"] for row in _states(run).values()} == {"draft"}


def test_approving_posts_whose_time_has_passed_says_so(run):
    run("plan")  # the shipped week is in 2020: every post's time has passed
    result = run("approve", "--day", "2020-04-20")
    assert result.exit_code == 0
    assert "Both of these posts' times have passed" not in result.output
    assert "All 4 of these posts' times have passed: 2020-04-20-x (due Mon 20 Apr 10:00 BST) " in (
        " ".join(result.output.split())
    )
    assert "will be marked missed" in result.output


def test_a_reason_over_the_limit_is_bad_input_and_changes_nothing(run):
    run("plan")
    run("approve", "2020-04-20-x")
    result = run("approve", "2020-04-20-x", "--withdraw", "--reason", "x" * 60_000)
    assert result.exit_code == 2
    assert "the reason is 60,000 characters long; at most 500 are allowed" in result.output
    assert _states(run)["2020-04-20-x"]["state"] == "approved"
    long_pause = run("pause", "--reason", "y" * 501)
    assert long_pause.exit_code == 2 and "at most 500" in long_pause.output
    assert json.loads(run("status", "--json").output)["paused"] is False
    long_name = run("approve", "2020-04-20-facebook", "--by", "n" * 101)
    assert long_name.exit_code == 2 and "at most 100" in long_name.output


def test_the_command_line_refuses_to_let_the_author_approve_their_own_version(run, store):
    from tests.campaign.review_helpers import revise

    assert run("plan").exit_code == 0
    revise(store, SLUG, "2020-04-20-x", "pc.tester", ["My own words."])
    refused = run("approve", "2020-04-20-x", "--by", "pc.tester")
    assert refused.exit_code == 2
    assert "you wrote the latest version of 2020-04-20-x" in refused.output
    assert "Traceback" not in refused.output
    week = run("approve", "--all", "--by", "pc.tester")
    assert week.exit_code == 0 and "you wrote the latest version" in week.output
    assert {row.key: row.state for row in store.posts(SLUG)}["2020-04-20-x"] == "draft"


def test_a_pair_is_approved_with_both_fingerprints_and_one_alone_is_refused(tmp_path, monkeypatch):
    from tests.scheduler.test_pairs import SLUG as PAIR_SLUG
    from tests.scheduler.test_pairs import X_CY, X_EN, write_campaign

    monkeypatch.setenv("CAMPAIGN_USER", "pc.tester")
    config = write_campaign(tmp_path / "wales")

    def run(*args: str):
        return CliRunner().invoke(main, [*args, "--config", str(config)], catch_exceptions=False)

    assert run("plan").exit_code == 0
    listed = run("approve", X_CY, X_EN, "--dry-run").output
    prints = dict(re.findall(r"(2026-10-12-x-(?:cy|en))@([0-9a-f]{12})\b", listed))
    alone = run("approve", f"{X_CY}@{prints[X_CY]}", "--by", "inspector")
    assert alone.exit_code == 2
    assert f"{X_CY} is one of a pair" in alone.output
    assert f"approve it with {X_EN}@{prints[X_EN]}" in alone.output
    both = run("approve", f"{X_CY}@{prints[X_CY]}", f"{X_EN}@{prints[X_EN]}", "--by", "inspector")
    assert both.exit_code == 0 and "Approved 2 post(s)" in both.output
    store = Store.open(load_config(config).database_url())
    try:
        states = {p.key: p.state for p in store.posts(PAIR_SLUG, keys=[X_CY, X_EN])}
    finally:
        store.engine.dispose()
    assert states == {X_CY: "approved", X_EN: "approved"}
