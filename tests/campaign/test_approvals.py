"""Approvals in the store: bound to the hash the approver was shown, checked in the same
transaction; limits on what goes into the audit log; days outside the campaign; lateness."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from campaign.config import load_config
from campaign.errors import BadInput, ContentChanged, TimePassed
from campaign.planning import store_plan
from campaign.store import Actor, Store
from campaign.store.approvals import late_posts, late_summary, short_hash

SLUG = "stalking-awareness-week-2020"
MONDAY_X, MONDAY_FB = "2020-04-20-x", "2020-04-20-facebook"


@pytest.fixture
def planned(store: Store, campaign_dir) -> Store:
    store_plan(load_config(campaign_dir / "config.toml"), store, "officer")
    return store


def _hashes(store: Store) -> dict[str, str]:
    return {row.key: row.content_hash for row in store.posts(SLUG)}


def _approved(store: Store) -> list:
    return [entry for entry in store.audit_log(SLUG) if entry.action == "approved"]


def test_an_approval_binds_to_the_shown_hash_and_records_it(planned):
    shown = _hashes(planned)
    result = planned.approve(
        SLUG, "inspector", keys=[MONDAY_X], expected={MONDAY_X: short_hash(shown[MONDAY_X])}
    )
    assert result.changed == [MONDAY_X] and result.hashes == {MONDAY_X: shown[MONDAY_X]}
    [entry] = _approved(planned)
    assert entry.details["content_hash"] == shown[MONDAY_X]
    assert entry.details["shown_hash"] == short_hash(shown[MONDAY_X])


def test_a_post_stored_again_since_it_was_shown_refuses_the_whole_approval(
    planned, campaign_dir, edit
):
    shown = _hashes(planned)
    edit("posts/what-stalking-is/x.j2", "Today is the start", "This week is")
    store_plan(load_config(campaign_dir / "config.toml"), planned, "officer")
    with pytest.raises(ContentChanged, match=f"{MONDAY_X} changed since you were shown it"):
        planned.approve(
            SLUG,
            "inspector",
            keys=[MONDAY_X, MONDAY_FB],
            expected={key: shown[key] for key in (MONDAY_X, MONDAY_FB)},
        )
    assert not _approved(planned)
    assert {row.state for row in planned.posts(SLUG)} == {"draft"}


def test_a_draft_the_approver_was_not_shown_is_not_approved(planned):
    shown = _hashes(planned)
    with pytest.raises(ContentChanged, match=MONDAY_FB):
        planned.approve(
            SLUG, "inspector", day=date(2020, 4, 20), expected={MONDAY_X: shown[MONDAY_X]}
        )
    assert not _approved(planned)


@pytest.mark.parametrize("fingerprint", ["", "abc", "0939656b", "not-a-hash-at-all!"])
def test_a_fingerprint_must_be_at_least_twelve_hex_digits_of_the_hash(planned, fingerprint):
    hashes = _hashes(planned)
    too_short = hashes[MONDAY_X][: len(fingerprint)] if fingerprint == "0939656b" else fingerprint
    with pytest.raises(ContentChanged):
        planned.approve(SLUG, "inspector", keys=[MONDAY_X], expected={MONDAY_X: too_short})
    assert not _approved(planned)


def test_a_day_outside_the_campaign_is_bad_input_not_zero_approvals(planned):
    with pytest.raises(
        BadInput,
        match=r"2020-05-01 is outside Stalking Awareness Week 2020 "
        r"\(2020-04-20 to 2020-04-26\)",
    ) as raised:
        planned.approve(SLUG, "inspector", day=date(2020, 5, 1))
    assert raised.value.exit_code == 2
    with pytest.raises(BadInput, match="outside"):
        planned.withdraw(SLUG, "inspector", "typo", day=date(2020, 4, 19))
    assert not _approved(planned)


def test_cli_and_web_actors_are_recorded_with_how_they_acted(planned):
    planned.approve(SLUG, Actor.cli("Chief Constable"), keys=[MONDAY_X])
    planned.approve(SLUG, Actor.web("alice"), keys=[MONDAY_FB])
    cli, web = _approved(planned)
    assert cli.actor == "Chief Constable" and cli.details["via"] == "cli"
    assert cli.details["os_user"] and cli.details["host"]
    assert web.actor == "alice" and web.details["via"] == "web" and "os_user" not in web.details


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.withdraw(SLUG, "inspector", "x" * 60_000, keys=[MONDAY_X]), "60,000"),
        (lambda s: s.pause(SLUG, "inspector", "y" * 501), "at most 500"),
        (lambda s: s.resume(SLUG, "inspector", "z" * 501), "at most 500"),
        (lambda s: s.approve(SLUG, "n" * 101, keys=[MONDAY_X]), "at most 100"),
        (lambda s: s.pause(SLUG, "inspector", "line one\nline two"), "one line"),
        (lambda s: s.approve(SLUG, "  ", keys=[MONDAY_X]), "is empty"),
        (lambda s: s.approve(SLUG, "inspector", keys=["k" * 5000]), "post key is 5,000"),
    ],
)
def test_free_text_is_limited_on_the_server_with_a_clear_message(planned, call, message):
    before = planned.audit_log(SLUG)
    with pytest.raises(BadInput, match=message) as raised:
        call(planned)
    assert raised.value.exit_code == 2
    assert len(planned.audit_log(SLUG)) == len(before)
    assert not planned.campaign(SLUG).paused


def test_approving_late_can_be_refused_until_the_approver_accepts(planned, clock):
    clock.set(datetime(2020, 4, 20, 9, 10, tzinfo=ZoneInfo("UTC")))  # Monday's X post: 10 min ago
    with pytest.raises(TimePassed) as raised:
        planned.approve(SLUG, "inspector", day=date(2020, 4, 20), allow_past=False)
    assert list(raised.value.times) == [MONDAY_X]
    assert not _approved(planned)
    result = planned.approve(SLUG, "inspector", day=date(2020, 4, 20))
    late = late_posts(result.times, clock.now(), timedelta(minutes=15))
    assert [(post.key, post.missed) for post in late] == [(MONDAY_X, False)]
    summary = late_summary(late, len(result.changed), ZoneInfo("Europe/London"), 15)
    assert summary.startswith("1 of these 4 posts' time has passed: 2020-04-20-x (due Mon 20")
    assert "will be sent at once, late" in summary
    clock.advance(timedelta(hours=1))
    missed = late_posts(result.times, clock.now(), timedelta(minutes=15))  # 11:10 BST
    assert [(post.key, post.missed) for post in missed] == [
        (MONDAY_X, True),
        ("2020-04-20-bluesky", True),  # due 10:30 BST
    ]
    assert all("will be marked missed" in post.describe(ZoneInfo("UTC")) for post in missed)
