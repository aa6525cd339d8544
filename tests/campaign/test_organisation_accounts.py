"""Many campaigns in one database: accounts belong to the organisation, campaigns share them,
and one switch pauses everything."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from campaign.config import load_config
from campaign.errors import BadInput, ConfigError
from campaign.render import render_plan
from campaign.store import Store
from campaign.store.database import downgrade, make_engine, migrate

FIRST = "stalking-awareness-week-2020"
SECOND = "stalking-awareness-week-2021"


def _plan(store: Store, path) -> None:
    config = load_config(path)
    store.sync_plan(config, render_plan(config), "officer")


def _approve_and_schedule(store: Store, slug: str) -> None:
    store.approve(slug, "approver")
    store.publishing.schedule_approved(store.clock.now(), None)


def test_two_campaigns_on_the_same_accounts_share_one_row_each(
    store, campaign_dir, another_campaign
):
    _plan(store, campaign_dir / "config.toml")
    _plan(store, another_campaign(SECOND))
    assert [c.slug for c in store.campaigns()] == [FIRST, SECOND]
    accounts = store.all_accounts()
    assert sorted(a.identity for a in accounts) == [
        "bluesky:@derbyshirepolice.bsky.social",
        "facebook:104857361209584",
        "instagram:17841400008460056",
        "mastodon:@derbyshirepolice@mastodon.social",
        "threads:26234758113012345",
        "x:@derbyshirepolice",
    ]
    first = {a.id for a in store.accounts(FIRST)}
    assert first == {a.id for a in store.accounts(SECOND)} == {a.id for a in accounts}
    stored = {a.platform: a.definition for a in accounts}
    assert stored["x"]["credentials"]["access_token"] == "DERBYSHIRE_X_ACCESS_TOKEN"
    assert stored["facebook"]["posts_per_24h"] == 25
    posts = store.posts(SECOND)
    assert {p.channel for p in posts} == {
        "x",
        "facebook",
        "bluesky",
        "instagram",
        "mastodon",
        "threads",
    }
    campaign = store.campaign(SECOND)
    assert campaign.settings is not None and campaign.settings["publishing"]["grace_minutes"] == 15
    assert campaign.media_dir is not None and campaign.media_dir.endswith("posts")


def test_one_account_configured_two_ways_is_refused_naming_the_other_campaign(
    store, campaign_dir, another_campaign
):
    _plan(store, campaign_dir / "config.toml")
    second = another_campaign(SECOND)
    text_ = second.read_text(encoding="utf-8")
    second.write_text(
        text_.replace('"DERBYSHIRE_X_ACCESS_TOKEN"', '"OTHER_X_ACCESS_TOKEN"'), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as refused:
        _plan(store, second)
    message = str(refused.value)
    assert f"'{FIRST}'" in message and "accounts.x" in message
    assert "DERBYSHIRE_X_ACCESS_TOKEN there, OTHER_X_ACCESS_TOKEN here" in message
    assert [c.slug for c in store.campaigns()] == [FIRST]  # nothing half-written


def test_a_campaign_alone_on_an_account_may_change_its_settings(store, campaign_dir, edit):
    _plan(store, campaign_dir / "config.toml")
    edit("config.toml", "posts_per_24h = 25", "posts_per_24h = 20")
    _plan(store, campaign_dir / "config.toml")
    [facebook] = [a for a in store.all_accounts() if a.platform == "facebook"]
    assert facebook.definition is not None and facebook.definition["posts_per_24h"] == 20


def test_pausing_a_shared_account_stops_it_in_every_campaign_and_audits_each(
    store, campaign_dir, another_campaign, clock
):
    _plan(store, campaign_dir / "config.toml")
    _plan(store, another_campaign(SECOND, shift_days=0))
    for slug in (FIRST, SECOND):
        _approve_and_schedule(store, slug)
    clock.set(store.posts(FIRST)[0].scheduled_at)
    due_before = store.publishing.due(clock.now(), 100, None, ())
    assert len(due_before) == 2  # each campaign's first X post
    store.pause(FIRST, "officer", "account compromised", account="x")
    assert store.publishing.due(clock.now(), 100, None, ()) == []
    for slug in (FIRST, SECOND):
        [entry] = [e for e in store.audit_log(slug) if e.action == "paused"]
        assert entry.details["reason"] == "account compromised"
    store.resume(SECOND, "officer", "password changed", account="x")
    assert len(store.publishing.due(clock.now(), 100, None, ())) == 2


def test_pause_everything_stops_every_claim_and_the_check_before_each_create(
    store, campaign_dir, another_campaign, clock
):
    _plan(store, campaign_dir / "config.toml")
    _plan(store, another_campaign(SECOND, shift_days=0))
    for slug in (FIRST, SECOND):
        _approve_and_schedule(store, slug)
    clock.set(store.posts(FIRST)[0].scheduled_at)
    [claimed] = store.publishing.acquire_due("d1", clock.now(), 1, None, ())
    store.pause_everything("duty inspector", "critical incident")
    assert store.publishing.acquire_due("d2", clock.now(), 10, None, ()) == []
    why = store.publishing.attempting(claimed.id, "d1", clock.now())
    assert why == "all publishing paused (critical incident)"
    switch = store.everything_paused()
    assert switch is not None and switch.paused_by == "duty inspector"
    for slug in (FIRST, SECOND):
        actions = [(e.action, e.details.get("scope")) for e in store.audit_log(slug)]
        assert ("paused", "everything") in actions
    store.publishing.release(claimed.id, "d1", clock.now(), reason="paused")
    clock.advance(timedelta(seconds=1))
    store.resume_everything("duty inspector", "incident over")
    assert store.everything_paused() is None
    assert len(store.publishing.acquire_due("d2", clock.now(), 10, None, ())) == 2
    with pytest.raises(BadInput, match="nothing to resume"):
        store.resume_everything("duty inspector", "again")


def test_a_pause_of_everything_past_grace_says_so_when_a_post_is_missed(store, campaign_dir, clock):
    _plan(store, campaign_dir / "config.toml")
    _approve_and_schedule(store, FIRST)
    store.pause_everything("duty inspector", "critical incident")
    first = store.posts(FIRST)[0]
    clock.set(first.scheduled_at + timedelta(minutes=20))
    missed = store.publishing.mark_missed(clock.now(), timedelta(minutes=15), None)
    assert first.key in {ref.key for ref in missed}
    [row] = store.posts(FIRST, keys=[first.key])
    assert (
        row.last_error is not None and "all publishing paused (critical incident)" in row.last_error
    )


def test_an_older_database_is_migrated_to_organisation_accounts(tmp_path, campaign_dir, clock):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store.open(url, clock)
    _plan(store, campaign_dir / "config.toml")
    store.pause(FIRST, "officer", "renewing the token", account="facebook")
    engine = make_engine(url)
    downgrade(engine, "0007")
    with engine.connect() as connection:
        columns = [row[1] for row in connection.execute(text("PRAGMA table_info(accounts)"))]
        assert "campaign_id" in columns and "identity" not in columns
    migrate(engine)
    engine.dispose()
    again = Store.open(url, clock)
    accounts = {a.platform: a for a in again.all_accounts()}
    assert accounts["x"].identity == "x:@derbyshirepolice"
    assert accounts["facebook"].paused and accounts["facebook"].pause_reason == "renewing the token"
    assert {p.channel for p in again.posts(FIRST)} == {
        "x",
        "facebook",
        "bluesky",
        "instagram",
        "mastodon",
        "threads",
    }
    _plan(again, campaign_dir / "config.toml")  # the next plan fills in what a daemon needs
    assert all(a.definition is not None for a in again.all_accounts())
    accounts = {a.platform: a for a in again.all_accounts()}
    assert len(accounts) == 6 and accounts["facebook"].identity == "facebook:104857361209584"
    assert accounts["facebook"].paused  # the pause carried over to the shared row
    again.engine.dispose()


def test_a_daemon_reads_every_campaign_and_account_from_the_database(
    store, campaign_dir, another_campaign, edit
):
    edit("config.toml", "grace_minutes = 15", "grace_minutes = 5")
    _plan(store, campaign_dir / "config.toml")
    first = store.publishing.deployment()
    _plan(store, another_campaign(SECOND))
    both = store.publishing.deployment()
    assert [c.slug for c in both.campaigns.values()] == [FIRST, SECOND]
    grace = {c.slug: c.publishing.grace_minutes for c in both.campaigns.values()}
    assert grace == {FIRST: 5, SECOND: 15}
    assert sorted(a.account.identity for a in both.accounts.values() if a.account) == [
        "bluesky:@derbyshirepolice.bsky.social",
        "facebook:104857361209584",
        "instagram:17841400008460056",
        "mastodon:@derbyshirepolice@mastodon.social",
        "threads:26234758113012345",
        "x:@derbyshirepolice",
    ]
    assert both.fingerprint != first.fingerprint
    assert store.publishing.deployment().fingerprint == both.fingerprint
    one = store.publishing.deployment(store.publishing.campaign_id(SECOND))
    assert [c.slug for c in one.campaigns.values()] == [SECOND]
