"""At most once on Threads through the real daemon and the rehearsal: a publish whose answer
is lost or late is looked for before any resend, and a thread stopped part way goes on from
the next part, each post counted once by the Threads double."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import PostState, Store
from scheduler.channels import channels_for
from scheduler.daemon import Daemon
from scheduler.rehearsal import rehearse, sandbox_config
from scheduler.sandbox import PlatformSandbox, SandboxSettings
from tests.platforms.threads_support import threads_campaign, threads_double

SLUG = "stalking-awareness-week-2020"
TEXTS = 5  # an image post, a text post, a thread of three parts


def _run(daemon: Daemon, clock, until: datetime) -> None:
    """Step from one due moment to the next, as the daemon's loop would."""
    for _ in range(2000):
        daemon.run_once()
        upcoming = daemon.next_due()
        if upcoming is None or upcoming > until:
            clock.set(max(until, clock.now()))
            daemon.run_once()
            return
        now = clock.now()
        clock.set(max(upcoming, now + timedelta(seconds=1)))
    raise AssertionError("the days did not finish")


def test_late_publishes_are_found_on_the_account_never_sent_twice(campaign_dir, tmp_path, clock):
    config_path = threads_campaign(campaign_dir)
    clock.set(datetime(2020, 4, 19, 12, 0, tzinfo=UTC))
    store = Store.open(f"sqlite:///{tmp_path / 'threads.db'}", clock)
    settings = SandboxSettings(seed=5, late_create_seconds=1.0)
    with PlatformSandbox(settings, clock) as sandbox:
        config = sandbox_config(load_config(config_path), sandbox)
        sandbox.media.add_folder(config.posts_dir)
        store_plan(config, store, "officer")
        store.approve(SLUG, "inspector")
        environ = sandbox.credentials(list(config.accounts.values()))
        channels = channels_for(config, environ, timeout=0.5)
        daemon = Daemon.for_config(store, config, channels, clock, rng=random.Random(3))
        # The image post, and the thread's second part, land a second after the client gave up.
        sandbox.land_late("threads", 1)
        _run(daemon, clock, datetime(2020, 4, 20, 12, 0, tzinfo=UTC))
        thread_start = datetime(2020, 4, 21, 9, 0, 0, tzinfo=UTC)
        _run(daemon, clock, thread_start - timedelta(seconds=1))
        double = threads_double(sandbox)
        original = double.creates

        def late_second_part(request):  # the second publish of the thread lands late
            creates = original(request)
            if creates and sum(p.reply_to_id is not None for p in double.posts.values()) == 0:
                if any(p.text.startswith("Know the signs") for p in double.posts.values()):
                    sandbox.land_late("threads", 1)
            return creates

        double.creates = late_second_part  # type: ignore[method-assign]
        _run(daemon, clock, datetime(2020, 4, 22, 12, 0, tzinfo=UTC))
        daemon.pool.shutdown(wait=True)
        states = {post.key: post.state for post in store.posts(SLUG)}
        copies = Counter(double.published_texts())
        posts = list(double.posts.values())
    store.engine.dispose()
    assert set(states.values()) == {PostState.PUBLISHED}
    assert sum(copies.values()) == TEXTS and max(copies.values()) == 1
    replies = [p for p in posts if p.reply_to_id]
    assert len(replies) == 2 and replies[1].reply_to_id == replies[0].id
    found = [
        e
        for e in store.audit_log(SLUG)
        if e.action == "published" and e.details.get("found_by_reconciliation")
    ]
    # Both late publishes were found by looking, the thread's from its second part on.
    # The image post was found whole; the thread's late second part was found, and the
    # resend went on from its third part (each text once, above).
    assert len(found) == 1
    late = [p for p in posts if p.visible_at > p.created_at]
    assert len(late) == 2 and late[1] is replies[0]


def test_a_rehearsal_with_faults_publishes_every_threads_post_once(campaign_dir, tmp_path):
    config = load_config(threads_campaign(campaign_dir))
    store = Store.open(f"sqlite:///{tmp_path / 'rehearsal.db'}")
    faults = SandboxSettings(seed=3, rate_429=0.1, rate_5xx=0.1, rate_drop_after_create=0.1)
    summary = rehearse(config, store, speed=1e9, settings=faults)
    store.engine.dispose()
    assert summary.states == {PostState.PUBLISHED: 3}, summary.failed_reasons
    assert summary.sent_to_sandbox == TEXTS and summary.duplicates == 0
    tally = summary.platforms["threads"]  # as the Threads double counted them
    assert (tally.expected, tally.once, tally.duplicates) == (TEXTS, TEXTS, 0)
    assert summary.retries > 0, "no fault hit: the seed no longer exercises the faults"
