"""Trying a write again while the database is busy, for the few actions that must get through.

A pause is the one thing an officer does in an incident; if another writer holds SQLite's lock
(or PostgreSQL is restarting) it waits and tries again, with growing, jittered waits, until it
wins or its patience runs out. Only `DatabaseBusy` is retried: any other error is final.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

from campaign.errors import DatabaseBusy

T = TypeVar("T")
FIRST_WAIT = 0.05  # seconds
LONGEST_WAIT = 2.0
# PostgreSQL SQLSTATEs worth another go: serialization failure, deadlock, lock not available,
# the server shutting down or not yet accepting connections.
PG_BUSY = {"40001", "40P01", "55P03", "57P01", "57P03"}


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means "locked or away for now" rather than "wrong"."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in PG_BUSY:
        return True
    text = str(orig).lower()
    return "database is locked" in text or "database table is locked" in text or "busy" in text


def while_busy(
    action: Callable[[], T],
    *,
    patience: float,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> T:
    """`action()`, tried again on `DatabaseBusy` until `patience` seconds have passed.

    The last `DatabaseBusy` is raised if it never got through.
    """
    deadline = monotonic() + patience
    wait = FIRST_WAIT
    while True:
        try:
            return action()
        except DatabaseBusy:
            left = deadline - monotonic()
            if left <= 0:
                raise
            sleep(min(left, wait * random.uniform(0.5, 1.0)))
            wait = min(wait * 2, LONGEST_WAIT)
