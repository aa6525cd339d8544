"""End to end: a post the platform refuses for good, in the real daemon against the sandbox,
sends one email and one Teams message naming the post and the platform's own words."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from campaign.alerts.delivery import deliver_due
from campaign.clock import ManualClock
from campaign.states import PostState
from scheduler.sandbox import SandboxSettings
from scheduler.sandbox.alert_sinks import SmtpSink, WebhookSink
from tests.alerts.conftest import SLUG
from tests.scheduler.conftest import Week

MONDAY_X = "2020-04-20-x"  # 10:00 in London
# A phrase of its text, which the sandbox's X refuses by policy.
REFUSED = "Today is the start of Stalking Awareness Week"


def test_a_post_refused_by_the_platform_sends_one_email_and_one_teams_message(
    campaign_dir: Path,
    alerting_config: Path,
    tmp_path: Path,
    clock: ManualClock,
    mail: SmtpSink,
    hooks: WebhookSink,
    alerts_environ,
):
    week = Week(campaign_dir, tmp_path, clock, SandboxSettings(seed=11, blocked_phrases=(REFUSED,)))
    try:
        store = week.store
        [post] = store.posts(SLUG, keys=[MONDAY_X])
        text = " ".join(str(part) for part in post.parts)
        assert REFUSED.lower() in text.lower(), "the refused phrase is no longer in the post"
        store.approve(SLUG, "inspector", keys=[MONDAY_X])
        daemon = week.daemon()
        clock.set(post.scheduled_at)
        week.run(daemon, until=post.scheduled_at + timedelta(minutes=30))
        [post] = store.posts(SLUG, keys=[MONDAY_X])
        assert post.state == PostState.FAILED

        for _ in range(2):  # the delivery loop, twice: still once
            deliver_due(store, clock, "alerts-1", alerts_environ)
            clock.advance(timedelta(minutes=1))
    finally:
        week.close()

    [email] = mail.messages  # one email, however often the loop runs
    subject, body = email["Subject"], email.get_content()
    assert subject.startswith("[critical] Stalking Awareness Week 2020: The Monday 10:00 BST X ")
    assert "failed" in subject
    assert "Post: 2020-04-20-x" in body
    assert "The platform said: x: HTTP 403 Forbidden: You are not permitted" in body
    assert "What to do: " in body

    [teams] = [call for call in hooks.messages if call.path.startswith("/teams/")]
    assert len(hooks.messages) == 1  # the test-only channels were not sent it
    assert teams.header("Idempotency-Key").endswith("/comms-teams")
    card = teams.json["attachments"][0]["content"]
    assert card["body"][0]["text"] == subject.split(": ", 1)[1]
    [facts] = [block["facts"] for block in card["body"] if block["type"] == "FactSet"]
    said = {fact["title"]: fact["value"] for fact in facts}
    assert "You are not permitted" in said["The platform said"]
    assert said["Post"] == MONDAY_X
