"""Daemon heartbeats: the first beat creates the daemon's row, later ones move it on, and two
beats racing to create it (the heartbeat job and the first sweep) never collide."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from campaign.store import Store
from campaign.store.control import heartbeat


def test_beats_create_then_update_the_daemon_row(store, clock):
    started = clock.now()
    with store.transaction() as session:
        heartbeat(session, "d1", started)
    clock.advance(timedelta(seconds=5))
    with store.transaction() as session:
        heartbeat(session, "d1", clock.now())
    clock.advance(timedelta(seconds=5))
    with store.transaction() as session:
        heartbeat(session, "d1", clock.now(), stopping=True)

    [row] = store.daemons()
    assert (row.started_at, row.heartbeat_at, row.stopped_at) == (started, *[clock.now()] * 2)


def _race_first_beats(store: Store, now) -> list[BaseException]:
    """Two transactions create the same daemon's row at once: the first holds its transaction
    open until the second has begun its beat, then commits."""
    errors: list[BaseException] = []
    first_beat = threading.Event()

    def first() -> None:
        try:
            with store.transaction() as session:
                heartbeat(session, "racer", now)
                first_beat.set()
                second_started.wait(5)
                threading.Event().wait(0.3)  # let the second beat reach the database
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            first_beat.set()

    def second() -> None:
        first_beat.wait(5)
        try:
            with store.transaction() as session:
                second_started.set()
                heartbeat(session, "racer", now + timedelta(seconds=1))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            second_started.set()

    second_started = threading.Event()
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return errors


@pytest.mark.postgres
@pytest.mark.slow
def test_racing_first_beats_on_postgresql_do_not_collide(postgres_url, clock):
    store = Store.open(postgres_url, clock)
    try:
        errors = _race_first_beats(store, clock.now())
        rows = [row for row in store.daemons() if row.id == "racer"]
    finally:
        store.engine.dispose()
    assert errors == []
    assert len(rows) == 1 and rows[0].heartbeat_at == clock.now() + timedelta(seconds=1)
