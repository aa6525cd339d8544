"""The watch: the dead man's switch once per outage, the morning messages once per local day at
the right local time across a clock change, and the summary once after the end. Real SQLite
(PostgreSQL where marked) on a manual clock; several watchers at once raise each alert once.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from campaign.alerts.service import AlertLoop, tick
from campaign.alerts.watch import watch
from campaign.clock import ManualClock
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import Store, control
from campaign.store.models import MetricSnapshotRow, PostRow, PostState
from tests.alerts.conftest import alerts
from tests.conftest import fresh_database

SLUG = "stalking-awareness-week-2020"
FIRST_POST = datetime(2020, 4, 20, 9, 0, tzinfo=UTC)  # 2020-04-20-x, 10:00 BST


def dead_man(store: Store, now: datetime) -> list[str]:
    """The no-daemon keys one watch pass raised (the morning messages are tested apart)."""
    return [key for key in watch(store, now).raised if key.startswith("no-daemon")]


def beat(store: Store, daemon_id: str, at: datetime, *, stopping: bool = False) -> None:
    with store.transaction() as session:
        control.heartbeat(session, daemon_id, at, stopping=stopping)


@pytest.fixture
def planned(store: Store, campaign_dir: Path) -> Store:
    path = campaign_dir / "config.toml"
    text = path.read_text(encoding="utf-8")
    assert "\n[alerts]\n" in text
    path.write_text(
        text.replace(
            "\n[alerts]\n", '\n[alerts]\ndashboard_url = "https://campaigns.force.local/"\n'
        ),
        encoding="utf-8",
    )
    store_plan(load_config(campaign_dir / "config.toml"), store, "officer")
    return store


def test_no_daemon_is_raised_once_per_outage_when_a_post_is_due_within_the_lead(planned, clock):
    store = planned
    store.approve(SLUG, "inspector", keys=["2020-04-20-x"])
    clock.set(FIRST_POST - timedelta(minutes=31))
    assert dead_man(store, clock.now()) == []  # due in 31 min: outside the 30 min lead
    clock.set(FIRST_POST - timedelta(minutes=29))
    [key] = dead_man(store, clock.now())
    [alert] = alerts(store, "no-daemon")
    assert key == alert.key == f"no-daemon:{alert.campaign_id}:never"
    assert alert.title == (
        "No publishing service is running: the Mon 20 Apr 10:00 BST X post "
        "(@DerbyshirePolice) will not go out"
    )
    assert alert.facts["last_heartbeat"] == "never"
    assert alert.facts["lines"] == ["Mon 20 Apr 10:00 BST X (@DerbyshirePolice): What stalking is"]
    for minutes in (20, 10, 0):  # the outage goes on: nothing more
        clock.set(FIRST_POST - timedelta(minutes=minutes))
        assert dead_man(store, clock.now()) == []
    # A daemon comes back: nothing while it beats; then it dies: one more, naming its last beat.
    back = FIRST_POST - timedelta(seconds=30)
    clock.set(back)
    beat(store, "daemon-1", back)
    assert dead_man(store, clock.now()) == []
    clock.set(back + timedelta(minutes=2))  # 2 min without a beat: dead (timeout 30 s)
    assert dead_man(store, clock.now()) == [f"no-daemon:{alert.campaign_id}:{back.isoformat()}"]
    assert dead_man(store, clock.now()) == []
    assert len(alerts(store, "no-daemon")) == 2


def test_no_alert_while_a_daemon_is_alive_or_when_nothing_would_be_sent(planned, clock):
    store = planned
    clock.set(FIRST_POST - timedelta(minutes=10))
    assert dead_man(store, clock.now()) == []  # the due post is a draft: nothing to send
    store.approve(SLUG, "inspector", keys=["2020-04-20-x"])
    beat(store, "daemon-1", clock.now() - timedelta(seconds=10))
    assert dead_man(store, clock.now()) == []  # alive
    beat(store, "daemon-1", clock.now(), stopping=True)  # stopped cleanly: not alive
    store.pause(SLUG, "inspector", "incident")
    assert dead_man(store, clock.now()) == []  # paused: nothing would be sent anyway
    store.resume(SLUG, "inspector", "over")
    store.pause(SLUG, "inspector", "token leaked", account="x")
    assert dead_man(store, clock.now()) == []  # its account is paused: nothing would be sent
    store.resume(SLUG, "inspector", "token renewed", account="x")
    assert dead_man(store, clock.now()) == [f"no-daemon:1:{clock.now().isoformat()}"]


def test_an_overdue_post_still_scheduled_keeps_the_switch_armed(planned, clock):
    """A daemon scheduled the post, then died: past its time it is still waiting."""
    store = planned
    store.approve(SLUG, "inspector", keys=["2020-04-20-x"])
    with store.transaction() as session:
        session.execute(
            PostRow.__table__.update()
            .where(PostRow.key == "2020-04-20-x")
            .values(state=PostState.SCHEDULED)
        )
    clock.set(FIRST_POST + timedelta(minutes=5))
    beat(store, "daemon-1", FIRST_POST - timedelta(minutes=2))
    assert dead_man(store, clock.now()) == [
        f"no-daemon:1:{(FIRST_POST - timedelta(minutes=2)).isoformat()}"
    ]


def _race(stores: list[Store], clock: ManualClock) -> list[list[str]]:
    """Every store's watcher at the same moment, released together."""
    start = threading.Barrier(len(stores))
    results: list[list[str]] = [[] for _ in stores]

    def run(index: int) -> None:
        start.wait()
        results[index] = tick(stores[index], clock, f"watcher-{index}", {}).raised

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_watchers_racing_raise_each_alert_once_on_sqlite(planned, clock, tmp_path):
    store = planned
    store.approve(SLUG, "inspector", keys=["2020-04-20-x"])
    clock.set(FIRST_POST - timedelta(minutes=5))
    others = [Store.open(str(store.engine.url), clock) for _ in range(3)]
    try:
        results = _race([store, *others], clock)
    finally:
        for other in others:
            other.engine.dispose()
    won = [key for keys in results for key in keys]
    assert len(won) == len(set(won)) == 3  # each raised by one watcher, whichever won it
    assert sorted(a.topic for a in alerts(store)) == [
        "approvals-due",
        "morning-digest",
        "no-daemon",
    ]


