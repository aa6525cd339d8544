"""A pair (one post per language on separate accounts) is one unit: published in the
configured order in one sweep, paused together, held and alerted when one fails, approved and
withdrawn together; Bluesky and Mastodon are told each post's language. Real clients over real
HTTP to the sandbox, real SQLite, a ManualClock shared by the daemon and the sandbox.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select

from campaign.clock import ManualClock
from campaign.config import load_config
from campaign.fingerprints import short_hash
from campaign.planning import store_plan
from campaign.store import PostState, Store
from campaign.store.approvals import PairIncomplete
from campaign.store.models import AccountRow
from campaign.store.pairs import pair_status
from campaign.store.review import OwnWork
from scheduler.channels import channels_for
from scheduler.daemon import Daemon
from scheduler.rehearsal import sandbox_config
from scheduler.sandbox import PlatformSandbox, SandboxSettings
from tests.alerts.conftest import alerts
from tests.campaign.review_helpers import revise
from tests.conftest import fresh_database

SLUG = "hate-crime-awareness-week-2026"
X_CY, X_EN = "2026-10-12-x-cy", "2026-10-12-x-en"
BSKY_CY, BSKY_EN = "2026-10-12-bluesky-cy", "2026-10-12-bluesky-en"
MASTODON = "2026-10-12-mastodon"
DUE = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)  # 10:00 BST

# A Welsh force's day: an X pair (one account per language), a Bluesky pair, and one
# bilingual post each on Facebook and Mastodon (Welsh first).
CONFIG = """\
[campaign]
name = "Wythnos Ymwybyddiaeth Troseddau Casineb 2026"
slug = "hate-crime-awareness-week-2026"
organisation = "Heddlu Gogledd Cymru"
hashtag = "#HateCrimeAwarenessWeek"
start = 2026-10-10
end = 2026-10-17
timezone = "Europe/London"

[languages]
order = ["cy", "en"]
hashtags = { cy = "#WythnosYmwybyddiaethTroseddauCasineb", en = "#HateCrimeAwarenessWeek" }
pairs = { x = { cy = "x-cymraeg", en = "x-english" }, \
bluesky = { cy = "bluesky-cymraeg", en = "bluesky-english" } }

[accounts.x-cymraeg]
platform = "x"
name = "Heddlu Gogledd Cymru"
handle = "@HeddluGogCymru"
[accounts.x-cymraeg.credentials]
consumer_key = "CY_KEY"
consumer_secret = "CY_SECRET"
access_token = "CY_TOKEN"
access_token_secret = "CY_TOKEN_SECRET"
[accounts.x-english]
platform = "x"
name = "North Wales Police"
handle = "@NWPolice"
[accounts.x-english.credentials]
consumer_key = "EN_KEY"
consumer_secret = "EN_SECRET"
access_token = "EN_TOKEN"
access_token_secret = "EN_TOKEN_SECRET"
[accounts.facebook]
platform = "facebook"
name = "Heddlu Gogledd Cymru / North Wales Police"
page_id = "204857361209511"
[accounts.facebook.credentials]
page_access_token = "FB_TOKEN"
[accounts.bluesky-cymraeg]
platform = "bluesky"
name = "Heddlu Gogledd Cymru"
handle = "heddlugogcymru.bsky.social"
base_url = "https://bsky.social"
[accounts.bluesky-cymraeg.credentials]
app_password = "BSKY_CY"
[accounts.bluesky-english]
platform = "bluesky"
name = "North Wales Police"
handle = "nwpolice.bsky.social"
base_url = "https://bsky.social"
[accounts.bluesky-english.credentials]
app_password = "BSKY_EN"
[accounts.mastodon]
platform = "mastodon"
name = "Heddlu Gogledd Cymru / North Wales Police"
handle = "@nwpolice@mastodon.social"
base_url = "https://mastodon.social"
[accounts.mastodon.credentials]
access_token = "MASTO"

[helplines.emergency]
name = "Emergency"
number = "999"
purpose = "immediate danger"

