"""Alerts raised from what happens, in the event's own transaction: a failed, missed, partial or
late post, a held account, a pause and a resume each raise exactly one alert with the facts an
officer needs. Real clients over real HTTP to the sandbox, real SQLite (PostgreSQL marked).
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from campaign.errors import DuplicateContent, Permanent, PolicyBlocked, Transient
from campaign.store import Actor, PostState, Store, control
from campaign.store.alert_facts import WHAT_TO_DO, failure_kind
from campaign.store.alert_rows import AlertDeliveryRow, AlertRow
from campaign.store.outbox import AlertEvent, raise_alert
from tests.alerts.conftest import alerts

SLUG = "stalking-awareness-week-2020"
CHANNEL = """
[alerts.channels.{name}]
kind = "webhook"
url_env = "DUTY_WEBHOOK_URL"
severity = "info"
"""


def deliveries(store: Store, alert: AlertRow) -> list[str]:
    with store.reading() as session:
        query = select(AlertDeliveryRow.channel_name).where(AlertDeliveryRow.alert_id == alert.id)
        return sorted(session.scalars(query))


def _post(week, key):
    return week.store.posts(SLUG, keys=[key])[0]


def _publish_at(week, daemon, key, at):
    """Schedule `key`, then run the daemon at `at` (its time plus some lateness)."""
    week.store.approve(SLUG, "inspector", keys=[key])
    daemon.run_once()
    week.clock.set(at)
    daemon.run_once()


def test_a_post_refused_by_policy_raises_one_alert_with_the_platforms_message_and_advice(
    week_factory,
):
    week = week_factory(blocked_phrases=("Do you know the signs",))
    week.store.approve(SLUG, "inspector", keys=["2020-04-21-facebook"])
    daemon = week.daemon()
    week.run(daemon)
    post = _post(week, "2020-04-21-facebook")
    assert post.state == PostState.FAILED
    [alert] = alerts(week.store)
    assert alert.topic == "post-failed" and alert.severity == "critical"
    assert alert.key == f"post-failed:{post.id}:{post.attempts}"
    assert alert.post_id == post.id and alert.campaign_id == post.campaign_id
    # Which post, as an officer says it: the day and local time (BST), platform and account.
    assert alert.title.startswith("The Tuesday 12:30 BST Facebook post (")
    assert "refused its content under the platform's rules" in alert.title
    facts = alert.facts
    assert (facts["when"], facts["platform"], facts["post"]) == (
        "Tue 21 Apr 12:30 BST",
        "Facebook",
        "2020-04-21-facebook",
    )
    assert facts["platform_message"] == post.last_error  # Graph's own words
    assert "368" in facts["platform_message"]
    assert facts["what_to_do"] == WHAT_TO_DO["policy"]
    assert facts["link"] == f"/c/{SLUG}/week"


def test_a_thread_stopped_after_its_first_part_raises_one_partial_alert_not_a_failure(
    week_factory,
):
    week = week_factory(blocked_phrases=("spy apps",))  # only in the thread's second part
    week.store.approve(SLUG, "inspector", keys=["2020-04-21-x"])
    week.run(week.daemon())
    post = _post(week, "2020-04-21-x")
    assert post.state == PostState.PARTIAL
    [alert] = alerts(week.store)
    assert alert.topic == "post-partial"
    assert "is only partly published: 1 of 2 parts are live" in alert.title
    assert alert.facts["lines"] == [
        f"https://x.com/DerbyshirePolice/status/{post.live_part_ids[0]}"
    ]
    assert alert.facts["progress"].startswith("1 of 2 parts")
    assert "Resume publishing to send the rest" in alert.facts["what_to_do"]


def test_a_missed_post_raises_one_alert_that_says_why(week_factory):
    week = week_factory()
    daemon = week.daemon()
    post = _post(week, "2020-04-20-x")
    _publish_at(week, daemon, "2020-04-20-x", post.scheduled_at + timedelta(minutes=20))
    assert _post(week, "2020-04-20-x").state == PostState.MISSED
    daemon.run_once()  # a later sweep raises nothing more
    [alert] = alerts(week.store)
    assert alert.topic == "post-missed"
    assert alert.facts["why"] == "no daemon published it within the 15 min grace window"
    assert alert.title == (
        "The Monday 10:00 BST X post (@DerbyshirePolice) was not published: "
        "no daemon published it within the 15 min grace window"
    )


def test_a_post_approved_after_its_grace_window_is_missed_for_that_not_for_a_daemon(
    week_factory,
):
    """The daemon ran all along; the post was approved 23 minutes after its time. The alert
    must not send the duty officer looking for a dead publishing service."""
    week = week_factory()
    daemon = week.daemon()
    post = _post(week, "2020-04-20-x")
    week.clock.set(post.scheduled_at + timedelta(minutes=23))
    daemon.run_once()
    _publish_at(week, daemon, "2020-04-20-x", week.clock.now() + timedelta(seconds=5))
    assert _post(week, "2020-04-20-x").state == PostState.MISSED
    [alert] = alerts(week.store)
    assert alert.facts["why"] == "approved 23 minutes after its time, past the 15 min grace window"


def test_a_post_gone_out_later_than_late_minutes_raises_one_late_alert(week_factory):
    week = week_factory()
    daemon = week.daemon()
    on_time = _post(week, "2020-04-20-x")
    # Two minutes late is within the default `late_minutes` (5): no alert.
    _publish_at(week, daemon, on_time.key, on_time.scheduled_at + timedelta(minutes=2))
    late = _post(week, "2020-04-20-facebook")
    _publish_at(week, daemon, late.key, late.scheduled_at + timedelta(minutes=10))
    assert {_post(week, k).state for k in (on_time.key, late.key)} == {PostState.PUBLISHED}
    [alert] = alerts(week.store)
    assert alert.topic == "post-late" and alert.post_id == late.id
    assert alert.facts["late"] == "10 minutes"
    assert alert.facts["published"] == "Mon 20 Apr 12:10 BST"
    assert alert.facts["live_at"].startswith("https://www.facebook.com/")  # the post itself
    assert alert.facts["link"] == f"/c/{SLUG}/week"  # the dashboard, as its label says
    assert alert.title.startswith("The Monday 12:00 BST Facebook post (")
    assert alert.title.endswith("went out 10 minutes late")


def test_a_held_account_raises_one_alert_routed_by_every_campaign_using_it(
    week_factory, another_campaign
):
    week = week_factory(expired_token=True)
    with open(week.config_path, "a", encoding="utf-8") as config:
        config.write(CHANNEL.format(name="duty"))
    other = another_campaign("county-week", shift_days=0)
    with open(other, "a", encoding="utf-8") as config:
        config.write(CHANNEL.format(name="county-duty"))
    from campaign.config import load_config
    from campaign.planning import store_plan

    store_plan(load_config(week.config_path), week.store, "officer")
    store_plan(load_config(other), week.store, "officer")
    week.store.approve(SLUG, "inspector", day=date(2020, 4, 20))
    daemon = week.daemon()
    for minutes in (0, 1, 2):  # several sweeps over held posts: still one hold, one alert
        week.clock.set(datetime(2020, 4, 20, 9, minutes, tzinfo=UTC))
        daemon.run_once()
    [x] = [a for a in week.store.accounts(SLUG) if a.handle == "@DerbyshirePolice"]
    assert x.needs_credentials
    [alert] = alerts(week.store, "account-held")
    assert alert.title.startswith("The X account @DerbyshirePolice is held")
    assert alert.facts["platform_message"].startswith("x: HTTP 401")
    assert "Renew the account's access" in alert.facts["what_to_do"]
    assert deliveries(week.store, alert) == ["county-duty", "duty"]
    assert alerts(week.store, "post-failed") == []  # held, not failed


def test_pauses_and_resumes_raise_one_alert_each_with_who_why_and_scope(
    week_factory, another_campaign
):
    week = week_factory()
    from campaign.config import load_config
    from campaign.planning import store_plan

    store_plan(load_config(another_campaign("county-week", shift_days=0)), week.store, "officer")
    store = week.store
    store.pause(SLUG, Actor.web("insp.jones"), "critical incident in the county")
    week.clock.advance(timedelta(minutes=1))
    store.resume(SLUG, "insp.jones", "incident over")
    week.clock.advance(timedelta(minutes=1))
    store.pause(SLUG, "sgt.smith", "token leaked", account="x")  # shared by both campaigns
    week.clock.advance(timedelta(minutes=1))
    store.pause_everything("supt.khan", "force-wide incident")
    week.clock.advance(timedelta(minutes=1))
    store.resume_everything("supt.khan", "all clear")
    raised = alerts(store)
    assert [(a.topic, a.facts["scope"], a.facts["who"]) for a in raised] == [
        ("paused", "campaign", "insp.jones"),
        ("resumed", "campaign", "insp.jones"),
        ("paused", "account", "sgt.smith"),
        ("paused", "everything", "supt.khan"),
        ("resumed", "everything", "supt.khan"),
    ]
    first = raised[0]
    assert first.title == (
        "Publishing paused for the campaign Stalking Awareness Week 2020 by insp.jones: "
        "critical incident in the county"
    )
    assert first.facts["why"] == "critical incident in the county" and first.facts["via"] == "web"
    assert raised[2].facts["covers"] == (
        "the X account @DerbyshirePolice in every campaign that uses it"
    )
    assert raised[3].facts["covers"] == "every campaign on every account"
    # Each campaign's audit log recorded the account pause and the switch; one alert each.
    assert sum(1 for e in store.audit_log("county-week") if e.action == "paused") == 2


def test_a_transaction_that_rolls_back_leaves_no_alert(week_factory):
    store = week_factory().store
    with pytest.raises(RuntimeError), store.transaction() as session:
        campaign = store.campaign(SLUG, session)
        control.pause(session, campaign, "insp.jones", "incident", store.clock.now())
        session.flush()
        assert session.scalar(select(func.count()).select_from(AlertRow)) == 1  # raised...
        raise RuntimeError("the pause failed half-way")
    assert alerts(store) == []  # ...and gone with its event
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(AlertDeliveryRow)) == 0


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (
            DuplicateContent(
                "HTTP 403 Forbidden: You are not allowed to create a Tweet with duplicate content.",
                platform="x",
            ),
            "duplicate",
        ),
        (
            PolicyBlocked(
                "(#368) The action attempted has been deemed abusive", platform="facebook"
            ),
            "policy",
        ),
        (Permanent("HTTP 400 Invalid Request: Your media IDs are invalid.", platform="x"), "media"),
        (Permanent("Missing or invalid image file (code 324)", platform="facebook"), "media"),
        (Permanent("HTTP 400 Bad Request", platform="x"), "other"),
        (Transient("gave up after 8 attempts: HTTP 503", platform="x"), "other"),
    ],
)
def test_the_advice_follows_the_kind_of_refusal(week_factory, error, kind):
    """Whatever refused it, the alert says the platform's words and the advice of its kind."""
    week = week_factory()
    daemon = week.daemon()
    post = _post(week, "2020-04-20-x")
    week.store.approve(SLUG, "inspector", keys=[post.key])
    daemon.run_once()
    week.clock.set(post.scheduled_at)
    [claimed] = daemon.publisher.claim([post.id])
    assert failure_kind(error) == kind
    week.store.publishing.fail(
        claimed.id, daemon.id, week.clock.now(), error=str(error), failure=failure_kind(error)
    )
    [alert] = alerts(week.store)
    assert alert.facts["what_to_do"] == WHAT_TO_DO[kind] and alert.facts["failure"] == kind
    assert alert.facts["platform_message"] == str(error)