@pytest.mark.postgres
@pytest.mark.slow
def test_watchers_racing_raise_each_alert_once_on_postgresql(postgres_url, another_campaign, clock):
    config = load_config(another_campaign("far-week", shift_days=364 * 11))  # its own dates
    url = fresh_database(postgres_url, "alerts_race")  # no other test's daemons beat in it
    store = Store.open(url, clock)
    others = [Store.open(url, clock) for _ in range(3)]
    try:
        store_plan(config, store, "officer")
        store.approve("far-week", "inspector")
        campaign_id = store.campaign("far-week").id
        first = min(p.scheduled_at for p in store.posts("far-week"))
        clock.set(first - timedelta(minutes=5))
        won = []
        for _ in range(3):
            won += [key for keys in _race([store, *others], clock) for key in keys]
        assert len(won) == len(set(won)) == 2  # each raised by one watcher, once
        ours = [a.key for a in alerts(store) if a.campaign_id == campaign_id]
        assert sorted(k.split(":")[0] for k in ours) == ["morning-digest", "no-daemon"]
    finally:
        for one in (store, *others):
            one.engine.dispose()


def test_morning_messages_come_once_a_local_day_at_the_local_time_across_a_clock_change(
    another_campaign, tmp_path, clock
):
    """A week ending on the Sunday the clocks go forward (29 March 2020, 01:00 UTC): 07:00
    is 07:00 UTC on Saturday and 06:00 UTC on Sunday."""
    config = load_config(another_campaign("spring-week", shift_days=-28))  # 23-29 March
    store = Store.open(f"sqlite:///{tmp_path / 'spring.db'}", clock)
    store_plan(config, store, "officer")
    store.approve("spring-week", "inspector", day=config.campaign.start)  # Monday's approved
    raised_at: dict[str, datetime] = {}
    for day in range(21, 31):  # every quarter of an hour around the mornings, and later on
        midnight = datetime(2020, 3, day, tzinfo=UTC)
        moments = [midnight + timedelta(hours=5, minutes=15 * n) for n in range(13)]
        for moment in [*moments, midnight + timedelta(hours=12), midnight + timedelta(hours=20)]:
            clock.set(moment)
            for key in watch(store, moment).raised:
                raised_at[key] = moment
    digests = {k.split(":")[2]: at for k, at in raised_at.items() if k.startswith("morning")}
    assert sorted(digests) == [f"2020-03-{d}" for d in range(23, 30)]  # each campaign day once
    assert digests["2020-03-28"] == datetime(2020, 3, 28, 7, 0, tzinfo=UTC)  # 07:00 GMT
    assert digests["2020-03-29"] == datetime(2020, 3, 29, 6, 0, tzinfo=UTC)  # 07:00 BST
    approvals = {k.split(":")[2]: at for k, at in raised_at.items() if k.startswith("approvals")}
    # Only on mornings with unapproved posts in the next 24 hours: not the day before (nothing
    # before 07:00 Monday), not Monday (its posts are approved, Tuesday's come after 07:00).
    assert sorted(approvals) == [f"2020-03-{d}" for d in range(24, 30)]
    assert approvals["2020-03-29"] == datetime(2020, 3, 29, 6, 0, tzinfo=UTC)
    sunday = next(a for a in alerts(store, "approvals-due") if a.key.endswith("2020-03-29"))
    assert [line[:20] for line in sunday.facts["lines"]] == [
        "Sun 29 Mar 11:00 BST",
        "Sun 29 Mar 12:00 BST",
        "Sun 29 Mar 12:30 BST",
    ]
    monday = next(a for a in alerts(store, "morning-digest") if a.key.endswith("2020-03-23"))
    assert monday.title == "spring week today, Monday 23 March 2020: 4 posts go out"
    tuesday = next(a for a in alerts(store, "morning-digest") if a.key.endswith("2020-03-24"))
    assert tuesday.title.endswith("4 posts go out; 4 not approved yet")
    summary = [k for k in raised_at if k.startswith("campaign-summary")]
    assert summary == ["campaign-summary:1"]
    assert raised_at["campaign-summary:1"] == datetime(2020, 3, 30, 6, 0, tzinfo=UTC)
    store.engine.dispose()


