"""The month calendar and the pause page's shared accounts on a real PostgreSQL server."""

from __future__ import annotations

import pytest

from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import Store
from campaign.store.users import add_user
from campaign.web import create_app
from tests.web.conftest import SECOND, second_campaign

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
SLUG = "stalking-awareness-week-2020"


def test_calendar_and_shared_accounts_on_postgresql(
    postgres_url, clock, campaign_dir, tmp_path, web
):
    store = Store.open(postgres_url, clock)
    config = load_config(campaign_dir / "config.toml")
    store_plan(config, store, "olly")
    store_plan(load_config(second_campaign(campaign_dir, tmp_path / "road")), store, "olly")
    add_user(store, "pg-ollie", web.password, "approver")
    web.app = create_app(config, store, secret_key="k" * 32)
    client = web.sign_in("pg-ollie")
    month = client.get("/calendar?month=2020-04").text
    monday = month.split('data-day="2020-04-20"')[1].split("</td>")[0]
    assert "Road Safety Week 2020" in monday and "Stalking Awareness Week 2020" in monday
    pause = client.get(f"/c/{SECOND}/control/pause").text
    assert "used by Road Safety Week 2020, Stalking Awareness Week 2020" in pause
    store.engine.dispose()
