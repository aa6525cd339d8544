"""Fixtures of the content tests: the Welsh example week in a folder of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hate-crime-awareness-week-cymru"


@pytest.fixture
def welsh_week(tmp_path: Path) -> Path:
    """A private copy of the Welsh example week, with the English hashtag in both languages
    (these tests are about the files, whatever the hashtag checks say of a Welsh one)."""
    target = tmp_path / "cymru"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("build", "*.db"))
    config = target / "config.toml"
    text = config.read_text(encoding="utf-8")
    hashtags = (
        'hashtags = { cy = "#WythnosYmwybyddiaethTroseddauCasineb", '
        'en = "#HateCrimeAwarenessWeek" }'
    )
    assert hashtags in text
    config.write_text(text.replace(hashtags, 'hashtags = { en = "#HateCrimeAwarenessWeek" }'))
    return target
