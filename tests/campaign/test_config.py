"""Loading config.toml: the shipped week loads, and every kind of bad input says where and what."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from campaign.config import load_config
from campaign.errors import ConfigError


def test_shipped_week_loads_with_the_press_release_facts(shipped_config):
    config = shipped_config
    assert config.campaign.hashtag == "#SeeStalkingClearly"
    assert (config.campaign.start, config.campaign.end) == (date(2020, 4, 20), date(2020, 4, 26))
    assert config.campaign.timezone == "Europe/London"
    assert config.helplines["stalking"].number == "0808 802 0300"
    assert config.helplines["emergency"].number == "999"
    assert config.helplines["police"].number == "101"
    assert len(config.days) == 7
    assert {p.channel for d in config.days for p in d.posts} == {
        "x",
        "facebook",
        "bluesky",
        "instagram",
        "mastodon",
        "threads",
    }


def test_stalking_helpline_opening_hours_follow_the_press_release(shipped_config):
    line = shipped_config.helplines["stalking"]
    at = lambda d, h, m: datetime(2020, 4, d, h, m, tzinfo=shipped_config.zone)  # noqa: E731
    assert line.is_open(at(20, 9, 30)) and not line.is_open(at(20, 9, 29))  # Monday
    assert not line.is_open(at(20, 16, 0))
    assert not line.is_open(at(22, 12, 59)) and line.is_open(at(22, 13, 0))  # Wednesday
    assert not line.is_open(at(25, 11, 0))  # Saturday
    assert line.hours_text == (
        "9.30am to 4pm Monday, Tuesday, Thursday and Friday; 1pm to 4pm Wednesday; "
        "closed at weekends"
    )


def test_posts_are_stored_in_utc_from_local_wall_clock_times(shipped_config):
    day = shipped_config.days[0]
    moment = shipped_config.scheduled_at(day, day.posts[0])
    assert moment == datetime(2020, 4, 20, 9, 0, tzinfo=UTC)  # 10:00 BST


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_broken_toml_names_file_line_and_column(campaign_dir):
    path = campaign_dir / "config.toml"
    lines = path.read_text().splitlines()
    lines[5] = 'hashtag = "#SeeStalkingClearly'  # unterminated string on line 6
    path.write_text("\n".join(lines))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message and "line 6" in message and "column" in message
    assert info.value.exit_code == 2


def test_schema_error_names_the_field_path(campaign_dir, edit):
    edit("config.toml", 'time = "13:30"', 'time = "25:30"')
    with pytest.raises(ConfigError) as info:
        load_config(campaign_dir / "config.toml")
    assert "days[2].posts[0].time" in str(info.value)


def test_unknown_field_is_refused_not_ignored(campaign_dir, edit):
    edit("config.toml", "max_hashtags = 3", "max_hashtag = 3")
    with pytest.raises(ConfigError, match=r"checks\.max_hashtag: Extra inputs"):
        load_config(campaign_dir / "config.toml")


def test_unknown_timezone(campaign_dir, edit):
    edit("config.toml", 'timezone = "Europe/London"', 'timezone = "Europe/Derby"')
    with pytest.raises(ConfigError, match=r"campaign\.timezone: unknown timezone 'Europe/Derby'"):
        load_config(campaign_dir / "config.toml")


def test_day_outside_the_campaign_dates(campaign_dir, edit):
    edit("config.toml", "date = 2020-04-26", "date = 2020-04-27")
    with pytest.raises(ConfigError, match=r"days\[6\]\.date 2020-04-27 is outside the campaign"):
        load_config(campaign_dir / "config.toml")


def test_missing_image_file(campaign_dir):
    (campaign_dir / "posts" / "images" / "helpline-card.png").unlink()
    with pytest.raises(ConfigError, match=r"days\[4\]\.posts\[0\]\.images\[0\]\.file: 'images/"):
        load_config(campaign_dir / "config.toml")


def test_credentials_must_be_variable_names_not_secrets(campaign_dir, edit):
    edit("config.toml", '"DERBYSHIRE_FB_PAGE_TOKEN"', '"EAAB1234secretTOKEN"')
    with pytest.raises(ConfigError) as info:
        load_config(campaign_dir / "config.toml")
    assert "NAME of an environment variable" in str(info.value)
    assert "EAAB1234secretTOKEN" not in str(info.value)


def test_unknown_channel_in_a_post(campaign_dir, edit):
    edit(
        "config.toml",
        '{ channel = "x", time = "11:00", template = "how-to-report/x.j2" }',
        '{ channel = "tiktok", time = "11:00", template = "how-to-report/x.j2" }',
    )
    with pytest.raises(ConfigError, match=r"channel 'tiktok' is not an account"):
        load_config(campaign_dir / "config.toml")


def test_missing_config_file_says_what_to_do(tmp_path):
    with pytest.raises(ConfigError, match="campaign init"):
        load_config(tmp_path / "nope.toml")


def test_database_url_environment_wins_and_relative_sqlite_follows_config(shipped_config):
    assert shipped_config.database_url({}) == f"sqlite:///{shipped_config.base_dir / 'campaign.db'}"
    url = "postgresql+psycopg://u@localhost/campaign"
    assert shipped_config.database_url({"CAMPAIGN_DATABASE_URL": url}) == url


def test_heartbeat_timeout_must_outlast_a_request(campaign_dir, edit):
    edit("config.toml", "workers = 16", "workers = 16\nrequest_timeout_seconds = 20")
    with pytest.raises(ConfigError, match=r"publishing: heartbeat_timeout_seconds \(30\) must be"):
        load_config(campaign_dir / "config.toml")


def test_two_days_with_the_same_date_are_refused(campaign_dir, edit):
    # Keys keep the posts apart, so only the repeated date is wrong.
    edit("config.toml", "date = 2020-04-21", "date = 2020-04-20")
    edit(
        "config.toml",
        'template = "know-the-signs/x.j2"',
        'template = "know-the-signs/x.j2", key = "k1"',
    )
    edit(
        "config.toml",
        'template = "know-the-signs/facebook.j2"',
        'template = "know-the-signs/facebook.j2", key = "k2"',
    )
    with pytest.raises(ConfigError) as info:
        load_config(campaign_dir / "config.toml")
    message = str(info.value)
    assert "days[1].date 2020-04-20 is also the date of days[0]" in message
    assert str(campaign_dir / "config.toml") in message and info.value.exit_code == 2


@pytest.mark.parametrize(
    ("base_url", "why"),
    [
        ("http://api.twitter.com", "https"),
        ("not a url", "https"),
        ("https://", "host"),
        ("ftp://api.twitter.com", "https"),
        ("https://user:hunter2@api.twitter.com", "user name or password"),
        ("https://api.twitter.com/?x=1", "query"),
        ("http://127.0.0.1.example.com:8080", "https"),
    ],
)
def test_base_url_must_be_https_with_a_host(campaign_dir, edit, base_url, why):
    edit("config.toml", 'base_url = "https://api.twitter.com"', f'base_url = "{base_url}"')
    with pytest.raises(ConfigError) as info:
        load_config(campaign_dir / "config.toml")
    message = str(info.value)
    assert "accounts.x.base_url:" in message and why in message
    assert "hunter2" not in message


@pytest.mark.parametrize(
    "base_url", ["http://127.0.0.1:8080", "http://localhost:5000/", "http://[::1]:9000"]
)
def test_loopback_http_base_url_is_allowed_for_the_sandbox(campaign_dir, edit, base_url):
    edit("config.toml", 'base_url = "https://api.twitter.com"', f'base_url = "{base_url}"')
    config = load_config(campaign_dir / "config.toml")
    assert config.accounts["x"].resolved_base_url == base_url.rstrip("/")


def test_a_byte_order_mark_before_the_config_is_ignored(campaign_dir, shipped_config):
    path = campaign_dir / "config.toml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    config = load_config(path)
    assert config.campaign.name == shipped_config.campaign.name
    assert config.days == shipped_config.days


def test_settle_period_must_outlast_a_request(campaign_dir, edit):
    edit("config.toml", "workers = 16", "workers = 16\nsettle_seconds = 10")
    with pytest.raises(ConfigError, match=r"settle_seconds \(10\) must be longer than"):
        load_config(campaign_dir / "config.toml")
