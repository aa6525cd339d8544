"""Build throwaway campaigns for the benchmarks: many accounts, posts due together."""

from __future__ import annotations

from datetime import date
from pathlib import Path


def write_campaign(
    folder: Path,
    *,
    accounts: int,
    day: date,
    time: str,
    x_url: str = "http://127.0.0.1:9",
    graph_url: str = "http://127.0.0.1:9",
    workers: int = 64,
    poll_seconds: float = 1.0,
) -> Path:
    """A one-day campaign: half the accounts on X, half on Facebook, one post each at `time`."""
    (folder / "posts" / "bench").mkdir(parents=True, exist_ok=True)
    (folder / "posts" / "bench" / "x.j2").write_text(
        "Benchmark post from {{ post.channel }}. Call {{ helplines.police.number }}.\n"
        "{{ campaign.hashtag }}"
    )
    (folder / "posts" / "bench" / "facebook.j2").write_text(
        "Benchmark page post from {{ post.channel }}. Call {{ helplines.police.number }}.\n"
        "{{ campaign.hashtag }}"
    )
    lines = [
        "[campaign]",
        'name = "Benchmark Week"',
        'slug = "benchmark-week"',
        'organisation = "Benchmark Force"',
        'hashtag = "#BenchmarkWeek"',
        f"start = {day}",
        f"end = {day}",
        'timezone = "Europe/London"',
        "[checks]",
        "min_reading_ease = 0",
        "[publishing]",
        f"workers = {workers}",
        f"poll_seconds = {poll_seconds}",
        "request_timeout_seconds = 5",
        "[helplines.police]",
        'name = "Police"',
        'number = "101"',
        'purpose = "non-emergency"',
    ]
    posts = []
    for n in range(accounts):
        key = f"a{n:04d}"
        if n % 2 == 0:
            lines += [
                f"[accounts.{key}]",
                'platform = "x"',
                f'name = "Force {n} on X"',
                f'handle = "@force{n}"',
                'tier = "basic"',
                f'base_url = "{x_url}"',
                f"[accounts.{key}.credentials]",
                f'consumer_key = "B{n}_CK"',
                f'consumer_secret = "B{n}_CS"',
                f'access_token = "B{n}_AT"',
                f'access_token_secret = "B{n}_ATS"',
            ]
            template = "bench/x.j2"
        else:
            lines += [
                f"[accounts.{key}]",
                'platform = "facebook"',
                f'name = "Force {n}"',
                f'page_id = "{900000 + n}"',
                f'base_url = "{graph_url}"',
                f"[accounts.{key}.credentials]",
                f'page_access_token = "B{n}_FB"',
            ]
            template = "bench/facebook.j2"
        posts.append(f'  {{ channel = "{key}", time = "{time}", template = "{template}" }},')
    lines += ["[[days]]", f"date = {day}", 'slug = "bench"', 'theme = "Benchmark"', "posts = ["]
    lines += posts + ["]"]
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    return path