[[days]]
date = 2026-10-12
slug = "day1"
theme = "Report it"
posts = [
  { channel = "x", time = "10:00", templates = { cy = "day1/x.cy.j2", en = "day1/x.en.j2" } },
  { channel = "facebook", time = "11:00", \
templates = { cy = "day1/facebook.cy.j2", en = "day1/facebook.en.j2" } },
  { channel = "bluesky", time = "10:00", \
templates = { cy = "day1/bsky.cy.j2", en = "day1/bsky.en.j2" } },
  { channel = "mastodon", time = "10:00", \
templates = { cy = "day1/bsky.cy.j2", en = "day1/bsky.en.j2" } },
]
"""
# The Welsh text carries the English hashtag too, as the week's posts in Wales often do.
WELSH = (
    "Mewn argyfwng, ffoniwch {{ helplines.emergency.number }}. {{ campaign.hashtag }} "
    "#HateCrimeAwarenessWeek\n"
)
ENGLISH = "In an emergency, call {{ helplines.emergency.number }}. {{ campaign.hashtag }}\n"
TEMPLATES = {
    "x.cy.j2": WELSH,
    "x.en.j2": ENGLISH,
    "facebook.cy.j2": WELSH,
    "facebook.en.j2": ENGLISH,
    "bsky.cy.j2": "Rhowch wybod. " + WELSH,
    "bsky.en.j2": "Report it. " + ENGLISH,
}


def write_campaign(folder: Path) -> Path:
    """The bilingual sample campaign (config.toml and posts/day1/), written afresh."""
    (folder / "posts" / "day1").mkdir(parents=True)
    for name, text in TEMPLATES.items():
        (folder / "posts" / "day1" / name).write_text(text, encoding="utf-8")
    path = folder / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


class Pairs:
    """The campaign planned in a fresh store, a running sandbox, and its daemon."""

    def __init__(
        self, tmp_path: Path, clock: ManualClock, database: str | None = None, **faults: object
    ) -> None:
        self.clock = clock
        clock.set(DUE - timedelta(days=3))
        self.path = write_campaign(tmp_path / "campaign")
        self.store = Store.open(database or f"sqlite:///{tmp_path / 'pairs.db'}", clock)
        self.sandbox = PlatformSandbox(SandboxSettings(seed=5, **faults), clock)  # type: ignore[arg-type]
        self.sandbox.start()
        self.config = sandbox_config(load_config(self.path), self.sandbox)
        store_plan(self.config, self.store, "officer")
        environ = self.sandbox.credentials(list(self.config.accounts.values()))
        channels = channels_for(self.config, environ, timeout=2.0)
        self.daemon = Daemon.for_config(
            self.store, self.config, channels, clock, rng=random.Random(3)
        )

    def post(self, key: str):
        return self.store.posts(SLUG, keys=[key])[0]

    def audit(self, key: str, action: str) -> list:
        """The audit rows of one post's `action`, oldest first."""
        post_id = self.post(key).id
        rows = self.store.audit_log(SLUG)
        return [e for e in rows if e.post_id == post_id and e.action == action]

    def fingerprints(self, *keys: str) -> dict[str, str]:
        return {key: short_hash(self.post(key).content_hash) for key in keys}

    def approve_all(self) -> None:
        self.store.approve(SLUG, "inspector")
        self.daemon.run_once()  # scheduled

    def at(self, moment: datetime) -> None:
        self.clock.set(moment)

    def close(self) -> None:
        self.daemon.pool.shutdown(wait=True)
        self.sandbox.stop()
        self.store.engine.dispose()


@pytest.fixture
def pairs(tmp_path, clock):
    made: list[Pairs] = []

    def make(database: str | None = None, **faults: object) -> Pairs:
        made.append(Pairs(tmp_path, clock, database, **faults))
        return made[-1]

    yield make
    for each in made:
        each.close()