def test_no_approvals_message_when_everything_is_approved(planned, clock):
    store = planned
    store.approve(SLUG, "inspector")
    clock.set(datetime(2020, 4, 19, 6, 0, tzinfo=UTC))  # 07:00 BST the day before
    assert watch(store, clock.now()).raised == []  # nothing unapproved, no post that day


def test_the_summary_after_the_end_has_the_engagement_totals_and_a_link(planned, clock):
    store = planned
    with store.transaction() as session:
        post = session.scalar(select(PostRow).where(PostRow.key == "2020-04-20-x"))
        post.state, post.published_at = PostState.PUBLISHED, FIRST_POST
        post.platform_post_id = "1252"
        values = {"impression_count": 1000, "like_count": 40, "retweet_count": 10}
        session.add(
            MetricSnapshotRow(
                post_id=post.id,
                platform_post_id="1252",
                collected_at=FIRST_POST + timedelta(days=1),
                offset="24h",
                status="ok",
                api_version="2",
                metric_names=list(values),
                values=values,
                unavailable={},
            )
        )
    clock.set(datetime(2020, 4, 27, 5, 59, tzinfo=UTC))  # 06:59 BST on the Monday after
    assert not any(k.startswith("campaign-summary") for k in watch(store, clock.now()).raised)
    clock.set(datetime(2020, 4, 27, 6, 0, tzinfo=UTC))
    assert watch(store, clock.now()).raised == ["campaign-summary:1"]
    clock.advance(timedelta(days=1))
    assert watch(store, clock.now()).raised == []
    [summary] = alerts(store, "campaign-summary")
    assert summary.title == (
        "Stalking Awareness Week 2020 has ended: 1 posts published, 1,000 impressions, "
        "50 engagements"
    )
    facts = summary.facts
    assert (facts["impressions"], facts["engagements"], facts["shares"]) == (1000, 50, 10)
    assert facts["engagement_rate"] == "5 %"
    assert facts["link"] == f"/c/{SLUG}/results"  # the messages add the dashboard's address


def test_the_alert_loop_ticks_survives_errors_and_stops_cleanly(planned, clock):
    store = planned
    store.approve(SLUG, "inspector", keys=["2020-04-20-x"])
    clock.set(FIRST_POST - timedelta(minutes=5))
    before = set(threading.enumerate())
    with store.transaction() as session:  # the table is away: every tick fails for now
        session.execute(text("ALTER TABLE alerts RENAME TO alerts_away"))
    loop = AlertLoop(store, clock, {}, interval=0.02)
    with loop:
        _wait(lambda: loop.ticks >= 3)
        assert loop.alive and loop.failures >= 3  # failed, logged, still running
        with store.transaction() as session:
            session.execute(text("ALTER TABLE alerts_away RENAME TO alerts"))
        _wait(lambda: bool(alerts(store, "no-daemon")))
    assert not loop.alive and set(threading.enumerate()) <= before
    assert len(alerts(store, "no-daemon")) == 1


def _wait(condition, seconds: float = 5.0) -> None:
    stop = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < stop, "waited in vain"
        time.sleep(0.01)
