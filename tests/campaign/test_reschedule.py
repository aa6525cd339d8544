"""A post moved in the dashboard (`Store.edit_post` with a new date or time) needs approval
again: the approver agreed to that text at the old time."""

from __future__ import annotations

from datetime import UTC, datetime

from campaign.planning import store_plan

SLUG = "stalking-awareness-week-2020"
KEY = "2020-04-20-x"


def _move(store, key: str, day: str, time: str):
    source = store.content(SLUG).sources[key]
    moved = source.with_changes(date=datetime.fromisoformat(day).date(), time=time)
    base = store.revisions(SLUG, key)[-1].number
    return store.edit_post(SLUG, key, moved, "olly", base_revision=base)


def test_a_moved_approved_post_is_a_draft_again(store, shipped_config):
    store_plan(shipped_config, store, "olly")
    store.approve(SLUG, "alice", keys=(KEY,))
    _move(store, KEY, "2020-04-22", "15:00")
    [row] = store.posts(SLUG, keys=[KEY])
    assert row.scheduled_at == datetime(2020, 4, 22, 14, 0, tzinfo=UTC)
    assert (row.state, row.approved_by, row.approved_hash) == ("draft", None, None)
    cleared = [e for e in store.audit_log(SLUG) if e.action == "approval-cleared"]
    assert [(e.actor, e.details["post"]) for e in cleared] == [("olly", KEY)]


def test_a_missed_post_moved_later_can_be_approved_again(store, shipped_config):
    store_plan(shipped_config, store, "olly")
    with store.transaction() as session:
        from campaign.store.models import PostRow

        session.query(PostRow).filter_by(key=KEY).one().state = "missed"
    _move(store, KEY, "2020-04-24", "16:00")
    [row] = store.posts(SLUG, keys=[KEY])
    assert row.state == "draft"
    store.approve(SLUG, "alice", keys=(KEY,))
    assert store.posts(SLUG, keys=[KEY])[0].state == "approved"


def test_a_draft_moved_stays_a_draft_with_no_extra_record(store, shipped_config):
    store_plan(shipped_config, store, "olly")
    _move(store, KEY, "2020-04-22", "15:00")
    assert store.posts(SLUG, keys=[KEY])[0].state == "draft"
    assert not [e for e in store.audit_log(SLUG) if e.action == "approval-cleared"]