def test_two_daemons_publishing_one_campaign_with_failures_raise_no_duplicate_alert(week_factory):
    week = week_factory(rate_5xx=0.4, blocked_phrases=("spy apps", "Do you know"))
    week.store.approve(SLUG, "inspector")
    first, second = week.daemon("daemon-a"), week.daemon("daemon-b")
    week.clock.set(datetime(2020, 4, 20, 8, 59, tzinfo=UTC))
    for _ in range(2000):  # both step through the week together, as the real loops would
        runs = [threading.Thread(target=d.run_once) for d in (first, second)]
        for run in runs:
            run.start()
        for run in runs:
            run.join()
        upcoming = [at for at in (first.next_due(), second.next_due()) if at is not None]
        if not upcoming:
            break
        week.clock.set(max(min(upcoming), week.clock.now() + timedelta(seconds=1)))
    states = week.states()
    raised = alerts(week.store)
    by_post = {}
    for alert in raised:
        assert (alert.topic, alert.post_id) not in by_post, alert.key  # one per event
        by_post[alert.topic, alert.post_id] = alert
    ended = {
        PostState.FAILED: "post-failed",
        PostState.PARTIAL: "post-partial",
        PostState.MISSED: "post-missed",
    }
    expected = {
        (ended[PostState(state)], _post(week, key).id)
        for key, state in states.items()
        if state in ended
    }
    assert {topic for topic, _ in expected} >= {"post-failed", "post-partial"}
    assert {k for k in by_post if k[0] != "post-late"} == expected


