"""`campaign rehearse`: the shipped week through the CLI, the real clients and the sandbox."""

from __future__ import annotations

import json

from click.testing import CliRunner

from campaign.cli import main
from campaign.config import load_config
from campaign.store import Store


def test_rehearsal_publishes_the_whole_week_once_even_with_faults(campaign_dir, tmp_path):
    database = f"sqlite:///{tmp_path / 'rehearsal.db'}"
    result = CliRunner().invoke(
        main,
        [
            "rehearse",
            "--config",
            str(campaign_dir / "config.toml"),
            "--speed",
            "1e9",
            "--faults",
            "0.3",
            "--database",
            database,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["states"] == {"published": 23}
    assert summary["duplicates"] == 0 and summary["retries"] > 0
    # Each platform's sandbox received every text the plan sends there exactly once.
    config = load_config(campaign_dir / "config.toml")
    planned = {account.platform for account in config.accounts.values()}
    assert set(summary["platforms"]) == planned
    for tally in summary["platforms"].values():
        assert tally["once"] == tally["expected"] > 0 and tally["duplicates"] == 0
    store = Store.open(database)
    posts = store.posts("stalking-awareness-week-2020")
    assert all(p.platform_post_id and p.published_at >= p.scheduled_at for p in posts)
    store.engine.dispose()
    # The alerts the week raised reached the stand-ins of the example channels: every one by
    # email (told everything), the critical ones on Teams.
    topics = [alert["topic"] for alert in summary["alerts"]]
    assert topics.count("morning-digest") == 7 and topics.count("campaign-summary") == 1
    critical = sum(alert["severity"] == "critical" for alert in summary["alerts"])
    assert summary["alerts_received"] == {
        "email": len(topics),
        **({"teams": critical} if critical else {}),
    }


def test_rehearsal_refuses_a_non_sqlite_database(campaign_dir):
    result = CliRunner().invoke(
        main,
        [
            "rehearse",
            "--config",
            str(campaign_dir / "config.toml"),
            "--database",
            "postgresql+psycopg://nobody@127.0.0.1:1/production",
        ],
    )
    assert result.exit_code != 0 and "SQLite file" in result.output


def test_a_rehearsal_counts_the_retries_of_its_own_campaign_only(campaign_dir, tmp_path):
    """Two rehearsals in one database: the second, without faults, made no retries, whatever
    the first campaign's audit log holds."""
    from campaign.config import load_config
    from scheduler.rehearsal import rehearse
    from scheduler.sandbox import SandboxSettings

    config = load_config(campaign_dir / "config.toml")
    store = Store.open(f"sqlite:///{tmp_path / 'two.db'}")
    faulty = SandboxSettings(seed=11, rate_5xx=0.3)
    first = rehearse(config, store, speed=1e9, settings=faulty)
    assert first.retries > 0
    other = config.model_copy(
        update={"campaign": config.campaign.model_copy(update={"slug": "another-week"})}
    )
    second = rehearse(other, store, speed=1e9, settings=SandboxSettings(seed=11))
    assert second.states == {"published": 23}
    assert second.retries == 0
    store.engine.dispose()


def test_a_rehearsal_sends_alerts_to_stand_ins_never_to_the_configured_channels(
    campaign_dir, tmp_path, monkeypatch
):
    """A configured webhook is rehearsed against a local receiver: its real address (a secret
    in the environment) is never read, sent to or stored."""
    secret = "https://hooks.example.invalid/webhook/REAL-TOKEN-123"
    monkeypatch.setenv("FORCE_ALERTS_TEAMS_URL", secret)
    config = campaign_dir / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[alerts.channels.comms-teams]\nkind = "teams"\n'
        'url_env = "FORCE_ALERTS_TEAMS_URL"\nseverity = "info"\n',
        encoding="utf-8",
    )
    database = tmp_path / "rehearsal.db"
    result = CliRunner().invoke(
        main,
        [
            "rehearse",
            "--config",
            str(config),
            "--speed",
            "1e9",
            "--database",
            f"sqlite:///{database}",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["alerts_received"] == {"teams": len(summary["alerts"])}
    assert {d["channel"] for a in summary["alerts"] for d in a["deliveries"]} == {"comms-teams"}
    assert all(d["state"] == "sent" for a in summary["alerts"] for d in a["deliveries"])
    assert b"REAL-TOKEN" not in database.read_bytes() and "REAL-TOKEN" not in result.output
