"""Planning at scale: render and check a 10,000-post campaign, in-process and from the CLI.

The campaign (made in a temporary folder) uses the shipped week's templates for
`--days` × `--accounts` × `--per-day` posts, half on X and half on Facebook. It prints the
best and worst of `--repeat` runs of each step, then times `campaign check` and
`campaign check --json` as a user runs them (output to a pipe, as in a script or CI log).
    .venv/bin/python benchmarks/plan_at_scale.py [--days 10] [--accounts 100] [--per-day 10]
        [--repeat 3] [--profile] [--in-process]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _campaign import write_week  # noqa: E402

from campaign.checks import run_checks  # noqa: E402
from campaign.config import load_config  # noqa: E402
from campaign.render import render_plan  # noqa: E402

CAMPAIGN = Path(sys.executable).with_name("campaign")


def _timed(repeat: int, step: Callable[[], Any]) -> tuple[list[float], list[float], Any]:
    """Wall and CPU seconds of each of `repeat` runs of `step`, and its last result. On a busy
    machine the CPU seconds vary less than the wall-clock ones."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        started, used = time.perf_counter(), time.process_time()
        result = step()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    return times, cpu, result


def _spread(times: list[float]) -> str:
    return f"{min(times):.2f} s (worst {max(times):.2f} s of {len(times)})"


def _cli(repeat: int, *args: str) -> tuple[list[float], int, int]:
    """Wall seconds of each run of `campaign ARGS` (stdout to a pipe), exit code, output lines."""
    times, code, lines = [], 0, 0
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run([str(CAMPAIGN), *args], capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        code, lines = done.returncode, done.stdout.count("\n")
    return times, code, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--per-day", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print where render+check spend")
    parser.add_argument("--in-process", action="store_true", help="skip the CLI timings")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-plan-"))
    path = write_week(
        folder, days=args.days, accounts=args.accounts, per_day=args.per_day, start=date(2027, 3, 1)
    )
    load_times, _, config = _timed(args.repeat, lambda: load_config(path))
    render_times, render_cpu, posts = _timed(args.repeat, lambda: render_plan(config))
    check_times, check_cpu, report = _timed(args.repeat, lambda: run_checks(posts, config))
    both = [r + c for r, c in zip(render_times, check_times, strict=True)]
    cpu = [r + c for r, c in zip(render_cpu, check_cpu, strict=True)]
    rules = Counter(finding.rule for finding in report.findings)
    print(f"campaign in {folder}: {len(posts)} posts, {len(report.findings)} findings")
    print(f"findings by rule: {dict(rules)}")
    print(f"load config   {_spread(load_times)}")
    print(f"render        {_spread(render_times)}")
    print(f"check         {_spread(check_times)}")
    print(f"render+check  {_spread(both)}; CPU {_spread(cpu)}")
    cli_runs = () if args.in_process else (("", ()), (" --json", ("--json",)))
    for label, extra in cli_runs:
        times, code, lines = _cli(args.repeat, "check", "--config", str(path), *extra)
        print(f"campaign check{label:<8} {_spread(times)}, exit {code}, {lines} lines of output")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(lambda: run_checks(render_plan(config), config))
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