@pytest.mark.postgres
def test_two_transactions_raising_one_event_at_once_make_one_alert_on_postgresql(postgres_url):
    """The loser of the unique key waits for the winner, then finds it raised: its own
    transaction (the event's) goes on."""
    store = Store.open(postgres_url)
    try:
        now = datetime(2020, 4, 20, 9, tzinfo=UTC)
        event = AlertEvent("no-daemon:test:never", "no-daemon", "No daemon")
        results = []
        with store.transaction() as winner:
            results.append(raise_alert(winner, [], event, now))
            winner.flush()
            loser = threading.Thread(target=lambda: results.append(_raise(store, event, now)))
            loser.start()
            loser.join(0.5)
            assert loser.is_alive()  # waits on the winner's uncommitted row
        loser.join(10)
        assert results[0] is not None and results[1] is None
        assert len(alerts(store)) == 1
    finally:
        with store.transaction() as session:
            session.execute(AlertRow.__table__.delete())
        store.engine.dispose()


def _raise(store: Store, event: AlertEvent, now: datetime) -> AlertRow | None:
    with store.transaction() as session:
        return raise_alert(session, [], event, now)


def test_the_daily_probe_holding_a_refused_token_raises_the_held_alert_before_a_post_fails(
    week_factory,
):
    week = week_factory()
    week.store.approve(SLUG, "inspector", day=date(2020, 4, 20))
    week.clock.set(datetime(2020, 4, 20, 6, 55, tzinfo=UTC))  # 07:55 BST, the post at 10:00
    daemon = week.daemon()
    daemon.run_once()
    week.sandbox.revoke_token(week.config.accounts["x"])
    daemon.probe_credentials()
    daemon.probe_credentials()  # held already: no second alert
    [alert] = alerts(week.store, "account-held")
    assert alert.created_at == datetime(2020, 4, 20, 6, 55, tzinfo=UTC)
    assert alert.title.startswith("The X account @DerbyshirePolice is held")
    assert "401" in alert.facts["platform_message"]
    assert alerts(week.store, "post-failed") == []


