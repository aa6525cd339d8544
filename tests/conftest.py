"""Shared fixtures: the shipped campaign copied into a temporary folder, and stores on SQLite."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from campaign.clock import ManualClock
from campaign.config import CampaignConfig, load_config
from campaign.store import Store

REPO = Path(__file__).resolve().parents[1]
SHIPPED_CONFIG = REPO / "config.toml"


@pytest.fixture(autouse=True)
def _no_database_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests choose their own databases; a developer's environment must not leak in."""
    monkeypatch.delenv("CAMPAIGN_DATABASE_URL", raising=False)
    monkeypatch.delenv("CAMPAIGN_CONFIG", raising=False)


@pytest.fixture
def shipped_config() -> CampaignConfig:
    return load_config(SHIPPED_CONFIG)


@pytest.fixture
def campaign_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped config.toml and posts/ that a test may edit."""
    target = tmp_path / "week"
    target.mkdir()
    shutil.copy(SHIPPED_CONFIG, target / "config.toml")
    shutil.copytree(
        REPO / "posts", target / "posts", ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    return target


@pytest.fixture
def edit(campaign_dir: Path) -> Callable[[str, str, str], None]:
    """Replace text in a file of the copied campaign, failing loudly if it is not there."""

    def _edit(relative: str, old: str, new: str) -> None:
        path = campaign_dir / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return _edit


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2020, 4, 13, 9, 0, tzinfo=UTC))


@pytest.fixture
def store(tmp_path: Path, clock: ManualClock) -> Iterator[Store]:
    store = Store.open(f"sqlite:///{tmp_path / 'campaign.db'}", clock)
    yield store
    store.engine.dispose()
