"""The stored plan: idempotent, edits clear approvals, removals cancel, sent posts never change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from campaign.config import load_config
from campaign.errors import PostNotFound, StoreError
from campaign.render import render_plan
from campaign.store import PostState, Store

SLUG = "stalking-awareness-week-2020"


def _plan(store: Store, config_path, actor="officer"):
    config = load_config(config_path)
    return store.sync_plan(config, render_plan(config), actor)


def _dump(store: Store) -> dict[str, list[tuple]]:
    with store.engine.connect() as connection:
        return {
            table: [
                tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))
            ]
            for table in ("campaigns", "accounts", "posts", "audit_log")
        }


def test_plan_twice_gives_the_same_database(store, campaign_dir, clock):
    first = _plan(store, campaign_dir / "config.toml")
    assert len(first.added) == 23
    before = _dump(store)
    clock.advance(timedelta(hours=1))
    second = _plan(store, campaign_dir / "config.toml")
    assert not second.changed and len(second.unchanged) == 23
    assert _dump(store) == before


def test_new_posts_are_drafts_in_utc_with_content_hash(store, campaign_dir):
    _plan(store, campaign_dir / "config.toml")
    posts = store.posts(SLUG)
    assert {p.state for p in posts} == {PostState.DRAFT}
    monday_x = next(p for p in posts if p.key == "2020-04-20-x")
    assert monday_x.scheduled_at.isoformat() == "2020-04-20T09:00:00+00:00"
    assert len(monday_x.parts) == 3 and len(monday_x.content_hash) == 64
    assert monday_x.media[0]["alt"].startswith("Dark blue card")


def test_editing_a_template_changes_the_hash_and_clears_the_approval(store, campaign_dir, edit):
    _plan(store, campaign_dir / "config.toml")
    store.approve(SLUG, "sergeant", keys=["2020-04-23-x"])
    approved = store.posts(SLUG, keys=["2020-04-23-x"])[0]
    assert approved.state == PostState.APPROVED and approved.approval_current
    edit("posts/family-and-friends/x.j2", "You could help save a life.", "You could save a life.")
    changes = _plan(store, campaign_dir / "config.toml")
    assert changes.edited == ["2020-04-23-x"] and changes.approvals_cleared == ["2020-04-23-x"]
    edited = store.posts(SLUG, keys=["2020-04-23-x"])[0]
    assert edited.state == PostState.DRAFT and edited.approved_hash is None
    assert edited.content_hash != approved.content_hash
    actions = [row.action for row in store.audit_log(SLUG) if row.post_id == edited.id]
    assert actions == ["planned", "approved", "edited", "approval-cleared"]


def test_changing_alt_text_clears_the_approval_too(store, campaign_dir, edit):
    _plan(store, campaign_dir / "config.toml")
    store.approve(SLUG, "sergeant", keys=["2020-04-20-x"])
    edit("config.toml", "Dark blue card with the words", "Navy card with the words")
    changes = _plan(store, campaign_dir / "config.toml")
    assert "2020-04-20-x" in changes.approvals_cleared


def test_moving_a_post_in_time_is_audited_and_keeps_its_identity(store, campaign_dir, edit):
    _plan(store, campaign_dir / "config.toml")
    edit("config.toml", 'time = "13:30"', 'time = "14:30"')
    changes = _plan(store, campaign_dir / "config.toml")
    assert changes.rescheduled == ["2020-04-22-x"] and not changes.added
    post = store.posts(SLUG, keys=["2020-04-22-x"])[0]
    assert post.scheduled_at.isoformat() == "2020-04-22T13:30:00+00:00"


def test_a_post_removed_from_the_config_is_cancelled_not_deleted(store, campaign_dir, edit):
    _plan(store, campaign_dir / "config.toml")
    edit(
        "config.toml",
        '  { channel = "facebook", time = "12:00", template = "how-to-report/facebook.j2" },\n',
        "",
    )
    changes = _plan(store, campaign_dir / "config.toml")
    assert changes.cancelled == ["2020-04-25-facebook"]
    posts = {p.key: p for p in store.posts(SLUG)}
    assert len(posts) == 23 and posts["2020-04-25-facebook"].state == PostState.CANCELLED
    # Put it back: it returns as a draft needing approval again.
    edit(
        "config.toml",
        'template = "how-to-report/x.j2" },\n',
        'template = "how-to-report/x.j2" },\n'
        '  { channel = "facebook", time = "12:00", template = "how-to-report/facebook.j2" },\n',
    )
    assert _plan(store, campaign_dir / "config.toml").restored == ["2020-04-25-facebook"]


def test_a_published_post_is_never_changed(store, campaign_dir, edit):
    _plan(store, campaign_dir / "config.toml")
    with store.transaction() as session:
        session.execute(
            text(
                "UPDATE posts SET state='published', platform_post_id='123' "
                "WHERE key='2020-04-21-x'"
            )
        )
    before = store.posts(SLUG, keys=["2020-04-21-x"])[0]
    edit("posts/know-the-signs/x.j2", "Know the signs of stalking.", "Learn the signs of stalking.")
    edit(
        "config.toml", '{ channel = "x", time = "10:00", template = "know-the-signs/x.j2" },\n', ""
    )
    changes = _plan(store, campaign_dir / "config.toml")
    assert "2020-04-21-x" not in changes.cancelled
    after = store.posts(SLUG, keys=["2020-04-21-x"])[0]
    assert (after.state, after.content_hash, after.parts) == (
        PostState.PUBLISHED,
        before.content_hash,
        before.parts,
    )


def test_approval_by_day_records_who_and_the_hash(store, campaign_dir):
    _plan(store, campaign_dir / "config.toml")
    from datetime import date

    result = store.approve(SLUG, "inspector", day=date(2020, 4, 21))
    assert sorted(result.changed) == [
        "2020-04-21-bluesky",
        "2020-04-21-facebook",
        "2020-04-21-threads",
        "2020-04-21-x",
    ]
    again = store.approve(SLUG, "inspector", day=date(2020, 4, 21))
    assert again.changed == [] and sorted(again.skipped) == [
        "2020-04-21-bluesky",
        "2020-04-21-facebook",
        "2020-04-21-threads",
        "2020-04-21-x",
    ]
    entries = [e for e in store.audit_log(SLUG) if e.action == "approved"]
    assert {e.actor for e in entries} == {"inspector"}
    hashes = {p.key: p.content_hash for p in store.posts(SLUG)}
    assert all(e.details["content_hash"] == hashes[e.details["post"]] for e in entries)


def test_withdrawing_an_approval(store, campaign_dir):
    _plan(store, campaign_dir / "config.toml")
    store.approve(SLUG, "inspector", keys=["2020-04-20-x"])
    result = store.withdraw(SLUG, "inspector", "wrong image", keys=["2020-04-20-x"])
    assert result.changed == ["2020-04-20-x"]
    assert store.posts(SLUG, keys=["2020-04-20-x"])[0].state == PostState.DRAFT


def test_unknown_post_key(store, campaign_dir):
    _plan(store, campaign_dir / "config.toml")
    with pytest.raises(PostNotFound, match="2020-04-31-x"):
        store.approve(SLUG, "inspector", keys=["2020-04-31-x"])


def test_the_audit_log_is_append_only_even_in_raw_sql(store, campaign_dir):
    _plan(store, campaign_dir / "config.toml")
    for statement in ("UPDATE audit_log SET actor='someone else'", "DELETE FROM audit_log"):
        with pytest.raises(StoreError, match="append-only"):
            with store.transaction() as session:
                session.execute(text(statement))
    entry = store.audit_log(SLUG)[0]
    with pytest.raises(StoreError, match="append-only"):
        with store.transaction() as session:
            row = session.merge(entry)
            row.actor = "someone else"


def test_a_failed_sync_leaves_nothing_half_written(store, campaign_dir):
    _plan(store, campaign_dir / "config.toml")
    before = _dump(store)
    config = load_config(campaign_dir / "config.toml")
    posts = render_plan(config)
    broken = posts[:-1] + [posts[-1].__class__(**{**posts[-1].__dict__, "key": posts[0].key})]
    with pytest.raises(StoreError):
        store.sync_plan(config, broken, "officer")  # two posts with one key: unique violation
    assert _dump(store) == before


def test_sqlite_runs_in_wal_mode(store):
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_migrations_upgrade_a_database_that_already_holds_a_plan(tmp_path, campaign_dir, clock):
    from campaign.store.database import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0001")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            'INSERT INTO campaigns (slug, name, organisation, hashtag, timezone, start, "end", '
            "paused) VALUES ('c', 'C', 'O', '#C', 'Europe/London', '2020-04-20', '2020-04-26', 0)"
        )
        connection.exec_driver_sql(
            "INSERT INTO audit_log (at, actor, action, campaign_id, details) "
            "VALUES ('2020-04-01 00:00:00', 'a', 'planned', 1, '{}')"
        )
    migrate(engine)
    store = Store(engine, clock)
    _plan(store, campaign_dir / "config.toml")
    assert len(store.posts(SLUG)) == 23
    assert all(post.in_doubt is False for post in store.posts(SLUG))
