"""The presentation module: every face shows the same times, names, health and cards."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console

from campaign.checks.findings import CheckReport
from campaign.cli import tables
from campaign.config import CampaignConfig, load_config
from campaign.health import publishing_health
from campaign.planning import check_plan, store_plan
from campaign.present import platforms, times
from campaign.present.cards import CardSource, rendered_card, row_card
from campaign.present.health import health_view
from campaign.present.plan import changes_sentence
from campaign.store import PlanChanges, Store

LONDON = ZoneInfo("Europe/London")
SLUG = "stalking-awareness-week-2020"


@pytest.mark.parametrize(
    ("utc", "shown"),
    [
        # Spring forward, Sunday 29 March 2020: 01:00 GMT becomes 02:00 BST.
        (datetime(2020, 3, 29, 0, 59, tzinfo=UTC), "Sun 29 Mar 00:59 GMT"),
        (datetime(2020, 3, 29, 1, 0, tzinfo=UTC), "Sun 29 Mar 02:00 BST"),
        # Fall back, Sunday 25 October 2020: 01:30 happens twice, first BST then GMT.
        (datetime(2020, 10, 25, 0, 30, tzinfo=UTC), "Sun 25 Oct 01:30 BST"),
        (datetime(2020, 10, 25, 1, 30, tzinfo=UTC), "Sun 25 Oct 01:30 GMT"),
    ],
)
def test_times_across_clock_changes_say_which_hour_is_meant(utc, shown):
    assert times.short_time(utc, LONDON) == shown
    assert times.clock_time(utc, LONDON) == shown[-9:]


def test_summer_is_bst_and_winter_is_gmt():
    summer = datetime(2020, 4, 20, 9, 0, tzinfo=UTC)
    winter = datetime(2020, 12, 7, 9, 0, tzinfo=UTC)
    assert times.long_time(summer, LONDON) == "Monday 20 April 2020 at 10:00 BST"
    assert times.long_time(winter, LONDON) == "Monday 7 December 2020 at 09:00 GMT"
    assert times.precise_time(summer + timedelta(seconds=5), LONDON) == "Mon 20 Apr 10:00:05 BST"
    assert times.record_time(winter, LONDON) == "2020-12-07 09:00:00 GMT"
    assert times.dated_time(winter, LONDON) == "Mon 7 Dec 2020 09:00 GMT"


def test_the_day_is_the_local_day_not_the_utc_one():
    late_evening = datetime(2020, 4, 19, 23, 30, tzinfo=UTC)  # 00:30 BST on Monday
    assert times.short_time(late_evening, LONDON) == "Mon 20 Apr 00:30 BST"
    assert times.wall_clock(late_evening, LONDON) == "00:30"


def test_days_are_written_without_a_leading_zero():
    assert times.short_date(date(2020, 4, 6)) == "Mon 6 Apr"
    assert times.long_date(date(2020, 4, 6)) == "Monday 6 April 2020"
    assert times.dated_day(date(2021, 3, 1)) == "Mon 1 Mar 2021"
    assert times.day_month(date(2020, 4, 6)) == "6 Apr"
    assert times.date_range(date(2020, 4, 20), date(2020, 4, 20)) == "Monday 20 April 2020"
    assert times.date_range(date(2020, 4, 20), date(2020, 4, 26)) == (
        "Monday 20 April 2020 to Sunday 26 April 2020"
    )


def test_no_moment_is_shown_as_nothing_and_ages_are_never_negative():
    now = datetime(2020, 4, 20, 9, 0, tzinfo=UTC)
    assert times.short_time(None, LONDON) == ""
    assert times.ago(now - timedelta(seconds=12.4), now) == "12 s ago"
    assert times.ago(now + timedelta(seconds=3), now) == "0 s ago"  # a clock a little ahead
    assert [times.duration(timedelta(minutes=m)) for m in (1, 5, 60, 120)] == [
        "a minute",
        "5 minutes",
        "an hour",
        "2 hours",
    ]


def test_platforms_have_one_display_name_and_the_checks_limits(shipped_config):
    assert platforms.display_name("x") == "X"
    assert platforms.display_name("facebook") == "Facebook"
    assert platforms.link_text("facebook") == "View on Facebook"
    assert platforms.length_limit("x", shipped_config.checks) == 280
    limit = shipped_config.checks.facebook_max_length
    assert platforms.length_limit("facebook", shipped_config.checks) == limit
    # X counts a link as 23 and an emoji as 2; Facebook counts characters.
    text = "Help: https://example.org/a/very/long/path/indeed 🙂"
    assert platforms.lengths("x", [text]) == [6 + 23 + 1 + 2]
    assert platforms.lengths("facebook", [text]) == [len(text)]


@pytest.fixture
def week(store: Store, campaign_dir: Path) -> tuple[Store, CampaignConfig]:
    """The shipped week, stored as drafts."""
    config = load_config(campaign_dir / "config.toml")
    store_plan(config, store, "olly")
    return store, config


def test_the_terminal_and_the_dashboard_say_the_same_health(week):
    planned, config = week
    now = planned.clock.now()
    rows = planned.posts(SLUG)
    planned.pause(SLUG, "sgt.smith", "critical incident")
    health = publishing_health(planned, SLUG, now, config.publishing.heartbeat_timeout_seconds)
    view = health_view(health, rows, now, config.zone)
    assert view.title == "PAUSED – nothing is being published"
    assert view.detail == "Paused by sgt.smith Mon 13 Apr 10:00 BST: critical incident"
    assert view.next == "23 posts are waiting for approval; nothing is scheduled yet."
    assert not view.daemons_ok and "No publishing daemon is running" in view.daemons
    console = Console(width=400, record=True)
    console.print(tables.health_panel(health, rows, now, config.zone))
    shown = console.export_text()
    for line in (view.title, view.detail, view.daemons, view.next):
        assert line in shown


def test_one_card_model_serves_the_stored_and_the_rendered_post(week):
    planned, config = week
    checked = check_plan(config)
    row = planned.posts(SLUG, keys=["2020-04-20-x"])[0]
    source = CardSource(config, checked.report, {post.key: post for post in checked.posts})
    stored = row_card(source, row)
    rendered = rendered_card(source, next(p for p in checked.posts if p.key == row.key))
    for card in (stored, rendered):
        assert (card.platform_name, card.time_label) == ("X", "10:00 BST")
        assert (card.when, card.date_label) == ("Mon 20 Apr 10:00 BST", "20 Apr")
        assert [part.limit for part in card.lengths] == [280] * len(row.parts)
    assert [part.count for part in stored.lengths] == [part.count for part in rendered.lengths]
    assert stored.state_label == "Draft – needs approval" and rendered.state == "not stored"
    assert stored.fingerprint == row.content_hash[:12] and not stored.differs_note
    # A face that shows no lengths does not pay for X's weighted count.
    uncounted = row_card(CardSource(config, count_lengths=False), row)
    assert [part.count for part in uncounted.lengths] == [None] * len(row.parts)


def test_a_card_of_changed_files_shows_no_findings_of_other_content(week):
    planned, config = week
    row = planned.posts(SLUG, keys=["2020-04-20-x"])[0]
    checked = check_plan(config)
    other = next(p for p in checked.posts if p.key == "2020-04-21-x")
    report = CheckReport(lengths={row.key: [999]}, reading_ease={row.key: 12.0})
    source = CardSource(config, report, {row.key: other}, differs_note="run plan")
    card = row_card(source, row)
    assert card.differs_note == "run plan" and card.reading_ease is None
    assert [part.count for part in card.lengths] != [999]


def test_plan_changes_read_the_same_in_the_terminal_and_on_the_page():
    changes = PlanChanges(added=["a", "b"], edited=["c"], unchanged=["d"])
    assert changes_sentence(changes) == "Plan updated: 2 added, 1 edited (need approval again)."
    assert changes_sentence(PlanChanges()) == "Plan updated: nothing had changed."
    console = Console(width=200, record=True)
    console.print(tables.changes_table(changes))
    assert "edited (need approval again)" in console.export_text()
