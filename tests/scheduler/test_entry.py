"""`python -m scheduler`, the daemon's own entry point: bad input and a missing plan end with
the CLI's exit codes and a plain message, and write nothing into being."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _daemon(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CAMPAIGN_DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "scheduler", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def test_a_missing_config_is_bad_input(tmp_path):
    result = _daemon("--config", str(tmp_path / "nowhere.toml"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error:") and "nowhere.toml" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_plan_stored_is_database_trouble_and_creates_nothing(campaign_dir):
    result = _daemon("--config", str(campaign_dir / "config.toml"), cwd=campaign_dir)
    assert result.returncode == 3
    assert "Traceback" not in result.stderr and "campaign plan" in result.stderr
    assert not (campaign_dir / "campaign.db").exists()


def test_help_names_the_daemon(tmp_path):
    result = _daemon("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "Usage: python -m scheduler [OPTIONS]" in result.stdout
    assert "Run the publishing daemon until SIGTERM/SIGINT" in result.stdout
    assert "--database URL" in result.stdout and "every campaign" in result.stdout


def test_a_database_with_no_campaign_says_what_to_do(tmp_path):
    from campaign.store import Store

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    Store.open(url).engine.dispose()  # the schema, and nothing planned into it
    result = _daemon("--database", url, cwd=tmp_path)
    assert result.returncode == 3
    assert "holds no campaign" in result.stderr and "campaign plan" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_database_file_is_database_trouble_and_creates_nothing(tmp_path):
    result = _daemon("--database", f"sqlite:///{tmp_path / 'nowhere.db'}", cwd=tmp_path)
    assert result.returncode == 3
    assert "campaign plan" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "nowhere.db").exists()


def test_an_unreachable_database_is_database_trouble(tmp_path):
    url = "postgresql+psycopg://campaign:secret-password@127.0.0.1:1/campaign"
    result = _daemon("--database", url, cwd=tmp_path)
    assert result.returncode == 3
    assert "cannot read the database" in result.stderr and "127.0.0.1:1" in result.stderr
    assert "secret-password" not in result.stderr and "Traceback" not in result.stderr


def test_neither_a_config_nor_a_database_is_bad_input(tmp_path):
    result = _daemon(cwd=tmp_path)
    assert result.returncode == 2
    assert "--database" in result.stderr and "--config" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_database_alone_comes_from_the_environment_too(tmp_path):
    url = f"sqlite:///{tmp_path / 'nowhere.db'}"
    env = {**os.environ, "CAMPAIGN_DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "scheduler"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 3 and "nowhere.db" in result.stderr


def test_a_database_given_beside_a_config_toml_means_every_campaign_in_it(campaign_dir):
    from campaign.store import Store

    url = f"sqlite:///{campaign_dir / 'other.db'}"
    Store.open(url).engine.dispose()
    result = _daemon("--database", url, cwd=campaign_dir)  # config.toml is here too
    assert result.returncode == 3 and "holds no campaign" in result.stderr
