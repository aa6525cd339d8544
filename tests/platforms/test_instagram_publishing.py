"""At most once on Instagram through the real daemon and the rehearsal: a lost or late answer
to `media_publish` is settled by reading the account's media before any resend."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from campaign.clock import ManualClock
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.report.dataset import load_campaign
from campaign.states import PostState
from campaign.store import Store
from scheduler.channels import channels_for
from scheduler.daemon import Daemon
from scheduler.rehearsal import rehearse, sandbox_config
from scheduler.sandbox import PlatformSandbox, SandboxSettings
from tests.platforms.instagram_support import CAPTION, image_bytes, small_campaign

SLUG = "instagram-week"
IMAGES = {
    "images/square.jpg": image_bytes(1080, 1080),
    "images/portrait.jpg": image_bytes(1080, 1350),
}


def week_posts(count: int) -> list[tuple[str, str, str, list[str]]]:
    """`count` posts over the week, every third a carousel of both images."""
    posts = []
    for n in range(count):
        files = ["images/square.jpg"] + (["images/portrait.jpg"] if n % 3 == 2 else [])
        day = f"2020-04-{20 + n % 7}"
        posts.append((day, f"{10 + n // 7}:{15 * (n % 4):02d}", f"{CAPTION} Post {n + 1}.", files))
    return posts


def run_week(
    tmp_path: Path, clock: ManualClock, settings: SandboxSettings, count: int = 6, late: int = 0
):
    """Plan, approve and publish the posts with a real daemon (the first `late` publishes
    landing late); returns the store and the double's count of each caption."""
    config_path = small_campaign(tmp_path / "week", week_posts(count), IMAGES)
    store = Store.open(f"sqlite:///{tmp_path / 'week.db'}", clock)
    sandbox = PlatformSandbox(settings, clock).start()
    sandbox.media.add_folder(tmp_path / "week" / "posts")
    sandbox.land_late("instagram", late)
    config = sandbox_config(load_config(config_path), sandbox)
    store_plan(config, store, "officer")
    store.approve(SLUG, "inspector")
    environ = sandbox.credentials(list(config.accounts.values()))
    daemon = Daemon.for_config(
        store, config, channels_for(config, environ, timeout=0.5), clock, rng=random.Random(3)
    )
    try:
        for _ in range(5000):
            daemon.run_once()
            upcoming = daemon.next_due()
            if upcoming is None:
                break
            now = clock.now()
            step = timedelta(seconds=1) if upcoming > now else timedelta(minutes=1)
            clock.set(max(upcoming, now + step))
        clock.advance(timedelta(minutes=5))  # every late post has landed
        return store, Counter(sandbox.double("instagram").published_texts())
    finally:
        daemon.pool.shutdown(wait=True)
        sandbox.stop()


def test_lost_publish_answers_are_found_not_resent(tmp_path: Path, clock: ManualClock) -> None:
    store, copies = run_week(tmp_path, clock, SandboxSettings(seed=3, rate_drop_after_create=0.5))
    try:
        posts = store.posts(SLUG)
        assert {p.state for p in posts} == {PostState.PUBLISHED}
        assert len(copies) == 6 and max(copies.values()) == 1
        found = [
            e
            for e in store.audit_log(SLUG)
            if e.action == "published" and e.details["found_by_reconciliation"]
        ]
        assert found, "no answer was lost: the test did not exercise the fault"
        assert all(p.platform_post_id for p in posts)
        assert all(p.platform_part_ids == [p.platform_post_id] for p in posts)
    finally:
        store.engine.dispose()


@pytest.mark.slow  # a week of metric offsets: about 4 s alone
def test_metrics_reach_the_snapshots_and_the_report(tmp_path: Path, clock: ManualClock) -> None:
    store, _ = run_week(tmp_path, clock, SandboxSettings(seed=5), count=3)
    try:
        posts, snapshots = store.posts_and_snapshots(SLUG)
        assert {s.post_id for s in snapshots} == {p.id for p in posts}
        later = [s for s in snapshots if s.offset == "24h"]
        assert later and all(s.status == "ok" for s in later)
        assert all({"views", "reach", "likes", "saved"} <= s.values.keys() for s in later)
        assert all("impressions" not in s.values for s in later)
        dataset = load_campaign(store, SLUG)
        row = next(r for r in dataset.rows if r.platform == "instagram" and r.impressions)
        assert row.engagements is not None and row.engagements > 0
    finally:
        store.engine.dispose()


def test_late_publishes_are_waited_for_never_resent(tmp_path: Path, clock: ManualClock) -> None:
    settings = SandboxSettings(seed=4, late_create_seconds=1.5)
    store, copies = run_week(tmp_path, clock, settings, count=4, late=2)
    try:
        assert {p.state for p in store.posts(SLUG)} == {PostState.PUBLISHED}
        assert len(copies) == 4 and max(copies.values()) == 1
        assert any(
            e.details["found_by_reconciliation"]
            for e in store.audit_log(SLUG)
            if e.action == "published"
        ), "no publish landed late: the test did not exercise the fault"
    finally:
        store.engine.dispose()


@pytest.mark.slow
def test_a_rehearsal_with_faults_publishes_every_post_exactly_once(tmp_path: Path) -> None:
    """As `campaign rehearse --faults 0.3` sets the sandbox: counted by the double."""
    config = load_config(small_campaign(tmp_path / "week", week_posts(9), IMAGES))
    store = Store.open(f"sqlite:///{tmp_path / 'rehearsal.db'}")
    settings = SandboxSettings(
        seed=13, rate_429=0.1, rate_5xx=0.1, rate_drop_after_create=0.1, throttle_reset_seconds=5
    )
    try:
        summary = rehearse(config, store, speed=1e9, settings=settings)
        assert summary.states == {PostState.PUBLISHED: 9}, summary.failed_reasons
        assert summary.sent_to_sandbox == 9 and summary.duplicates == 0
        tally = summary.platforms["instagram"]  # as the Instagram double counted them
        assert tally.expected == 9 and tally.exactly_once
        assert summary.retries > 0
        assert all(p.platform_post_id for p in store.posts(SLUG))
    finally:
        store.engine.dispose()