def test_lateness_is_judged_by_the_campaigns_own_late_minutes(week_factory):
    from campaign.config import load_config
    from campaign.planning import store_plan
    from scheduler.rehearsal import sandbox_config

    week = week_factory()
    text = week.config_path.read_text(encoding="utf-8")
    assert "\nlate_minutes = 5\n" in text  # the shipped [alerts]
    week.config_path.write_text(text.replace("\nlate_minutes = 5\n", "\nlate_minutes = 15\n"))
    store_plan(sandbox_config(load_config(week.config_path), week.sandbox), week.store, "officer")
    daemon = week.daemon()
    post = _post(week, "2020-04-20-facebook")
    _publish_at(week, daemon, post.key, post.scheduled_at + timedelta(minutes=10))
    assert _post(week, post.key).state == PostState.PUBLISHED
    assert alerts(week.store) == []  # 10 minutes late is within this campaign's 15


def test_an_alert_that_cannot_be_worded_never_undoes_its_event(week_factory, caplog):
    """A campaign row whose zone no longer reads: the pause is recorded all the same."""
    from campaign.store.models import CampaignRow

    store = week_factory().store
    with store.transaction() as session:
        session.execute(CampaignRow.__table__.update().values(timezone="Nowhere/Atlantis"))
    store.pause(SLUG, "insp.jones", "incident")
    assert store.campaign(SLUG).paused
    assert alerts(store) == []
    assert "could not word the alert of a 'paused' audit row" in caplog.text


def test_preflight_from_cron_raises_the_dead_mans_alert_once(week_factory):
    """With no daemon at all, `campaign preflight` run from cron is the watcher."""
    from click.testing import CliRunner

    from campaign.cli import main

    week = week_factory()
    week.store.approve(SLUG, "inspector", keys=["2020-04-20-x"])
    week.clock.set(datetime(2020, 4, 20, 8, 40, tzinfo=UTC))  # the post at 10:00 BST
    environ = week.sandbox.credentials(list(week.config.accounts.values()))
    for _ in range(2):
        result = CliRunner().invoke(
            main,
            ["preflight", "--database", str(week.store.engine.url), "--json"],
            env=environ,
            obj={"clock": week.clock},
        )
        assert result.exit_code == 1, result.output  # the missing daemon is a problem found
    [alert] = alerts(week.store, "no-daemon")
    assert alert.key == f"no-daemon:{alert.campaign_id}:never"