def alerts_of(week: Pairs, key: str) -> list:
    post_id = week.post(key).id
    return [alert for alert in alerts(week.store, "post-failed") if alert.post_id == post_id]


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Whether `condition` came true within `seconds` (the daemon's workers send on their own
    threads; the clock is manual, so only real time passes here)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_the_welsh_post_goes_first_and_the_english_follows_in_the_same_sweep(pairs):
    week = pairs()
    week.approve_all()
    week.at(DUE)
    # The long-running daemon's sweep: the English post is not due until the Welsh one is
    # recorded, and then it is claimed at once, not at the next sweep.
    week.daemon.sweep()
    assert wait_for(lambda: week.post(X_EN).state == PostState.PUBLISHED)
    assert wait_for(lambda: len(week.daemon.in_flight) == 0)
    cy, en = week.post(X_CY), week.post(X_EN)
    assert cy.state == en.state == PostState.PUBLISHED
    assert cy.published_at <= en.published_at
    summary = pair_status(week.store.pair(SLUG, X_CY)).summary
    assert summary == "Published in Cymraeg (Welsh) and English, in that order."
    ids = {cy.id: X_CY, en.id: X_EN}
    claims = [e for e in week.store.audit_log(SLUG) if e.action in ("claimed", "published")]
    order = [(e.action, ids[e.post_id]) for e in claims if e.post_id in ids]
    assert order == [
        ("claimed", X_CY),
        ("published", X_CY),
        ("claimed", X_EN),
        ("published", X_EN),
    ]
    # On the platform: each text once, on its own account, Welsh first.
    tweets = {t.text: t for t in week.sandbox.x.tweets}
    welsh, english = tweets[cy.parts[0]], tweets[en.parts[0]]
    assert int(welsh.id) < int(english.id)


def test_run_once_sends_the_whole_pair_in_one_call_in_order(pairs):
    week = pairs()
    week.approve_all()
    week.at(DUE)
    report = week.daemon.run_once()
    assert week.post(X_CY).state == week.post(X_EN).state == PostState.PUBLISHED
    assert week.post(BSKY_EN).state == PostState.PUBLISHED
    assert report.outcomes["published"] == 5  # two pairs and the bilingual Mastodon post
    assert week.post(X_CY).published_at <= week.post(X_EN).published_at


def test_while_the_welsh_post_waits_to_retry_the_english_is_not_due_on_its_own(pairs):
    week = pairs(rate_5xx=1.0)  # every platform answers 500: each first language retries later
    week.approve_all()
    week.at(DUE)
    week.daemon.run_once()
    assert week.post(X_CY).state == week.post(X_EN).state == PostState.SCHEDULED
    assert week.post(X_CY).attempts == 1 and week.post(X_EN).attempts == 0
    # What a rehearsal sleeps towards is the Welsh post's retry, not the English post's own
    # (past) time: that would wake it at once, again and again, with nothing to send.
    upcoming = week.daemon.next_due()
    assert upcoming is not None and upcoming > DUE
    assert upcoming <= week.post(X_CY).next_attempt_at


def test_pausing_the_english_account_holds_the_welsh_post_too(pairs):
    week = pairs()
    week.approve_all()
    week.store.pause(SLUG, "inspector", "account compromised", account="x-english")
    week.at(DUE)
    week.daemon.run_once()
    assert week.post(X_CY).state == week.post(X_EN).state == PostState.SCHEDULED
    assert week.sandbox.x.tweets == []
    # The other pair, on accounts not paused, goes out as usual.
    assert week.post(BSKY_CY).state == week.post(BSKY_EN).state == PostState.PUBLISHED
    week.store.resume(SLUG, "inspector", "secured", account="x-english")
    week.daemon.run_once()
    assert week.post(X_CY).state == week.post(X_EN).state == PostState.PUBLISHED


