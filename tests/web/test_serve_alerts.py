"""`campaign serve` runs the alerts loop for its database: with every daemon dead and a post
due, the dashboard's process raises the dead man's alert; Ctrl-C stops the loop with the server.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store.alert_rows import AlertRow
from campaign.store.models import PostRow

CAMPAIGN = [sys.executable, "-c", "from campaign.cli import main; main()"]
SLUG = "stalking-awareness-week-2020"


@pytest.mark.slow
def test_serve_raises_the_dead_mans_alert_when_no_daemon_runs(campaign_dir, tmp_path, store):
    store_plan(load_config(campaign_dir / "config.toml"), store, "officer")
    store.approve(SLUG, "inspector", keys=["2020-04-20-x"])
    soon = datetime.now(UTC) + timedelta(minutes=10)  # the real clock: serve runs on it
    with store.transaction() as session:
        session.execute(
            update(PostRow).where(PostRow.key == "2020-04-20-x").values(scheduled_at=soon)
        )
    database = str(store.engine.url)
    env = {**os.environ, "CAMPAIGN_DATABASE_URL": database, "CAMPAIGN_WEB_SECRET": "s" * 40}
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [*CAMPAIGN, "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        raised: list[AlertRow] = []
        deadline = time.time() + 60  # Python and Flask start slowly on a busy machine
        while time.time() < deadline and server.poll() is None:
            with store.reading() as session:
                raised = list(
                    session.scalars(select(AlertRow).where(AlertRow.topic == "no-daemon"))
                )
            if raised:
                break
            time.sleep(0.1)
        [alert] = raised
        assert alert.key.endswith(":never") and "will not go out" in alert.title
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl-C
        output, _ = server.communicate(timeout=15)
    assert "Traceback" not in output
