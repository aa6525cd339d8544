"""The store on a real PostgreSQL server: migrations, plan sync and the append-only audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from campaign.config import load_config
from campaign.errors import StoreError
from campaign.render import render_plan
from campaign.store import Store

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_plan_on_postgresql_is_idempotent_and_audit_is_append_only(
    postgres_url, campaign_dir, clock
):
    store = Store.open(postgres_url, clock)
    Store.open(postgres_url, clock).engine.dispose()  # migrating twice is harmless
    config = load_config(campaign_dir / "config.toml")
    first = store.sync_plan(config, render_plan(config), "officer")
    second = store.sync_plan(config, render_plan(config), "officer")
    assert len(first.added) == 23 and not second.changed
    posts = store.posts(config.campaign.slug)
    assert posts[0].scheduled_at.isoformat() == "2020-04-20T09:00:00+00:00"
    with pytest.raises(StoreError, match="append-only"):
        with store.transaction() as session:
            session.execute(text("DELETE FROM audit_log"))
    store.engine.dispose()


def test_plans_racing_approvals_never_leave_an_approval_on_unseen_text(
    postgres_url, campaign_dir, clock
):
    """Real threads on a real server: one stores the plan again and again with a template
    flipping between two texts, another approves what it last read. Every approval recorded is
    for the text it read, and no post is left 'approved' for text other than its own."""
    import threading
    import time

    from campaign.errors import ContentChanged
    from campaign.planning import store_plan

    store = Store.open(postgres_url, clock)
    config = load_config(campaign_dir / "config.toml")
    slug, key = config.campaign.slug, "2020-04-20-x"
    store_plan(config, store, "officer")
    template = campaign_dir / "posts/what-stalking-is/x.j2"
    texts = [template.read_text(), template.read_text().replace("Today is", "This week is")]
    stop = time.monotonic() + 4
    errors: list[BaseException] = []

    def planner() -> None:
        try:
            flip = 0
            while time.monotonic() < stop:
                flip ^= 1
                template.write_text(texts[flip])
                store_plan(config, store, "officer")
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    thread = threading.Thread(target=planner)
    thread.start()
    approved = refused = 0
    while time.monotonic() < stop:
        [row] = store.posts(slug, keys=[key])
        if row.state != "draft":
            store.withdraw(slug, "approver", "next round", keys=[key])
            continue
        try:
            store.approve(slug, "approver", keys=[key], expected={key: row.content_hash})
            approved += 1
        except ContentChanged:
            refused += 1
        [after] = store.posts(slug, keys=[key])
        assert after.state != "approved" or after.approved_hash == after.content_hash
    thread.join()
    assert not errors
    entries = [e for e in store.audit_log(slug) if e.action == "approved"]
    assert all(e.details["content_hash"] == e.details["shown_hash"] for e in entries)
    assert approved and len(entries) == approved
    store.engine.dispose()