def test_a_pause_of_the_english_account_after_the_welsh_post_was_claimed_stops_it(pairs):
    week = pairs()
    week.approve_all()
    week.at(DUE)
    api, cy = week.store.publishing, week.post(X_CY)
    [claimed] = api.acquire("daemon-a", [cy.id], DUE)
    week.store.pause(SLUG, "inspector", "account compromised", account="x-english")
    # Right before the create, the daemon asks whether to stop: the pair is paused together.
    why = api.attempting(claimed.id, "daemon-a", DUE)
    assert why == "the x-english account of its pair is paused (account compromised)"


def test_a_credentials_hold_on_the_welsh_account_holds_the_english_post(pairs):
    week = pairs()
    week.approve_all()
    with week.store.transaction() as session:
        account = session.scalars(select(AccountRow).where(AccountRow.key == "x-cymraeg")).one()
        account.needs_credentials = True
    week.at(DUE)
    week.daemon.run_once()
    assert week.post(X_EN).state == PostState.SCHEDULED
    assert week.sandbox.x.tweets == []


def test_when_the_welsh_post_is_refused_the_english_is_held_failed_with_an_alert(pairs):
    week = pairs(blocked_phrases=("Mewn argyfwng",))  # X refuses the Welsh text
    week.approve_all()
    week.at(DUE)
    week.daemon.run_once()  # the Welsh post is refused: a permanent failure
    week.daemon.run_once()  # housekeeping holds its English partner
    cy, en = week.post(X_CY), week.post(X_EN)
    assert cy.state == PostState.FAILED
    assert en.state == PostState.FAILED
    assert en.last_error.startswith(
        f"Not sent: its Cymraeg (Welsh) post ({X_CY}) failed, and a pair goes out together"
    )
    assert [t.text for t in week.sandbox.x.tweets] == []  # English never went out alone
    status = pair_status(week.store.pair(SLUG, X_EN))
    assert status.keys == (X_CY, X_EN) and status.states == ("failed", "failed")
    assert status.summary.startswith(f"Not sent: its Cymraeg (Welsh) post ({X_CY}) failed.")
    held = week.audit(X_EN, "failed")
    assert [e.details["failure"] for e in held] == ["pair"]
    assert held[0].details["previous_state"] == PostState.SCHEDULED
    raised = {a.post_id: a for a in alerts(week.store) if a.topic == "post-failed"}
    assert en.id in raised and cy.id in raised
    alert = raised[en.id]
    assert "held back because the other language's post of its pair did not go out" in (alert.title)
    assert alert.facts["platform_message"] == en.last_error
    assert X_EN in week.daemon.totals.held


def test_an_edit_to_the_welsh_post_requeues_the_pair_and_both_go_out(pairs):
    week = pairs(blocked_phrases=("Mewn argyfwng",))
    week.approve_all()
    week.at(DUE)
    week.daemon.run_once()
    week.daemon.run_once()
    assert week.post(X_EN).state == PostState.FAILED
    template = week.path.parent / "posts" / "day1" / "x.cy.j2"

    def plan_and_approve_the_pair() -> None:
        week.config = sandbox_config(load_config(week.path), week.sandbox)
        store_plan(week.config, week.store, "officer")
        assert week.post(X_CY).state == week.post(X_EN).state == PostState.DRAFT
        prints = week.fingerprints(X_CY, X_EN)
        week.store.approve(SLUG, "sergeant", keys=[X_CY, X_EN], expected=prints)

    # A first change X still refuses: the English post is held again, and alerted again.
    template.write_text(WELSH.replace("ffoniwch", "ffoniwch ar unwaith"))
    plan_and_approve_the_pair()
    week.at(DUE + timedelta(minutes=5))
    week.daemon.run_once()
    week.daemon.run_once()
    assert week.post(X_CY).state == week.post(X_EN).state == PostState.FAILED
    assert len(alerts_of(week, X_EN)) == 2
    # The force fixes the Welsh text and plans again: the held English post comes back with
    # it (clear_partners), and one approval of the pair sends both.
    template.write_text(
        "Os oes perygl, ffoniwch {{ helplines.emergency.number }}. {{ campaign.hashtag }} "
        "#HateCrimeAwarenessWeek\n"
    )
    plan_and_approve_the_pair()
    week.daemon.run_once()
    assert week.post(X_CY).state == week.post(X_EN).state == PostState.PUBLISHED


