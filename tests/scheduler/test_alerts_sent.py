"""From the event to the inbox: a post the platform refuses sends one email and one Teams message
with the platform's words and what to do (real daemon, sandbox, SMTP server and webhook receiver
on loopback); and a webhook that hangs for its whole timeout never makes a post late.
"""

from __future__ import annotations

import socket
import threading
import time
from datetime import timedelta

from sqlalchemy import select

from campaign.alerts.service import tick
from campaign.alerts.transports import TIMEOUT
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import PostState
from campaign.store.alert_facts import WHAT_TO_DO
from campaign.store.alert_rows import AlertDeliveryRow
from scheduler.channels import channels_for
from scheduler.daemon import Daemon
from scheduler.rehearsal import sandbox_config
from scheduler.runner import DaemonRunner
from scheduler.sandbox.alert_sinks import SmtpSink, WebhookSink
from tests.alerts.conftest import HOOK_TOKEN, SMTP_PASSWORD, SMTP_USER, alerts_toml

SLUG = "stalking-awareness-week-2020"
DASHBOARD = "https://campaigns.derbyshire.local"


def _with_alerts(week, text: str) -> None:
    """Add alert channels to the week's config (and the dashboard's address to its [alerts])
    and plan it again: the channels are stored with the campaign."""
    config = week.config_path.read_text(encoding="utf-8")
    assert "\n[alerts]\n" in config
    config = config.replace("\n[alerts]\n", f'\n[alerts]\ndashboard_url = "{DASHBOARD}"\n')
    week.config_path.write_text(config + text, encoding="utf-8")
    store_plan(sandbox_config(load_config(week.config_path), week.sandbox), week.store, "officer")


def test_a_refused_post_sends_one_email_and_one_teams_message_with_the_right_content(
    week_factory,
):
    week = week_factory(blocked_phrases=("Do you know the signs",))
    with SmtpSink(credentials=(SMTP_USER, SMTP_PASSWORD)) as mail, WebhookSink() as hooks:
        _with_alerts(week, alerts_toml(mail.port))
        environ = {
            "TEST_ALERTS_SMTP_USER": SMTP_USER,
            "TEST_ALERTS_SMTP_PASSWORD": SMTP_PASSWORD,
            "TEST_ALERTS_TEAMS_URL": hooks.url(f"/teams/{HOOK_TOKEN}"),
        }
        # Tuesday's 13:00 Threads post approved too, so no approval falls due at the tick.
        week.store.approve(SLUG, "inspector", keys=["2020-04-21-facebook", "2020-04-21-threads"])
        week.run(week.daemon())
        post = week.store.posts(SLUG, keys=["2020-04-21-facebook"])[0]
        assert post.state == PostState.FAILED
        first = tick(week.store, week.clock, "daemon-1", environ)
        again = tick(week.store, week.clock, "daemon-1", environ)
        assert len(first.delivered.sent) == 2 and again.delivered.outcomes == []
        [email] = mail.received
        [teams] = hooks.messages
    message = email.message
    title = (
        "The Tuesday 12:30 BST Facebook post (Derbyshire Constabulary) failed: Facebook "
        "refused its content under the platform's rules"
    )
    assert message["Subject"] == f"[critical] Stalking Awareness Week 2020: {title}"
    body = message.get_content()
    assert f"The platform said: {post.last_error}" in body
    assert f"What to do: {WHAT_TO_DO['policy']}" in body
    assert "When: Tue 21 Apr 12:30 BST" in body
    assert f"{DASHBOARD}/c/{SLUG}/week" in body
    card = teams.json["attachments"][0]["content"]
    facts = {fact["title"]: fact["value"] for fact in card["body"][2]["facts"]}
    assert facts["The platform said"] == post.last_error
    assert card["actions"][0]["url"] == f"{DASHBOARD}/c/{SLUG}/week"


class HangingWebhook:
    """Accepts connections and never answers (until closed): a webhook that hangs."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        try:  # wakes the accept (a close alone leaves the socket listening until it returns)
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        for connection in self.accepted:
            connection.close()


def _hanging_channel(week, hook: HangingWebhook) -> dict[str, str]:
    """Give the week a webhook channel told everything, pointed at `hook`; its environment."""
    _with_alerts(
        week,
        '\n[alerts.channels.ops]\nkind = "webhook"\nseverity = "info"\nurl_env = "OPS_HOOK_URL"\n',
    )
    return {"OPS_HOOK_URL": f"http://127.0.0.1:{hook.port}/hook/{HOOK_TOKEN}"}


def test_a_hanging_webhook_never_delays_a_post_that_falls_due(week_factory):
    week = week_factory()
    hook = HangingWebhook()
    try:
        environ = _hanging_channel(week, hook)
        key = "2020-04-20-facebook"
        week.store.approve(SLUG, "inspector", keys=[key])
        due = week.store.posts(SLUG, keys=[key])[0].scheduled_at
        week.clock.set(due - timedelta(minutes=1))
        week.store.pause(SLUG, "inspector", "checking a report")  # an alert to deliver
        week.store.resume(SLUG, "inspector", "all clear")
        publishing = week.config.publishing.model_copy(update={"poll_seconds": 0.1})
        week.config = week.config.model_copy(update={"publishing": publishing})
        credentials = week.sandbox.credentials(list(week.config.accounts.values()))
        daemon = Daemon.for_config(
            week.store, week.config, channels_for(week.config, credentials), week.clock
        )
        week.daemons.append(daemon)
        runner = DaemonRunner(daemon, environ=environ)
        runner.start()
        try:
            _wait_for(lambda: bool(hook.accepted), 5)  # the alerts pass now hangs on it
            week.clock.set(due)
            took = _wait_for(lambda: week.states()[key] == PostState.PUBLISHED, TIMEOUT)
            assert took < 2.0, f"the post waited {took:.1f} s behind the hanging webhook"
            with week.store.reading() as session:  # the delivery is still waiting on it
                held = session.scalars(
                    select(AlertDeliveryRow).where(AlertDeliveryRow.lease_by == daemon.id)
                ).all()
            assert [row.state for row in held] == ["pending"]
        finally:
            hook.close()  # the hanging delivery ends now (refused), not after its timeout
            runner.stop()
        [published] = [p for p in week.store.posts(SLUG, keys=[key])]
        assert published.published_at - due < timedelta(seconds=2)
    finally:
        hook.close()


def _wait_for(condition, seconds: float) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "timed out"
        time.sleep(0.02)
    return time.monotonic() - started


def test_a_loop_asked_to_stop_sends_nothing_more_after_the_send_in_progress(week_factory):
    from campaign.alerts.service import AlertLoop

    week = week_factory()
    hook = HangingWebhook()
    try:
        environ = _hanging_channel(week, hook)
        for n in range(3):  # three alerts waiting for the hanging channel
            week.store.pause(SLUG, "inspector", f"check {n}")
            week.store.resume(SLUG, "inspector", "all clear")
            week.clock.advance(timedelta(minutes=1))
        loop = AlertLoop(week.store, week.clock, environ, interval=0.05).start()
        _wait_for(lambda: bool(hook.accepted), 5)  # the first send hangs
        loop.stopping.set()
        hook.close()  # the hanging send ends (refused); nothing more may start
        loop.stop(timeout=5)
        assert not loop.alive
        with week.store.reading() as session:
            tried = session.scalars(select(AlertDeliveryRow.attempts)).all()
        assert sorted(tried) == [0, 0, 0, 0, 0, 1]
    finally:
        hook.close()
