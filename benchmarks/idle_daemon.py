"""Idle cost: a daemon (the real APScheduler runner) with N scheduled posts none of which is due.

Prints CPU % and RSS over the measured time.
    .venv/bin/python benchmarks/idle_daemon.py [--posts 10000] [--seconds 60]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _campaign import write_campaign  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from campaign.clock import SystemClock  # noqa: E402
from campaign.config import load_config  # noqa: E402
from campaign.planning import store_plan  # noqa: E402
from campaign.store import PostRow, PostState, Store  # noqa: E402
from scheduler.channels import channels_for  # noqa: E402
from scheduler.daemon import Daemon  # noqa: E402
from scheduler.runner import DaemonRunner  # noqa: E402


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-idle-"))
    path = write_campaign(folder, accounts=args.accounts, day=date(2026, 6, 1), time="10:00")
    config = load_config(path)
    store = Store.open(f"sqlite:///{folder / 'idle.db'}", SystemClock())
    store_plan(config, store, "bench")
    template = store.posts(config.campaign.slug)
    future = datetime.now(UTC) + timedelta(days=3)
    rows = []
    for n in range(args.posts):
        source = template[n % len(template)]
        rows.append(
            {
                "campaign_id": source.campaign_id,
                "account_id": source.account_id,
                "channel": source.channel,
                "key": f"idle-{n:06d}",
                "day": source.day,
                "day_slug": source.day_slug,
                "theme": source.theme,
                "template": source.template,
                "scheduled_at": future + timedelta(seconds=30 * n),
                "parts": [f"idle post {n}"],
                "media": [],
                "content_hash": "h",
                "approved_hash": "h",
                "approved_by": "bench",
                "state": PostState.SCHEDULED,
                "attempts": 0,
                "updated_at": datetime.now(UTC),
                "in_doubt": False,
            }
        )
    with store.transaction() as session:
        session.execute(insert(PostRow), rows)
        count = len(session.scalars(select(PostRow.id)).all())
    environ = {
        name: "x" for account in config.accounts.values() for name in account.credentials.values()
    }
    channels = channels_for(config, environ)
    runner = DaemonRunner(Daemon.for_config(store, config, channels, SystemClock()))
    runner.start()
    time.sleep(2)  # let it settle, then measure
    before, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    time.sleep(args.seconds)
    after, elapsed = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter() - wall
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / elapsed
    rss = _rss_mb()
    runner.stop()
    print(
        f"posts in database={count} scheduled={args.posts} accounts={args.accounts} "
        f"poll={config.publishing.poll_seconds}s"
    )
    print(
        f"idle over {elapsed:.0f}s: CPU {cpu * 100:.1f}% of one core, RSS {rss:.0f} MB "
        f"(peak {after.ru_maxrss / 1024:.0f} MB)"
    )


if __name__ == "__main__":
    main()
