"""Fixtures of the content tests: the Welsh example week in a folder of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hate-crime-awareness-week-cymru"


@pytest.fixture
def welsh_week(tmp_path: Path) -> Path:
    """A private copy of the Welsh example week (Welsh and English, X as a pair)."""
    target = tmp_path / "cymru"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("build", "*.db"))
    return target
