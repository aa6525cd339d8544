"""Sessions, throttling and the sign-in record on a real PostgreSQL server (several dashboard
processes on one database is what PostgreSQL is for)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from campaign.errors import StoreError
from campaign.store import Store
from campaign.store.sign_ins import ThrottlePolicy, sign_in
from campaign.store.users import add_user, set_password
from campaign.store.web_sessions import Live, Over, look_up, start

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
PASSWORD = "correct horse battery staple"


def test_sign_in_throttle_sessions_and_record_on_postgresql(postgres_url, clock):
    stores = [Store.open(postgres_url, clock) for _ in range(2)]  # two servers
    user = add_user(stores[0], "pg-alice", PASSWORD, "approver")
    now, results = clock.now(), []

    def guess(number: int) -> None:
        store = stores[number % 2]
        results.append(
            sign_in(store, "pg-alice", f"guess {number}", "192.0.2.77", now, ThrottlePolicy())
        )

    threads = [threading.Thread(target=guess, args=(number,)) for number in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(1 for result in results if result.wait is None) == 5
    right = sign_in(stores[1], "pg-alice", PASSWORD, "192.0.2.77", now, ThrottlePolicy())
    assert right.user is None and right.wait == timedelta(minutes=1)

    token, _ = start(stores[0], user.id, now, "192.0.2.77")
    assert isinstance(look_up(stores[1], token, now, timedelta(hours=8)), Live)
    set_password(stores[1], "pg-alice", "another long passphrase")
    assert look_up(stores[0], token, now, timedelta(hours=8)) == Over("password changed")

    with pytest.raises(StoreError, match="append-only"):
        with stores[0].transaction() as session:
            session.execute(text("DELETE FROM sign_in_events"))
    for store in stores:
        store.engine.dispose()