def test_a_failure_after_the_welsh_went_out_names_the_pair(pairs):
    week = pairs(blocked_phrases=("In an emergency",))
    week.approve_all()
    week.at(DUE)
    week.daemon.run_once()
    cy, en = week.post(X_CY), week.post(X_EN)
    assert cy.state == PostState.PUBLISHED and en.state == PostState.FAILED
    assert f"its Cymraeg (Welsh) post ({X_CY}) is already published" in en.last_error
    [alert] = [a for a in alerts(week.store) if a.post_id == en.id]
    assert X_CY in alert.facts["platform_message"]


def test_approving_one_post_of_a_pair_alone_is_refused_naming_the_other(pairs):
    week = pairs()
    prints = week.fingerprints(X_CY, X_EN)
    with pytest.raises(PairIncomplete) as refused:
        week.store.approve(SLUG, "inspector", keys=[X_CY], expected={X_CY: prints[X_CY]})
    assert f"approve it with {X_EN}@{prints[X_EN]}" in str(refused.value)
    assert f"{X_CY} is one of a pair" in str(refused.value)
    with pytest.raises(PairIncomplete):  # naming it without a fingerprint too
        week.store.approve(SLUG, "inspector", keys=[X_EN])
    assert week.post(X_CY).state == week.post(X_EN).state == PostState.DRAFT


def test_approving_both_with_their_hashes_approves_the_pair(pairs):
    week = pairs()
    prints = week.fingerprints(X_CY, X_EN)
    status = pair_status(week.store.pair(SLUG, X_EN))  # what a page shows and its form posts
    assert status.keys == (X_CY, X_EN) and status.languages == ("cy", "en")
    assert status.fingerprints == (prints[X_CY], prints[X_EN])
    assert status.summary == (
        "Waiting for approval: approve the Cymraeg (Welsh) and English posts together."
    )
    result = week.store.approve(SLUG, "inspector", keys=[X_CY, X_EN], expected=prints)
    assert sorted(result.changed) == [X_CY, X_EN]
    assert week.post(X_CY).state == week.post(X_EN).state == PostState.APPROVED
    # A stale fingerprint for either refuses both.
    stale = {**week.fingerprints(BSKY_CY, BSKY_EN), BSKY_EN: "0" * 8}
    with pytest.raises(Exception, match=BSKY_EN):
        week.store.approve(SLUG, "inspector", keys=[BSKY_CY, BSKY_EN], expected=stale)
    assert week.post(BSKY_CY).state == PostState.DRAFT


def test_approving_the_day_takes_the_pair_together_and_withdrawing_one_withdraws_both(pairs):
    week = pairs()
    week.store.approve(SLUG, "inspector", day=DUE.date())
    assert week.post(X_CY).state == week.post(X_EN).state == PostState.APPROVED
    result = week.store.withdraw(SLUG, "inspector", "wrong number", keys=[X_EN])
    assert sorted(result.changed) == [X_CY, X_EN]
    assert week.post(X_CY).state == week.post(X_EN).state == PostState.DRAFT


def test_the_two_person_rule_holds_for_the_pair(pairs):
    week = pairs()
    week.approve_all()
    # The sergeant changes the English text in the dashboard: the Welsh one is not theirs,
    # but the pair's approval is cleared and they may not approve it.
    revise(week.store, SLUG, X_EN, "sergeant")
    assert week.post(X_CY).state == week.post(X_EN).state == PostState.DRAFT
    prints = week.fingerprints(X_CY, X_EN)
    with pytest.raises(OwnWork):
        week.store.approve(SLUG, "sergeant", keys=[X_CY, X_EN], expected=prints)
    result = week.store.approve(SLUG, "sergeant", day=DUE.date())
    assert X_CY in result.skipped and X_EN in result.skipped
    assert "other post of its pair" in result.skipped[X_CY]
    assert week.post(X_CY).state == week.post(X_EN).state == PostState.DRAFT
    assert result.changed == []


