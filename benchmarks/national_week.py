"""A national week: every force runs the demo week on its own accounts, in one PostgreSQL
database, published by two daemon processes given only the database, time accelerated.

43 forces x 14 posts (each force's own X account and Facebook Page, its own handle, page id
and credential variable names; every force's posts due at the same moments), each force its
own campaign planned with `campaign plan`, approved, then published against the loopback
sandbox by two `python -m scheduler --database URL` processes on a shared accelerated clock.
Prints the plan time (all plans and each), whether every post is on the platforms exactly once
(counted on the sandbox's side), p50/p99/max lateness and the wall time; exit 1 if any post
is missing or duplicated.
    .venv/bin/python benchmarks/national_week.py [--forces 43] [--speed 2000] \
        [--database URL] [--daemons 2] [--workers 16] [--poll 0.1] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import AbstractContextManager, ExitStack, nullcontext
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))

from _daemons import daemons, exited, ready_before  # noqa: E402
from _forces import Force, forces, write_forces  # noqa: E402
from _tally import Late, Spread, Tally, by_moment, lateness, tally  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from campaign.clock import Clock, SpeedClock, SystemClock  # noqa: E402
from campaign.config import load_config  # noqa: E402
from campaign.store import PostState, Store  # noqa: E402
from campaign.store.models import CampaignRow, MetricSnapshotRow, PostRow  # noqa: E402
from scheduler.sandbox import PlatformSandbox, SandboxSettings  # noqa: E402

CAMPAIGN = Path(sys.executable).with_name("campaign")
ACTOR = "national-benchmark"
UNSETTLED = {PostState.APPROVED, PostState.SCHEDULED, PostState.PUBLISHING, PostState.PARTIAL}
BAD_INPUT = 2


class LaterClock:
    """The sandbox's clock: the wall clock until the run's accelerated clock is set (the
    sandbox must listen before the configs naming its address are planned)."""

    def __init__(self) -> None:
        self.clock: Clock = SystemClock()

    def now(self) -> datetime:
        return self.clock.now()


def database(url: str | None) -> AbstractContextManager[str]:
    """The given database, or a throwaway PostgreSQL server as the tests start one."""
    if url:
        return nullcontext(url)
    from tests.conftest import postgres_server

    return postgres_server()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def plan_all(configs: list[tuple[Force, Path]], url: str) -> tuple[list[float], list[float]]:
    """Run `campaign plan` for each force as an officer would; the wall and CPU seconds each
    took (CPU varies less with the machine's load)."""
    environ = {**os.environ, "CAMPAIGN_DATABASE_URL": url}
    seconds, cpu = [], []
    for force, path in configs:
        started, used = time.perf_counter(), _children_cpu()
        done = subprocess.run(
            [str(CAMPAIGN), "plan", "--config", str(path), "--by", ACTOR],
            env=environ,
            capture_output=True,
            text=True,
        )
        seconds.append(time.perf_counter() - started)
        cpu.append(_children_cpu() - used)
        if done.returncode != 0:
            raise SystemExit(
                f"campaign plan for {force.name} exited {done.returncode}:\n"
                f"{done.stdout[-3000:]}{done.stderr[-3000:]}"
            )
    return seconds, cpu


def unsettled(store: Store, slugs: list[str]) -> Counter[str]:
    """Posts of these campaigns by state, in one query."""
    with store.reading() as session:
        rows = session.execute(
            select(PostRow.state, func.count())
            .join(CampaignRow)
            .where(CampaignRow.slug.in_(slugs))
            .group_by(PostRow.state)
        )
        return Counter({state.value: count for state, count in rows})


def snapshot_count(store: Store, slugs: list[str]) -> int:
    """Engagement snapshots the daemons collected for these campaigns' posts."""
    with store.reading() as session:
        query = (
            select(func.count())
            .select_from(MetricSnapshotRow)
            .join(PostRow)
            .join(CampaignRow)
            .where(CampaignRow.slug.in_(slugs))
        )
        return int(session.scalar(query) or 0)


def publish(
    args: argparse.Namespace,
    url: str,
    slugs: list[str],
    sandbox: PlatformSandbox,
    later: LaterClock,
    environ: dict[str, str],
    folder: Path,
) -> dict[str, Any]:
    """Approve every campaign, then let the daemons publish the week; wait until it settles."""
    store = Store.open(url)
    try:
        for slug in slugs:
            store.approve(slug, ACTOR)
        due = [p.scheduled_at for slug in slugs for p in store.posts(slug)]
        first, last = min(due), max(due)
        # Sim time `first - 1 minute` arrives `--lead` real seconds from now: the daemons start
        # meanwhile (before it, their clock reads earlier, when nothing is due).
        clock = SpeedClock(first - timedelta(minutes=1), args.speed, time.time() + args.lead)
        later.clock = clock
        end_real = clock.origin + (last - clock.start).total_seconds() / args.speed
        cpu: list[float] = []
        with daemons(args.daemons, url, clock, environ, folder, cpu) as processes:
            ready_before(store, processes, clock.origin)
            shown = 0.0
            while True:
                states = unsettled(store, slugs)
                waiting = sum(states[s.value] for s in UNSETTLED)
                if not waiting:
                    break
                if time.time() > end_real + args.patience:
                    print(f"gave up waiting: {dict(states)}", flush=True)
                    break
                if any(exited(p) for p in processes):
                    print("a daemon exited early", flush=True)
                    break
                if time.time() - shown >= 15:
                    shown = time.time()
                    print(f"  {clock.now():%a %d %b %H:%M} UTC (accelerated): {dict(states)}")
                time.sleep(0.5)
            settled_at = time.time()
        posts = [(slug, post) for slug in slugs for post in store.posts(slug)]
        snapshots = snapshot_count(store, slugs)
        publishers = Counter(
            entry.actor
            for slug in slugs
            for entry in store.audit_log(slug)
            if entry.action == "published"
        )
    finally:
        store.engine.dispose()
    return {
        "posts": posts,
        "publish_seconds": settled_at - clock.origin,  # from the week's start to the end
        "daemon_cpu_seconds": cpu,
        "daemon_exit_codes": [p.returncode for p in processes],
        "simulated_span": (last - first).total_seconds(),
        "snapshots": snapshots,
        "published_by": sorted(publishers.values(), reverse=True),
    }


def machine(url: str) -> dict[str, Any]:
    store = Store.open(url)
    try:
        with store.reading() as session:
            version = session.execute(text("select version()")).scalar()
    finally:
        store.engine.dispose()
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "database": str(version).split(",")[0],
        "load_average": [round(n, 1) for n in os.getloadavg()],
    }


