"""Metrics sweep: N published posts (half on X, half on Facebook) read through the real clients.

Prints the API calls made per platform and the seconds taken.
    .venv/bin/python benchmarks/metrics_sweep.py [--posts 1000] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from campaign.clock import ManualClock
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import PostRow, PostState, Store
from scheduler.channels import channels_for
from scheduler.deployment import LiveDeployment, given_channels
from scheduler.metrics import MetricsCollector
from scheduler.rehearsal import sandbox_config
from scheduler.sandbox import PlatformSandbox, SandboxSettings

CONFIG = Path(__file__).resolve().parents[1] / "config.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-metrics-"))
    clock = ManualClock(datetime(2020, 4, 19, tzinfo=UTC))
    store = Store.open(f"sqlite:///{folder / 'metrics.db'}", clock)
    settings = SandboxSettings(latency_seconds=args.latency, seed=4)
    with PlatformSandbox(settings, clock) as sandbox:
        config = sandbox_config(load_config(CONFIG), sandbox)
        store_plan(config, store, "bench")
        template = {p.account.platform: p for p in store.posts(config.campaign.slug)}
        username = config.accounts["x"].handle.lstrip("@")
        page_id = config.accounts["facebook"].page_id
        environ = sandbox.credentials(list(config.accounts.values()))
        rows = []
        published = datetime(2020, 4, 20, 9, tzinfo=UTC)
        for n in range(args.posts):
            platform = "x" if n % 2 == 0 else "facebook"
            if platform == "x":
                record_id = sandbox.x.add_tweet(username, f"post {n}", created_at=published).id
            else:
                record_id = sandbox.facebook.add_post(page_id, f"post {n}", created_at=published).id
            source = template[platform]
            rows.append(
                {
                    "campaign_id": source.campaign_id,
                    "account_id": source.account_id,
                    "channel": source.channel,
                    "key": f"sweep-{n:05d}",
                    "day": source.day,
                    "day_slug": source.day_slug,
                    "theme": source.theme,
                    "template": source.template,
                    "scheduled_at": published,
                    "parts": [f"post {n}"],
                    "media": [],
                    "content_hash": "h",
                    "approved_hash": "h",
                    "state": PostState.PUBLISHED,
                    "attempts": 1,
                    "updated_at": published,
                    "published_at": published,
                    "platform_post_id": record_id,
                    "platform_part_ids": [record_id],
                    "in_doubt": False,
                }
            )
        with store.transaction() as session:
            session.execute(insert(PostRow), rows)
        clock.set(published + timedelta(days=1))
        factory = given_channels(config, channels_for(config, environ))
        deployment = LiveDeployment.from_config(store, config, factory=factory)
        collector = MetricsCollector(store, deployment, clock)
        x_before, fb_before = len(sandbox.x.requests), len(sandbox.facebook.requests)
        started = time.perf_counter()
        report = collector.collect_now()
        seconds = time.perf_counter() - started
        x_calls = len(sandbox.x.requests) - x_before
        fb_calls = len(sandbox.facebook.requests) - fb_before
    half = math.ceil(args.posts / 2)
    print(
        f"posts={args.posts} (X {half}, Facebook {args.posts - half}) "
        f"latency={args.latency * 1000:.0f}ms snapshots={report.snapshots}"
    )
    print(
        f"X calls={x_calls} (ceil(N/100)={math.ceil(half / 100)}), "
        f"Facebook calls={fb_calls} (ceil(N/50)={math.ceil((args.posts - half) / 50)}), "
        f"{seconds:.2f}s"
    )
    for account, why in report.skipped_accounts.items():
        print(f"{account}: {why}")


if __name__ == "__main__":
    main()
