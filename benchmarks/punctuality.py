"""Punctuality through `campaign daemon`'s own path: N accounts with one post each due in the
same second a few seconds ahead, sent by `DaemonRunner` on the wall clock (APScheduler date
jobs, claims, sends and records as the daemon does them), sandbox latency 50 ms.

Prints p50/p99/max lateness (published_at - scheduled_at) and the wall time of the burst.
    .venv/bin/python benchmarks/punctuality.py [--accounts 500] [--workers 64] [--runs 1] \
        [--daemons 1] [--database URL | --postgres]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))

from _campaign import write_campaign  # noqa: E402
from sqlalchemy import update  # noqa: E402

from campaign.clock import SpeedClock, SystemClock  # noqa: E402
from campaign.config import CampaignConfig, load_config  # noqa: E402
from campaign.planning import store_plan  # noqa: E402
from campaign.store import PostState, Store  # noqa: E402
from campaign.store.models import PostRow  # noqa: E402
from scheduler.channels import channels_for  # noqa: E402
from scheduler.daemon import Daemon  # noqa: E402
from scheduler.runner import DaemonRunner  # noqa: E402

DAY = date(2026, 6, 1)
PLANNED = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # 10:00 BST
LEAD = timedelta(seconds=4)  # the burst falls due this long after the daemons start

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
def sandbox(path: Path, latency: float):
    """The sandbox's URLs and credentials, served from a process of its own."""
    process = subprocess.Popen(
        [sys.executable, "-c", SANDBOX_PROCESS, str(path), str(latency)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = json.loads(process.stdout.readline())
        yield {"x": ready["x"], "facebook": ready["facebook"]}, ready["environ"]
    finally:
        process.terminate()
        process.wait()


def rebased(path: Path, urls: dict[str, str]) -> CampaignConfig:
    config = load_config(path)
    accounts = {
        key: account.model_copy(update={"base_url": urls[account.platform]})
        for key, account in config.accounts.items()
    }
    return config.model_copy(update={"accounts": accounts})


def run_daemon(
    url: str, config: CampaignConfig, environ: dict, until: float, profile: bool = False
) -> None:
    """One `campaign daemon`: a DaemonRunner on the wall clock until everything is out."""
    if profile:
        profiled(run_daemon, url, config, environ, until)
        return
    store = Store.open(url, SystemClock())
    channels = channels_for(config, environ, timeout=10)
    runner = DaemonRunner(Daemon.for_config(store, config, channels, SystemClock()))
    ready = time.process_time()
    runner.start()
    try:
        while time.time() < until and store.publishing.unfinished(runner.daemon.scope):
            time.sleep(0.25)
    finally:
        runner.stop()
        print(f"daemon CPU from start to stop: {time.process_time() - ready:.2f} s", flush=True)


def profiled(work, *args) -> None:  # noqa: ANN001
    """Run `work` with cProfile on every thread; print the top functions by own time."""
    import cProfile
    import pstats
    import threading

    profiles: list[cProfile.Profile] = []

    def start(*_: object) -> None:
        profile = cProfile.Profile()
        profiles.append(profile)
        sys.setprofile(None)
        profile.enable()

    threading.setprofile(start)
    main = cProfile.Profile()
    profiles.append(main)
    main.enable()
    work(*args)
    for profile in profiles:
        profile.disable()
    stats = pstats.Stats(profiles[0])
    for profile in profiles[1:]:
        stats.add(profile)
    stats.sort_stats("tottime").print_stats(25)


def one_run(args: argparse.Namespace, url: str, folder: Path) -> list[float]:
    path = write_campaign(
        folder, accounts=args.accounts, day=DAY, time="10:00", workers=args.workers
    )
    with sandbox(path, args.latency) as (urls, environ):
        config = rebased(path, urls)
        planning = Store.open(url, SpeedClock(PLANNED - timedelta(minutes=5), 1.0))
        store_plan(config, planning, "bench")
        planning.approve(config.campaign.slug, "bench")
        # approved -> scheduled
        Daemon.for_config(planning, config, {}, planning.clock).housekeeping()
        due = (datetime.now(UTC) + LEAD).replace(microsecond=0)
        with planning.transaction() as session:  # the burst falls due a few seconds from now
            session.execute(update(PostRow).values(scheduled_at=due))
        planning.engine.dispose()
        until = time.time() + LEAD.total_seconds() + 120
        context = multiprocessing.get_context("fork")
        daemons = [
            context.Process(target=run_daemon, args=(url, config, environ, until, args.profile))
            for _ in range(args.daemons)
        ]
        for daemon in daemons:
            daemon.start()
        for daemon in daemons:
            daemon.join()
    store = Store.open(url)
    posts = store.posts(config.campaign.slug)
    store.engine.dispose()
    late = [p for p in posts if p.state != PostState.PUBLISHED]
    if late:
        raise SystemExit(f"{len(late)} posts not published: {sorted({p.state for p in late})}")
    return sorted((p.published_at - p.scheduled_at).total_seconds() for p in posts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--workers", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--daemons", type=int, default=1, help="daemon processes")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--database", help="SQLAlchemy URL (default: SQLite in a temp dir)")
    parser.add_argument(
        "--postgres", action="store_true", help="a throwaway PostgreSQL server per run"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the daemons' threads")
    args = parser.parse_args()
    for _ in range(args.runs):
        folder = Path(tempfile.mkdtemp(prefix="bench-punctuality-"))
        server = nullcontext(args.database or f"sqlite:///{folder / 'bench.db'}")
        if args.postgres:
            from tests.conftest import postgres_server

            server = postgres_server()
        with server as url:
            lateness = one_run(args, url, folder)
        p99 = lateness[min(len(lateness) - 1, int(len(lateness) * 0.99))]
        print(
            f"accounts={args.accounts} workers={args.workers} daemons={args.daemons} "
            f"latency={args.latency * 1000:.0f}ms database={url.split(':')[0]} "
            f"p50={statistics.median(lateness):.3f}s p99={p99:.3f}s max={lateness[-1]:.3f}s",
            flush=True,
        )


if __name__ == "__main__":
    main()