def _tenths(values: list[float]) -> str:
    """Each value, first ten then last ten, to see whether planning slows as the database
    fills."""
    shown = [f"{v:.2f}" for v in values]
    if len(shown) > 20:
        shown = [*shown[:10], "...", *shown[-10:]]
    return " ".join(shown)


def report(args: argparse.Namespace, figures: dict[str, Any], counted: Tally) -> None:
    plans: list[float] = figures["plan_seconds"]
    late = Spread.of(figures["lateness"])
    real = late.scaled(1 / args.speed)
    print(
        f"forces={args.forces} posts={counted.posts} parts={counted.parts} "
        f"daemons={args.daemons} speed={args.speed:g} machine={figures['machine']}\n"
        f"plan: {sum(plans):.1f} s for {len(plans)} campaigns "
        f"(each: median {Spread.of(plans).p50:.2f} s, min {min(plans):.2f} s, "
        f"max {max(plans):.2f} s; first {plans[0]:.2f} s, last {plans[-1]:.2f} s); CPU each: "
        f"{_tenths(figures['plan_cpu'])}\n"
        f"on the platforms: {counted.once} of {counted.posts} posts exactly once, "
        f"{len(counted.duplicated)} duplicated, {len(counted.missing)} missing, "
        f"{counted.unexpected} unexpected records, refused creates {dict(counted.refused_creates)}"
        f"; database states {dict(counted.states)}\n"
        f"lateness (published_at - scheduled_at), real seconds: p50 {real.p50:.3f} "
        f"p99 {real.p99:.3f} max {real.max:.3f}; accelerated seconds (x{args.speed:g}): "
        f"p50 {late.p50:.0f} p99 {late.p99:.0f} max {late.max:.0f}\n"
        f"publishing: {figures['publish_seconds']:.1f} s real for "
        f"{figures['simulated_span'] / 3600:.1f} h accelerated; daemons' CPU "
        f"{', '.join(f'{c:.1f}' for c in figures['daemon_cpu_seconds'])} s, exit codes "
        f"{figures['daemon_exit_codes']}, posts published by each "
        f"{figures['published_by']}; {figures['snapshots']} engagement snapshots; "
        f"wall time {figures['wall_seconds']:.1f} s",
        flush=True,
    )
    moments(figures["late"], args.speed)
    for name in (counted.duplicated + counted.missing)[:20]:
        print(f"  not exactly once: {name}")


