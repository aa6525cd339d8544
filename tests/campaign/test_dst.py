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


@pytest.fixture
def autumn_week(tmp_path):
    # The clocks go back from 02:00 BST to 01:00 GMT on Sunday 25 October 2026 (day 4).
    scaffold(
        tmp_path,
        name="Autumn Week",
        hashtag="#AutumnWeek",
        start=date(2026, 10, 22),
        organisation="Test Force",
    )
    return tmp_path / "config.toml"


def _set_day4_x_time(config_path, setting):
    text = config_path.read_text()
    old = 'time = "10:00", template = "day-4/x.j2"'
    assert old in text
    config_path.write_text(text.replace(old, f'{setting}, template = "day-4/x.j2"'))


def test_a_time_that_happens_twice_is_refused_with_how_to_choose(autumn_week):
    _set_day4_x_time(autumn_week, 'time = "01:30"')
    with pytest.raises(ConfigError) as info:
        load_config(autumn_week)
    message = str(info.value)
    assert str(autumn_week) in message and "days[3].posts[0]" in message
    assert "2026-10-25 01:30 happens twice in Europe/London" in message
    assert "fold = 0" in message and "fold = 1" in message and '"01:30+01:00"' in message
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("setting", "utc_hour", "zone_name"),
    [
        ('time = "01:30", fold = 0', 0, "BST"),
        ('time = "01:30", fold = 1', 1, "GMT"),
        ('time = "01:30+01:00"', 0, "BST"),
        ('time = "01:30+00:00"', 1, "GMT"),
    ],
)
def test_fold_or_an_offset_chooses_which_0130(autumn_week, setting, utc_hour, zone_name):
    _set_day4_x_time(autumn_week, setting)
    posts = {p.key: p for p in render_plan(load_config(autumn_week))}
    post = posts["2026-10-25-x"]
    assert post.scheduled_at == datetime(2026, 10, 25, utc_hour, 30, tzinfo=UTC)
    assert (post.local_time.hour, post.local_time.minute) == (1, 30)
    assert post.local_time.tzname() == zone_name


@pytest.mark.parametrize(
    ("setting", "offsets"),
    [('time = "01:30+02:00"', "+01:00 or +00:00"), ('time = "10:00+01:00"', "+00:00")],
)
def test_an_offset_the_zone_does_not_have_then_is_refused(autumn_week, setting, offsets):
    _set_day4_x_time(autumn_week, setting)
    with pytest.raises(ConfigError) as info:
        load_config(autumn_week)
    message = str(info.value)
    assert "days[3].posts[0].time" in message and "Europe/London" in message
    assert f"its offset then is {offsets}" in message


def test_fold_and_offset_together_are_refused(autumn_week):
    _set_day4_x_time(autumn_week, 'time = "01:30+01:00", fold = 1')
    with pytest.raises(ConfigError, match=r"days\[3\]\.posts\[0\].*fold or an offset, not both"):
        load_config(autumn_week)
