"""The daemon's per-second questions read only the posts they are about, not the whole campaign:
a daemon with 10,000 posts scheduled for next week stays idle-cheap (benchmarks/idle_daemon.py).
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import event

SLUG = "stalking-awareness-week-2020"


def test_each_sweep_query_on_posts_searches_by_campaign_state_and_time(week_factory, tmp_path):
    week = week_factory()
    week.store.approve(SLUG, "inspector", keys=["2020-04-20-x"])  # one to schedule
    daemon = week.daemon()
    statements: list[tuple[str, tuple]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if " posts" in statement and statement.lstrip().startswith(("SELECT", "UPDATE")):
            statements.append((statement, parameters))

    event.listen(week.store.engine, "before_cursor_execute", capture)
    daemon.sweep()  # schedule approvals, misfires, sends in doubt, due posts
    event.remove(week.store.engine, "before_cursor_execute", capture)

    assert len(statements) >= 4
    database = sqlite3.connect(tmp_path / "week.db")
    for statement, parameters in statements:
        plan = [row[3] for row in database.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)]
        on_posts = [step for step in plan if " posts " in f"{step} "]
        assert on_posts, (statement, plan)
        # By the (campaign, state, time) index, or one post by its id: never every post.
        wanted = ("USING INDEX ix_posts_campaign_state_time (campaign_id=? AND state=?", "rowid=?")
        shown = (" ".join(statement.split())[:200], plan)
        assert all(any(w in step for w in wanted) for step in on_posts), shown
    database.close()
