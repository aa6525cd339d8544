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