def test_an_edit_to_one_post_clears_the_approval_of_both(pairs):
    week = pairs()
    week.approve_all()
    assert week.post(X_CY).state == PostState.SCHEDULED
    template = week.path.parent / "posts" / "day1" / "x.en.j2"
    template.write_text(
        "Call {{ helplines.emergency.number }} in an emergency. {{ campaign.hashtag }}\n"
    )
    store_plan(sandbox_config(load_config(week.path), week.sandbox), week.store, "officer")
    assert week.post(X_EN).state == week.post(X_CY).state == PostState.DRAFT
    assert week.post(X_CY).approved_hash is None
    [cleared] = week.audit(X_CY, "approval-cleared")
    assert cleared.details["reason"] == "the other language changed"
    assert week.post(BSKY_CY).state == PostState.SCHEDULED  # another pair: untouched


def test_bluesky_and_mastodon_are_told_each_posts_language(pairs):
    week = pairs()
    week.approve_all()
    week.at(DUE)
    week.daemon.run_once()
    bluesky = week.sandbox.double("bluesky")
    cy_records = bluesky.posts_of(week.config.accounts["bluesky-cymraeg"])
    en_records = bluesky.posts_of(week.config.accounts["bluesky-english"])
    assert [r.langs for r in cy_records] == [["cy"]]
    assert [r.langs for r in en_records] == [["en"]]
    [status] = week.sandbox.double("mastodon").statuses
    assert status.language == "cy"  # a bilingual post: its first text's language


@pytest.mark.postgres
def test_on_postgresql_the_pair_goes_in_order_and_waits_for_a_paused_partner(pairs, postgres_url):
    """The claim's gate (EXISTS over the pair, inside FOR UPDATE SKIP LOCKED) on PostgreSQL."""
    week = pairs(fresh_database(postgres_url, "pairs_gate"), blocked_phrases=("Mewn argyfwng",))
    week.approve_all()
    week.store.pause(SLUG, "inspector", "account compromised", account="bluesky-english")
    week.at(DUE)
    week.daemon.run_once()
    week.daemon.run_once()
    assert week.post(BSKY_CY).state == week.post(BSKY_EN).state == PostState.SCHEDULED
    assert week.post(X_CY).state == PostState.FAILED  # refused: its English is held
    assert week.post(X_EN).state == PostState.FAILED
    assert "Cymraeg (Welsh)" in week.post(X_EN).last_error
    week.store.resume(SLUG, "inspector", "secured", account="bluesky-english")
    week.daemon.run_once()
    cy, en = week.post(BSKY_CY), week.post(BSKY_EN)
    assert cy.state == en.state == PostState.PUBLISHED and cy.published_at <= en.published_at


def test_the_pair_gate_reads_the_unit_index_and_a_post_alone_by_its_usual_index(pairs, tmp_path):
    week = pairs()
    week.approve_all()
    week.at(DUE)
    statements: list[tuple[str, tuple]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if "earlier_post" in statement or "partner_post" in statement:
            statements.append((statement, parameters))

    event.listen(week.store.engine, "before_cursor_execute", capture)
    week.daemon.housekeeping()
    week.daemon.due()
    event.remove(week.store.engine, "before_cursor_execute", capture)
    assert len(statements) >= 3  # misfires, pairs to hold, due posts
    database = sqlite3.connect(tmp_path / "pairs.db")
    for statement, parameters in statements:
        plan = [row[3] for row in database.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)]
        partners = [step for step in plan if "earlier_post" in step or "partner_post" in step]
        assert partners and all("USING INDEX ix_posts_campaign_unit" in s for s in partners), plan
        outer = [step for step in plan if step.startswith(("SEARCH posts", "SCAN posts"))]
        assert all("ix_posts_campaign_state_time" in step for step in outer), plan
        assert not any("TEMP B-TREE" in step for step in plan), plan
    database.close()
