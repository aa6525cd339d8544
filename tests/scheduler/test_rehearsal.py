"""`campaign rehearse`: the shipped week through the CLI, the real clients and the sandbox."""

from __future__ import annotations

import json

from click.testing import CliRunner

from campaign.cli import main
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
    assert summary["states"] == {"published": 14}
    assert summary["duplicates"] == 0 and summary["retries"] > 0
    store = Store.open(database)
    posts = store.posts("stalking-awareness-week-2020")
    assert all(p.platform_post_id and p.published_at >= p.scheduled_at for p in posts)
    store.engine.dispose()


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
    assert second.states == {"published": 14}
    assert second.retries == 0
    store.engine.dispose()
