"""Many campaigns in one database through the CLI: `list`, `--campaign SLUG`, `status --all`.

Two campaigns are planned from their own configs into one SQLite file: the shipped week and a
copy with its own slug, name, timezone and grace. Commands then run from an empty folder with
only the database, as an officer at another desk would.
"""

from __future__ import annotations

import json
import shutil
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from campaign.cli import main

SECOND = "stalking-awareness-week-2020-dublin"


@pytest.fixture
def deployment(campaign_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Both campaigns planned into week/campaign.db; the current folder holds no config."""
    monkeypatch.setenv("CAMPAIGN_USER", "pc.tester")
    second = tmp_path / "second"
    shutil.copytree(campaign_dir, second)
    config = second / "config.toml"
    text = config.read_text(encoding="utf-8")
    for old, new in (
        ('slug = "stalking-awareness-week-2020"', f'slug = "{SECOND}"'),
        ('name = "Stalking Awareness Week 2020"', 'name = "Second Week"'),
        ('timezone = "Europe/London"', 'timezone = "Europe/Dublin"'),
        ("grace_minutes = 15", "grace_minutes = 40"),
        ('url = "sqlite:///campaign.db"', 'url = "sqlite:///../week/campaign.db"'),
    ):
        assert old in text
        text = text.replace(old, new, 1)
    config.write_text(text, encoding="utf-8")
    first = campaign_dir / "config.toml"
    for path in (first, config):
        assert invoke("plan", "--config", str(path)).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return {
        "url": f"sqlite:///{campaign_dir / 'campaign.db'}",
        "first": first,
        "second": config,
        "elsewhere": elsewhere,
    }


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def flat(result: Result) -> str:
    return " ".join(result.output.split())


def test_list_shows_every_campaign_with_dates_timezone_and_states(deployment):
    invoke("approve", "--day", "2020-04-20", "--config", str(deployment["first"]))
    invoke("pause", "--reason", "incident", "--config", str(deployment["second"]))
    result = invoke("list", "--json", "--database", deployment["url"])
    assert result.exit_code == 0, result.output
    campaigns = {c["slug"]: c for c in json.loads(result.output)["campaigns"]}
    assert set(campaigns) == {"stalking-awareness-week-2020", SECOND}
    first, second = campaigns["stalking-awareness-week-2020"], campaigns[SECOND]
    assert first["states"] == {"approved": 4, "draft": 19} and first["posts"] == 23
    assert (first["start"], first["end"]) == ("2020-04-20", "2020-04-26")
    assert first["timezone"] == "Europe/London" and not first["paused"]
    assert second["timezone"] == "Europe/Dublin" and second["states"] == {"draft": 23}
    assert second["paused"] and second["pause_reason"] == "incident"
    table = flat(invoke("list", "--database", deployment["url"]))
    assert "Second Week" in table and SECOND in table and "Europe/Dublin" in table
    assert "Mon 20 Apr – Sun 26 Apr 2020" in table and "4 approved" in table and "PAUSED" in table


def test_list_takes_the_database_from_a_config_or_the_environment(deployment, monkeypatch):
    from_config = invoke("list", "--json", "--config", str(deployment["first"]))
    assert len(json.loads(from_config.output)["campaigns"]) == 2
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", deployment["url"])
    assert len(json.loads(invoke("list", "--json").output)["campaigns"]) == 2


def test_list_is_read_only_and_says_what_it_needs(deployment, tmp_path):
    missing = tmp_path / "nowhere.db"
    result = invoke("list", "--database", f"sqlite:///{missing}")
    assert result.exit_code == 3 and "no plan stored yet" in flat(result)
    assert not missing.exists()
    bare = invoke("list")
    assert bare.exit_code == 2
    assert "needs a database: give --database URL, set $CAMPAIGN_DATABASE_URL" in flat(bare)


def test_status_of_a_campaign_from_the_database_alone_matches_its_config(deployment):
    with_config = invoke("status", "--json", "--config", str(deployment["second"]))
    alone = invoke("status", "--json", "--campaign", SECOND, "--database", deployment["url"])
    assert alone.exit_code == 0, alone.output
    assert json.loads(alone.output) == json.loads(with_config.output)
    # Local times in the stored campaign's own zone, not the first campaign's.
    monday = next(p for p in json.loads(alone.output)["posts"] if p["key"] == "2020-04-20-x")
    assert monday["local_time"] == "2020-04-20T10:00:00+01:00"
    table = flat(invoke("status", "--campaign", SECOND, "--database", deployment["url"]))
    assert "Second Week" in table and "IST" in table and "will NOT go out" in table  # no daemon


def test_an_unknown_campaign_lists_the_known_ones(deployment):
    result = invoke("status", "--campaign", "hate-crime-week", "--database", deployment["url"])
    assert result.exit_code == 2
    assert "no campaign 'hate-crime-week' in the database" in flat(result)
    assert "stalking-awareness-week-2020" in flat(result) and "`campaign list`" in flat(result)
    near = invoke(
        "status", "--campaign", "stalking-awareness-week-2021", "--database", deployment["url"]
    )
    assert near.exit_code == 2 and "did you mean 'stalking-awareness-week-2020'" in flat(near)


def test_a_campaign_without_a_database_says_how_to_give_one(deployment):
    result = invoke("status", "--campaign", SECOND)
    assert result.exit_code == 2
    assert f"--campaign {SECOND} needs a database: give --database URL" in flat(result)


def test_a_database_without_campaigns_is_no_plan_stored(deployment, tmp_path):
    from campaign.store import Store

    Store.open(f"sqlite:///{tmp_path / 'empty.db'}").engine.dispose()
    result = invoke(
        "status", "--campaign", SECOND, "--database", f"sqlite:///{tmp_path / 'empty.db'}"
    )
    assert result.exit_code == 3 and "no plan stored yet" in flat(result)


def test_sign_off_pause_and_audit_by_campaign_slug(deployment, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", deployment["url"])
    approved = invoke("approve", "--day", "2020-04-21", "--campaign", SECOND)
    assert approved.exit_code == 0, approved.output
    assert "Approved 4 post(s) as pc.tester" in approved.output
    assert "Tue 21 Apr 10:00 IST" in approved.output  # the stored campaign's timezone
    withdrawn = invoke(
        "approve", "2020-04-21-x", "--withdraw", "--reason", "wrong date", "--campaign", SECOND
    )
    assert withdrawn.exit_code == 0, withdrawn.output
    paused = invoke("pause", "--reason", "incident", "--campaign", SECOND)
    assert paused.exit_code == 0 and "PAUSED Second Week" in flat(paused)
    states = json.loads(invoke("status", "--json", "--campaign", SECOND).output)
    assert states["paused"] and states["pause_reason"] == "incident"
    posts = {p["key"]: p["state"] for p in states["posts"]}
    assert posts["2020-04-21-x"] == "draft" and posts["2020-04-21-facebook"] == "approved"
    first = json.loads(invoke("status", "--json", "--config", str(deployment["first"])).output)
    assert not first["paused"] and {p["state"] for p in first["posts"]} == {"draft"}
    assert invoke("resume", "--campaign", SECOND).exit_code == 0
    audit = flat(invoke("audit", "--campaign", SECOND))
    assert "Audit trail – Second Week" in audit
    assert "approve" in audit and "withdraw" in audit and "pause" in audit and "resume" in audit


def test_late_approval_uses_the_stored_campaigns_grace(deployment, monkeypatch):
    """The whole week is past: the note names the stored grace (40 min), not a default."""
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", deployment["url"])
    result = invoke("approve", "--day", "2020-04-22", "--campaign", SECOND)
    assert result.exit_code == 0, result.output
    assert "40 minutes" in flat(result)


def test_status_all_gives_every_campaign_as_status_json_does(deployment):
    result = invoke("status", "--all", "--json", "--database", deployment["url"])
    assert result.exit_code == 0, result.output
    every = json.loads(result.output)["campaigns"]
    assert [c["campaign"] for c in every] == ["stalking-awareness-week-2020", SECOND]
    for entry, config in zip(every, (deployment["first"], deployment["second"]), strict=True):
        assert entry == json.loads(invoke("status", "--json", "--config", str(config)).output)
    shown = flat(invoke("status", "--all", "--config", str(deployment["first"])))
    assert "Stalking Awareness Week 2020" in shown and "Second Week" in shown
    both = invoke("status", "--all", "--campaign", SECOND, "--database", deployment["url"])
    assert both.exit_code == 2 and "without --campaign" in flat(both)


def test_pause_everything_stops_every_campaign_and_says_which(deployment, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", deployment["url"])
    paused = invoke("pause", "--all", "--reason", "national incident")
    assert paused.exit_code == 0, paused.output
    said = flat(paused)
    assert "PAUSED EVERYTHING" in said and "Stalking Awareness Week 2020" in said
    assert "Second Week" in said and "campaign resume --all" in said
    for entry in json.loads(invoke("status", "--all", "--json").output)["campaigns"]:
        assert entry["everything_paused"]["reason"] == "national incident"
        assert entry["everything_paused"]["by"] == "pc.tester"
    shown = flat(invoke("status", "--campaign", SECOND))
    assert "EVERYTHING IS PAUSED" in shown and "national incident" in shown
    assert "Publishing is ON" not in shown
    listed = json.loads(invoke("list", "--json").output)
    assert listed["everything_paused"]["reason"] == "national incident"
    assert "PAUSED (everything)" in flat(invoke("list"))
    assert "paused" in flat(invoke("audit", "--config", str(deployment["first"])))
    resumed = invoke("resume", "--all", "--reason", "all clear")
    assert resumed.exit_code == 0 and "Resumed everything" in flat(resumed)
    entry = json.loads(invoke("status", "--json", "--campaign", SECOND).output)
    assert entry["everything_paused"] is None
    assert "EVERYTHING IS PAUSED" not in flat(invoke("status", "--campaign", SECOND))


@pytest.mark.parametrize(
    "args, message",
    [
        (("pause", "--all", "--account", "x", "--reason", "r"), "without --account"),
        (("pause", "--all", "--campaign", SECOND, "--reason", "r"), "without --campaign"),
        (("resume", "--all", "--account", "x"), "without --account"),
    ],
)
def test_everything_is_one_scope(deployment, monkeypatch, args, message):
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", deployment["url"])
    result = invoke(*args)
    assert result.exit_code == 2 and message in flat(result)


def test_pausing_a_shared_account_names_every_campaign_that_uses_it(deployment, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", deployment["url"])
    paused = invoke("pause", "--account", "x", "--reason", "X account hacked", "--campaign", SECOND)
    assert paused.exit_code == 0, paused.output
    said = flat(paused)
    assert "PAUSED account x" in said
    assert "Stalking Awareness Week 2020" in said and "Second Week" in said
    first = json.loads(invoke("status", "--json", "--config", str(deployment["first"])).output)
    accounts = {a["key"]: a for a in first["accounts"]}
    assert accounts["x"]["paused"] and accounts["x"]["pause_reason"] == "X account hacked"
    assert not accounts["facebook"]["paused"]
    shown = flat(invoke("status", "--config", str(deployment["first"])))
    assert "x: paused (X account hacked)" in shown and "Second Week" in shown
    resumed = invoke("resume", "--account", "x", "--config", str(deployment["first"]))
    assert resumed.exit_code == 0 and "Second Week" in flat(resumed)
    second = json.loads(invoke("status", "--json", "--campaign", SECOND).output)
    assert not {a["key"]: a for a in second["accounts"]}["x"]["paused"]


def _capped_second(deployment, cap: str) -> Path:
    config = deployment["second"]
    text = config.read_text(encoding="utf-8")
    assert 'tier = "basic"' in text
    config.write_text(text.replace('tier = "basic"', f'tier = "basic"\n{cap}', 1), "utf-8")
    return config


def _settled_bytes(database: Path) -> tuple[bytes, bytes]:
    """The database file and its write-ahead log, after moving the log into the file: the
    last connection to close does that itself, so comparing the file alone would see a
    checkpoint as a write."""
    import sqlite3

    with closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = database.with_name(database.name + "-wal")
    return database.read_bytes(), wal.read_bytes() if wal.exists() else b""


def test_check_counts_a_shared_accounts_sends_across_campaigns(deployment):
    config = _capped_second(deployment, "posts_per_15min = 4")
    database = Path(deployment["url"].removeprefix("sqlite:///"))
    before = _settled_bytes(database)
    result = invoke("check", "--config", str(config))
    assert result.exit_code == 1, result.output
    assert "posting-limit-shared" in result.output and "2020-04-20-x" in result.output
    data = json.loads(invoke("check", "--json", "--config", str(config)).output)
    [shared] = [f for f in data["findings"] if f["rule"] == "posting-limit-shared"]
    assert shared["key"] == "2020-04-20-x" and shared["channel"] == "x"
    assert shared["severity"] == "error" and not data["ok"]
    assert "6 sends on x within 15 minutes from Mon 20 Apr 10:00 IST" in shared["message"]
    assert "3 of Second Week and 3 of Stalking Awareness Week 2020" in shared["message"]
    assert _settled_bytes(database) == before  # check reads the database, never writes it


def test_cancelled_posts_of_other_campaigns_do_not_count(deployment):
    first = deployment["first"]
    text = first.read_text(encoding="utf-8")
    start = text.index('  { channel = "x", time = "10:00", template = "what-stalking-is/x.j2"')
    end = text.index("  ] },\n", start) + len("  ] },\n")
    first.write_text(text[:start] + text[end:], encoding="utf-8")
    _capped_second({"second": first}, "posts_per_15min = 4")  # the account's cap, in both
    second = _capped_second(deployment, "posts_per_15min = 4")
    planned = invoke("plan", "--update-accounts", "--config", str(first))
    assert planned.exit_code == 0, planned.output  # Monday's x is cancelled
    result = invoke("check", "--config", str(second))
    assert result.exit_code == 0, result.output


def test_check_without_a_database_counts_nothing_and_creates_nothing(deployment, tmp_path):
    config = _capped_second(deployment, "posts_per_15min = 4")
    alone = tmp_path / "alone.db"
    text = config.read_text(encoding="utf-8").replace("../week/campaign.db", str(alone), 1)
    config.write_text(text, encoding="utf-8")
    result = invoke("check", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "posting-limit-shared" not in result.output and not alone.exists()


def test_commands_on_the_files_use_the_config_a_campaign_was_planned_from(deployment):
    checked = invoke("check", "--json", "--campaign", SECOND, "--database", deployment["url"])
    assert checked.exit_code == 0, checked.output
    assert len(json.loads(checked.output)["posts"]) == 23
    deployment["second"].rename(deployment["second"].with_name("moved.toml"))
    for command in ("check", "plan", "preview", "report"):
        result = invoke(command, "--campaign", SECOND, "--database", deployment["url"])
        assert result.exit_code == 2, result.output
        said = flat(result)
        assert f"`campaign {command}` needs the files of campaign '{SECOND}'" in said
        assert f"planned from {deployment['second']}, which is no longer there" in said
        assert "give --config PATH" in said
    # What needs only the database still works.
    assert invoke("status", "--campaign", SECOND, "--database", deployment["url"]).exit_code == 0


def test_a_shared_account_changes_for_every_campaign_only_when_told(deployment):
    """One config gives the shared X account a new cap, the other still says the old: its
    plan is refused (the other campaign's account would change under it) until
    `--update-accounts` says the change is meant; then the other must follow."""
    _capped_second({"second": deployment["first"]}, "posts_per_24h = 90")
    refused = invoke("plan", "--config", str(deployment["first"]))
    assert refused.exit_code == 1, refused.output
    assert "shared-account" in flat(refused) and "Nothing was stored" in flat(refused)
    found = json.loads(invoke("check", "--json", "--config", str(deployment["first"])).output)
    [why] = [f["message"] for f in found["findings"] if f["rule"] == "shared-account"]
    assert f"'{SECOND}'" in why and "`campaign plan --update-accounts`" in why
    updated = invoke("plan", "--update-accounts", "--config", str(deployment["first"]))
    assert updated.exit_code == 0, updated.output
    for config in (deployment["first"], deployment["second"]):
        audit = json.loads(
            invoke("audit", "--format", "json", "--export", "-", "--config", str(config)).output
        )
        assert any(e["action"] == "account-changed" for e in audit), audit[-3:]
    assert invoke("plan", "--config", str(deployment["second"])).exit_code == 1  # not in step
    _capped_second(deployment, "posts_per_24h = 90")
    assert invoke("plan", "--config", str(deployment["second"])).exit_code == 0


def test_plan_refuses_what_check_refuses_across_campaigns(deployment):
    """A plan that together with the stored campaigns would be rate-limited is not stored."""
    for path in (deployment["first"], deployment["second"]):
        _capped_second({"second": path}, "posts_per_15min = 4")
    result = invoke("plan", "--update-accounts", "--config", str(deployment["first"]))
    assert result.exit_code == 1, result.output
    assert "posting-limit-shared" in flat(result)
    listed = json.loads(invoke("list", "--json", "--database", deployment["url"]).output)
    assert {c["slug"] for c in listed["campaigns"]} == {SECOND, "stalking-awareness-week-2020"}


def test_check_names_a_shared_account_configured_otherwise(deployment):
    """What `plan` would refuse, `check` says first: the other campaign and the setting."""
    config = _capped_second(deployment, "posts_per_24h = 90")
    result = invoke("check", "--json", "--config", str(config))
    assert result.exit_code == 1, result.output
    [finding] = [f for f in json.loads(result.output)["findings"] if f["rule"] == "shared-account"]
    assert finding["channel"] == "x" and "'stalking-awareness-week-2020'" in finding["message"]
    assert "posts_per_24h: not set there, 90 here" in finding["message"]


def test_engagement_per_account_needs_only_the_database(deployment, monkeypatch):
    """`report --by-account` is about every campaign in the database: no config is needed."""
    alone = invoke(
        "report", "--by-account", "--format", "json", "-o", "-", "--database", deployment["url"]
    )
    assert alone.exit_code == 0, alone.output
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", deployment["url"])
    from_environment = invoke("report", "--by-account", "--format", "json", "-o", "-")
    assert from_environment.exit_code == 0, from_environment.output
    with_config = invoke(
        "report",
        "--by-account",
        "--format",
        "json",
        "-o",
        "-",
        "--config",
        str(deployment["first"]),
    )
    assert json.loads(alone.output) == json.loads(from_environment.output)
    assert json.loads(alone.output) == json.loads(with_config.output)
    terminal = invoke("report", "--by-account")
    assert terminal.exit_code == 0 and f"{SECOND} " in flat(terminal)


def test_a_command_on_one_campaign_without_a_config_offers_the_stored_ones(deployment, monkeypatch):
    """No config.toml here, but the database is known: say `--campaign SLUG`, not only
    `campaign init`."""
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", deployment["url"])
    for args in (("status",), ("pause", "--account", "x", "--reason", "hacked")):
        result = invoke(*args)
        assert result.exit_code == 2
        message = flat(result)
        assert "--campaign SLUG" in message and "`campaign list`" in message, message


def test_list_shows_a_paused_or_held_account_in_every_campaign_that_uses_it(
    deployment, monkeypatch
):
    """A campaign "on" whose X account is paused sends nothing on X: the list says so."""
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", deployment["url"])
    paused = invoke("pause", "--account", "x", "--reason", "X account hacked", "--campaign", SECOND)
    assert paused.exit_code == 0, paused.output
    listed = json.loads(invoke("list", "--json").output)["campaigns"]
    for campaign in listed:
        [held] = campaign["held_accounts"]
        assert held["key"] == "x" and held["handle"] == "@DerbyshirePolice"
        assert held["paused"] and held["pause_reason"] == "X account hacked"
        assert not held["needs_credentials"]
    table = flat(invoke("list"))
    # In both campaigns' rows, and once below the table with the reason and the way out.
    assert table.count("x (@DerbyshirePolice) paused") == 3, table
    resume = "`campaign resume --account x --campaign stalking-awareness-week-2020`"
    assert f"paused: X account hacked; {resume} lifts it" in table
    invoke("resume", "--account", "x", "--campaign", SECOND)
    assert all(
        not c["held_accounts"] for c in json.loads(invoke("list", "--json").output)["campaigns"]
    )
    assert "@DerbyshirePolice" not in flat(invoke("list"))


@pytest.mark.parametrize(
    "url", ["postgres://campaigns@db/force", "sqlit:///force.db", "mysql://u@h/x", "force.db"]
)
def test_a_database_url_of_the_wrong_kind_says_which_kinds_work(deployment, url):
    """A mistyped `[database] url` (or `postgres://`, which SQLAlchemy does not take) is
    answered in our words, not the library's plugin names."""
    result = invoke("list", "--database", url)
    assert result.exit_code == 3
    message = flat(result)
    assert "sqlite:///FILE" in message and "postgresql+psycopg://" in message, message
    assert "sqlalchemy" not in message.lower() and "plugin" not in message


def test_comparing_with_a_misspelt_campaign_suggests_the_one_meant(deployment):
    """`report --compare` answers an unknown slug as `--campaign` does."""
    result = invoke("report", "--compare", SECOND[:-1], "--config", str(deployment["first"]))
    assert result.exit_code == 2
    assert f"did you mean '{SECOND}'" in flat(result) and "`campaign list`" in flat(result)
