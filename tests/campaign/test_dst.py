"""A week spanning a clock change publishes at local wall-clock times (stored in UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from campaign.config import load_config
from campaign.errors import ConfigError
from campaign.render import render_plan
from campaign.scaffold import scaffold


@pytest.fixture
def spring_week(tmp_path):
    # The clocks go forward at 01:00 GMT on Sunday 29 March 2026.
    scaffold(
        tmp_path,
        name="Spring Week",
        hashtag="#SpringWeek",
        start=date(2026, 3, 26),
        organisation="Test Force",
    )
    return tmp_path / "config.toml"


def test_posts_keep_their_local_time_across_the_spring_clock_change(spring_week):
    posts = {p.key: p for p in render_plan(load_config(spring_week))}
    before, after = posts["2026-03-28-x"], posts["2026-03-30-x"]
    assert before.scheduled_at == datetime(2026, 3, 28, 10, 0, tzinfo=UTC)  # 10:00 GMT
    assert after.scheduled_at == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)  # 10:00 BST
    assert (before.local_time.hour, after.local_time.hour) == (10, 10)
    assert (before.local_time.tzname(), after.local_time.tzname()) == ("GMT", "BST")


def test_autumn_clock_change_too(tmp_path):
    scaffold(
        tmp_path,
        name="Autumn Week",
        hashtag="#AutumnWeek",
        start=date(2026, 10, 22),
        organisation="Test Force",
    )
    posts = {p.key: p for p in render_plan(load_config(tmp_path / "config.toml"))}
    assert posts["2026-10-24-x"].scheduled_at == datetime(2026, 10, 24, 9, 0, tzinfo=UTC)
    assert posts["2026-10-26-x"].scheduled_at == datetime(2026, 10, 26, 10, 0, tzinfo=UTC)


def test_a_time_the_clocks_skip_is_refused(spring_week):
    text = spring_week.read_text()
    text = text.replace(
        'time = "10:00", template = "day-4/x.j2"', 'time = "01:30", template = "day-4/x.j2"'
    )
    spring_week.write_text(text)
    with pytest.raises(ConfigError, match="2026-03-29 01:30 does not exist in Europe/London"):
        render_plan(load_config(spring_week))