def moments(late: list[Late], speed: float) -> None:
    """Lateness of the posts due at each moment, in real seconds."""
    print("due (UTC)         posts  parts  images  p50 s  max s  (real seconds)")
    for due, items in by_moment(late).items():
        spread = Spread.of([item.seconds / speed for item in items])
        print(
            f"{due:%a %d %b %H:%M}  {len(items):5d}  {sum(i.parts for i in items):5d}  "
            f"{sum(i.images for i in items):6d}  {spread.p50:5.2f}  {spread.max:5.2f}"
        )


def run(args: argparse.Namespace, url: str, folder: Path) -> tuple[dict[str, Any], Tally]:
    store = Store.open(url)
    try:
        existing = [c.slug for c in store.campaigns()]
    finally:
        store.engine.dispose()
    if existing:
        raise SystemExit(
            f"the database already holds {len(existing)} campaigns ({', '.join(existing[:3])}"
            "...): the daemons would publish them too; give an empty database"
        )
    later = LaterClock()
    settings = SandboxSettings(seed=43, latency_seconds=args.latency)
    with PlatformSandbox(settings=settings, clock=later) as sandbox:
        urls = {"x": sandbox.x_base_url, "facebook": sandbox.graph_base_url}
        configs = write_forces(
            folder,
            args.forces,
            urls,
            speed=args.speed,
            workers=args.workers,
            poll_seconds=args.poll,
        )
        accounts = [a for _, path in configs for a in load_config(path).accounts.values()]
        environ = sandbox.credentials(accounts)
        print(f"planning {len(configs)} campaigns in {folder}", flush=True)
        plan_seconds, plan_cpu = plan_all(configs, url)
        slugs = [force.slug for force, _ in configs]
        print(f"publishing with {args.daemons} daemons at x{args.speed:g}", flush=True)
        figures = publish(args, url, slugs, sandbox, later, environ, folder)
        counted = tally(figures["posts"], sandbox)
    late = lateness(figures.pop("posts"))
    figures.update(plan_seconds=plan_seconds, plan_cpu=plan_cpu, late=late, machine=machine(url))
    figures["lateness"] = [item.seconds for item in late]
    return figures, counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forces", type=int, default=43, help="how many forces (1 to 43)")
    parser.add_argument("--speed", type=float, default=2000, help="accelerated clock's speed")
    parser.add_argument(
        "--database", help="an empty database's SQLAlchemy URL (default: a throwaway PostgreSQL)"
    )
    parser.add_argument("--daemons", type=int, default=2, help="daemon processes")
    parser.add_argument("--workers", type=int, default=16, help="[publishing] workers")
    parser.add_argument("--poll", type=float, default=0.1, help="[publishing] poll_seconds")
    parser.add_argument("--latency", type=float, default=0.05, help="sandbox seconds a request")
    parser.add_argument("--lead", type=float, default=8.0, help="real seconds to start daemons")
    parser.add_argument(
        "--patience", type=float, default=120.0, help="real seconds to wait after the last post"
    )
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()
    try:
        forces(args.forces)
    except ValueError as exc:
        parser.exit(BAD_INPUT, f"error: {exc}\n")
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="bench-national-"))
    with ExitStack() as stack:
        try:
            url = stack.enter_context(database(args.database))
        except RuntimeError as exc:  # no PostgreSQL server binaries
            parser.exit(BAD_INPUT, f"error: {exc}; or give --database URL\n")
        figures, counted = run(args, url, folder)
    figures["wall_seconds"] = time.perf_counter() - started
    report(args, figures, counted)
    if args.json:
        late = Spread.of(figures["lateness"])
        print(
            json.dumps(
                {
                    "forces": args.forces,
                    "posts": counted.posts,
                    "parts": counted.parts,
                    "exactly_once": counted.once,
                    "duplicated": counted.duplicated,
                    "missing": counted.missing,
                    "unexpected": counted.unexpected,
                    "refused_creates": counted.refused_creates,
                    "states": counted.states,
                    "plan_seconds": figures["plan_seconds"],
                    "plan_cpu_seconds": figures["plan_cpu"],
                    "lateness_seconds": None if not figures["lateness"] else vars(late),
                    "speed": args.speed,
                    "wall_seconds": figures["wall_seconds"],
                    "daemon_exit_codes": figures["daemon_exit_codes"],
                    "published_by": figures["published_by"],
                }
            )
        )
    clean = all(code == 0 for code in figures["daemon_exit_codes"])
    sys.exit(0 if counted.exactly_once and clean else 1)


if __name__ == "__main__":
    main()
