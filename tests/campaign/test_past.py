"""Which posts are in the past: one function behind the warnings of init, check, plan, approve."""

from __future__ import annotations

from datetime import UTC, datetime

from campaign.past import past_in_config


def test_nothing_is_past_before_the_week(shipped_config):
    past = past_in_config(shipped_config, datetime(2020, 4, 20, 8, 59, tzinfo=UTC))
    assert past.keys == [] and past.message() is None and past.total == 23


def test_part_of_the_week_is_past_in_the_campaigns_timezone(shipped_config):
    # Monday's X post is at 10:00 BST = 09:00 UTC; at 09:00 UTC it is due, Facebook's is not.
    past = past_in_config(shipped_config, datetime(2020, 4, 20, 9, 0, tzinfo=UTC))
    assert past.keys == ["2020-04-20-x"] and not past.all_past
    assert past.message() == (
        "1 of 23 posts are in the past (2020-04-20-x; it is now Mon 20 Apr 2020 10:00 BST): a "
        "publishing daemon will mark them missed once the grace window has passed. Move them "
        "later in config.toml if they should still go out."
    )
    tuesday = past_in_config(shipped_config, datetime(2020, 4, 21, 23, 0, tzinfo=UTC))
    assert len(tuesday.keys) == 8 and "2020-04-21-facebook" in tuesday.keys
    assert tuesday.message().startswith("8 of 23 posts are in the past (2020-04-20-x, ")


def test_the_whole_week_past_names_its_days_and_what_to_change(shipped_config):
    past = past_in_config(shipped_config, datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    assert past.all_past and len(past.keys) == 23
    message = past.message()
    assert message.startswith("Every post is in the past (Mon 20 Apr 2020 to Sun 26 Apr 2020; ")
    assert "it is now Tue 1 Dec 2026 15:00 GMT" in message
    assert "[campaign] start and end" in message
