"""Punctuality: N accounts with one post each due in the same second, sandbox latency 50 ms.

Prints p50/p99/max lateness (published_at - scheduled_at) and the wall time of the burst.
    .venv/bin/python benchmarks/punctuality.py [--accounts 500] [--workers 64] [--database URL]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _campaign import write_campaign  # noqa: E402

from campaign.clock import SpeedClock  # noqa: E402
from campaign.config import load_config  # noqa: E402
from campaign.planning import store_plan  # noqa: E402
from campaign.store import PostState, Store  # noqa: E402
from scheduler.channels import channels_for  # noqa: E402
from scheduler.daemon import Daemon  # noqa: E402
from scheduler.sandbox import PlatformSandbox, SandboxSettings  # noqa: E402

DAY = date(2026, 6, 1)
DUE = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # 10:00 BST


SANDBOX_PROCESS = """
import json, sys
from campaign.config import load_config
from scheduler.sandbox import SandboxSettings, run_sandbox
accounts = list(load_config(sys.argv[1]).accounts.values())
def ready(sandbox):
    print(json.dumps({"x": sandbox.x_base_url, "facebook": sandbox.graph_base_url,
                      "environ": sandbox.credentials(accounts)}), flush=True)
run_sandbox("127.0.0.1", 0, SandboxSettings(latency_seconds=float(sys.argv[2]), seed=1),
            accounts, ready=ready)
"""


@contextmanager
def sandbox_urls(path: Path, settings: SandboxSettings, clock: SpeedClock, in_process: bool):
    """The sandbox's URLs and credentials; by default served from another process."""
    if in_process:
        with PlatformSandbox(settings, clock) as sandbox:
            accounts = list(load_config(path).accounts.values())
            urls = {"x": sandbox.x_base_url, "facebook": sandbox.graph_base_url}
            yield urls, sandbox.credentials(accounts)
        return
    process = subprocess.Popen(
        [sys.executable, "-c", SANDBOX_PROCESS, str(path), str(settings.latency_seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = json.loads(process.stdout.readline())
        yield {"x": ready["x"], "facebook": ready["facebook"]}, ready["environ"]
    finally:
        process.terminate()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--workers", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--database", help="SQLAlchemy URL (default: SQLite in a temp dir)")
    parser.add_argument(
        "--sandbox-in-process",
        action="store_true",
        help="Serve the sandbox from this process (it then competes for the GIL)",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-punctuality-"))
    path = write_campaign(
        folder, accounts=args.accounts, day=DAY, time="10:00", workers=args.workers
    )
    clock = SpeedClock(DUE - timedelta(seconds=8), 1.0)
    store = Store.open(args.database or f"sqlite:///{folder / 'bench.db'}", clock)
    settings = SandboxSettings(latency_seconds=args.latency, seed=1)
    with sandbox_urls(path, settings, clock, args.sandbox_in_process) as (urls, environ):
        config = load_config(path)
        config = config.model_copy(
            update={
                "accounts": {
                    key: account.model_copy(update={"base_url": urls[account.platform]})
                    for key, account in config.accounts.items()
                }
            }
        )
        store_plan(config, store, "bench")
        store.approve(config.campaign.slug, "bench")
        channels = channels_for(config, environ, timeout=10)
        daemon = Daemon(store, config, channels, clock)
        daemon.housekeeping()  # schedule everything before the moment comes
        clock.sleep_until(DUE)
        started = time.perf_counter()
        while True:
            daemon.run_once()
            posts = store.posts(config.campaign.slug)
            if all(p.state == PostState.PUBLISHED for p in posts):
                break
            time.sleep(0.005)
        burst = time.perf_counter() - started
        daemon.stop()
    lateness = sorted((p.published_at - p.scheduled_at).total_seconds() for p in posts)
    p99 = lateness[min(len(lateness) - 1, int(len(lateness) * 0.99))]
    print(
        f"accounts={args.accounts} workers={args.workers} latency={args.latency * 1000:.0f}ms "
        f"database={store.engine.dialect.name}"
    )
    print(
        f"lateness p50={statistics.median(lateness):.3f}s p99={p99:.3f}s "
        f"max={lateness[-1]:.3f}s; burst published in {burst:.2f}s"
    )


if __name__ == "__main__":
    main()
