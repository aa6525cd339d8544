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
    assert len(first.added) == 14 and not second.changed
    posts = store.posts(config.campaign.slug)
    assert posts[0].scheduled_at.isoformat() == "2020-04-20T09:00:00+00:00"
    with pytest.raises(StoreError, match="append-only"):
        with store.transaction() as session:
            session.execute(text("DELETE FROM audit_log"))
    store.engine.dispose()
