"""The composer's live check: server time per check of a three-part X thread (target <= 100 ms).

The shipped campaign is planned into a fresh SQLite database in a temporary folder; then a
three-part thread (Tuesday's X post with a third part naming the helpline and the hashtag) is
checked `--checks` times, a character more each time as if typed:

- **core**: `check_draft(content, source)` alone, on the campaign read once (render with the
  stored templates and facts, every per-post rule, caps and duplicates against the stored posts);
- **endpoint**: `POST /api/post/check` through Flask's test client, signed in, with the CSRF
  header: reading the campaign from the database, the check, the card's HTML and the JSON, as
  the server does for each keystroke pause.

    .venv/bin/python benchmarks/live_check.py [--checks 200] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from campaign.clock import SystemClock
from campaign.config import load_config
from campaign.content.live import check_draft
from campaign.content.source import join_parts
from campaign.planning import store_plan
from campaign.store import Store
from campaign.store.users import add_user
from campaign.web import create_app

REPO = Path(__file__).resolve().parents[1]
SLUG = "stalking-awareness-week-2020"
KEY = "2020-04-21-x"
THIRD = "Worried about someone? Call {{ helplines.stalking.number }} {{ campaign.hashtag }}"
PASSWORD = "benchmark password 0123456789"


def _figures(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config = load_config(REPO / "config.toml")
        store = Store.open(f"sqlite:///{Path(folder) / 'bench.db'}", SystemClock())
        store_plan(config, store, "bench")
        add_user(store, "olly", PASSWORD, "officer")

        content = store.content(SLUG)
        source = content.sources[KEY]
        parts = [*source.parts_text(), THIRD]
        core = []
        for n in range(args.checks):
            typed = replace(source, text=join_parts([*parts[:2], parts[2] + " ." * (n % 40)]))
            started = time.perf_counter()
            live = check_draft(content, typed)
            core.append(time.perf_counter() - started)
        assert len(live.parts) == 3, live.findings

        app = create_app(config, store, secret_key="benchmark-secret-key-0123456789")
        client = app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert token
        client.post(
            "/login", data={"username": "olly", "password": PASSWORD, "csrf_token": token.group(1)}
        )
        page = client.get(f"/post/{KEY}/edit").text
        header = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert header
        endpoint = []
        for n in range(args.checks):
            body = {
                "key": KEY,
                "channel": "x",
                "date": "2020-04-21",
                "time": "10:00",
                "parts": [*parts[:2], parts[2] + " ." * (n % 40)],
                "images": [],
            }
            started = time.perf_counter()
            answer = client.post(
                "/api/post/check", json=body, headers={"X-CSRFToken": header.group(1)}
            )
            endpoint.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text
        store.engine.dispose()
    result = {"checks": args.checks, "core": _figures(core), "endpoint": _figures(endpoint)}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"live check of a three-part X thread, {args.checks} checks each")
        for name in ("core", "endpoint"):
            figures = result[name]
            assert isinstance(figures, dict)
            print(
                f"  {name:9} median {figures['median_ms']:7.2f} ms   p95 "
                f"{figures['p95_ms']:7.2f} ms   max {figures['max_ms']:7.2f} ms"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
