"""Signing in: the throttle that slows password guessing, and the record of every attempt.

Every attempt is a row in `sign_in_events` (append-only), which is both the record and the
throttle's memory, so it holds across waitress threads and across server processes.

The throttle counts failures two ways:
- by the name typed (known or not, so the answer never tells whether an account exists):
  failures since that name's last successful sign-in (or unlock);
- by the client's address: failures in the last `memory`, whatever the name (password spraying).
Past `free_failures` (or `address_free_failures`) each further failure doubles the wait, from
`first_wait` up to `longest_wait`. While a wait runs no password is checked at all: the answer
is "try again in N minutes", the same for a right or wrong password, known or unknown name.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from campaign.store import Store
from campaign.store.models import SignInEventRow, UserRow
from campaign.store.users import User, authenticate, name_key

log = logging.getLogger("campaign.sign_in")
SIGNED_IN, FAILED, THROTTLED, SIGNED_OUT, UNLOCKED = (
    "signed-in",
    "failed",
    "throttled",
    "signed-out",
    "unlocked",
)
PG_LOCK_KEY = 0x5167_6E49  # serialises throttle decisions across PostgreSQL sessions


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int = 5
    address_free_failures: int = 30
    first_wait: timedelta = timedelta(minutes=1)
    longest_wait: timedelta = timedelta(hours=1)
    memory: timedelta = timedelta(hours=24)

    def wait_after(self, failures: int, free: int) -> timedelta:
        """How long to wait after the last of `failures` failures (zero within `free`)."""
        if failures < free:
            return timedelta(0)
        doublings = min(failures - free, 20)
        factor: int = 2**doublings  # int ** int is typed Any (negative powers give floats)
        return min(self.first_wait * factor, self.longest_wait)


@dataclass(frozen=True)
class SignInResult:
    user: User | None  # signed in as this user, or None
    wait: timedelta | None = None  # set when refused by the throttle: try again after this


def sign_in(
    store: Store,
    username: str,
    password: str,
    address: str | None,
    now: datetime,
    policy: ThrottlePolicy,
    *,
    hasher: PasswordHasher | None = None,
) -> SignInResult:
    """Check the throttle, then the password, and record the attempt either way."""
    key = name_key(username)
    with store.reading() as session:
        wait = _wait(session, key, address, now, policy)
        known = _known(session, username)
    if wait:
        _record(store, THROTTLED, known, key, address, now, "waiting")
        return SignInResult(None, wait)
    user = authenticate(store, username, password, hasher=hasher) if password else None
    with store.transaction() as session:
        if store.engine.dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
        # Attempts racing this one (other threads, other servers) may have used up the free
        # failures meanwhile: decide again under the write lock, before counting this one.
        wait = _wait(session, key, address, now, policy)
        if wait:
            _add(session, THROTTLED, known, key, address, now, "waiting")
        elif user is not None:
            _add(session, SIGNED_IN, user.username, key, address, now, None)
        else:
            detail = "unknown name" if known is None else "refused"
            _add(session, FAILED, known, key, address, now, detail)
    if wait:
        _log(THROTTLED, known, address)
        return SignInResult(None, wait)
    if user is None:
        _log(FAILED, known, address)
    return SignInResult(user)


def record_sign_out(store: Store, username: str, address: str | None, now: datetime) -> None:
    _record(store, SIGNED_OUT, username, name_key(username), address, now, None)


def unlock(store: Store, username: str, now: datetime, by: str) -> None:
    """Clear the name's failures (an administrator's "let them try again now")."""
    _record(store, UNLOCKED, username, name_key(username), None, now, f"by {by}"[:100])


def recent(store: Store, *, limit: int = 50, username: str | None = None) -> list[SignInEventRow]:
    with store.reading() as session:
        query = select(SignInEventRow).order_by(SignInEventRow.id.desc()).limit(limit)
        if username is not None:
            query = query.where(SignInEventRow.username == username)
        return list(session.scalars(query))


def last_sign_ins(store: Store) -> dict[str, datetime]:
    """When each user last signed in (users who never did are absent)."""
    with store.reading() as session:
        rows = session.execute(
            select(SignInEventRow.username, func.max(SignInEventRow.at))
            .where(SignInEventRow.event == SIGNED_IN, SignInEventRow.username.is_not(None))
            .group_by(SignInEventRow.username)
        )
        return {str(name): at for name, at in rows}


def _wait(
    session: Session, key: str, address: str | None, now: datetime, policy: ThrottlePolicy
) -> timedelta | None:
    since = now - policy.memory
    reset = session.scalar(
        select(func.max(SignInEventRow.at)).where(
            SignInEventRow.name_key == key, SignInEventRow.event.in_((SIGNED_IN, UNLOCKED))
        )
    )
    waits = [_until(session, SignInEventRow.name_key == key, max(since, reset or since), policy)]
    if address is not None:
        waits.append(_until(session, SignInEventRow.address == address, since, policy, True))
    until = max((moment for moment in waits if moment is not None), default=None)
    return until - now if until is not None and until > now else None


def _until(
    session: Session,
    where: object,
    since: datetime,
    policy: ThrottlePolicy,
    by_address: bool = False,
) -> datetime | None:
    """When the failures matching `where` since `since` stop holding sign-in back (None: never
    held back)."""
    count, last = session.execute(
        select(func.count(), func.max(SignInEventRow.at)).where(
            where,  # type: ignore[arg-type]
            SignInEventRow.event == FAILED,
            SignInEventRow.at > since,
        )
    ).one()
    free = policy.address_free_failures if by_address else policy.free_failures
    if not count or count < free:
        return None
    return last + policy.wait_after(int(count), free)


def _known(session: Session, username: str) -> str | None:
    return session.scalar(select(UserRow.username).where(UserRow.username == username))


def _record(
    store: Store,
    event: str,
    username: str | None,
    key: str,
    address: str | None,
    now: datetime,
    detail: str | None,
) -> None:
    with store.transaction() as session:
        _add(session, event, username, key, address, now, detail)
    if event == THROTTLED:
        _log(event, username, address)


def _log(event: str, username: str | None, address: str | None) -> None:
    """Failed and throttled sign-ins also go to the server's log (where an operator looks)."""
    log.warning("sign-in %s: %s from %s", event, username or "an unknown name", address or "?")


def _add(
    session: Session,
    event: str,
    username: str | None,
    key: str,
    address: str | None,
    now: datetime,
    detail: str | None,
) -> None:
    session.add(
        SignInEventRow(
            at=now, event=event, username=username, name_key=key, address=address, detail=detail
        )
    )
