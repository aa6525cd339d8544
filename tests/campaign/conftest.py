"""Fixtures for the campaign tests that drive the CLI."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from campaign.cli import main


@pytest.fixture
def run(campaign_dir, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_USER", "pc.tester")

    def _run(*args: str, config=None):
        config = config or campaign_dir / "config.toml"
        result = CliRunner().invoke(main, [*args, "--config", str(config)], catch_exceptions=False)
        return result

    return _run
