"""Dashboard sessions kept on the server, so that they can be ended.

The browser's cookie holds a random token; the table holds only its SHA-256, who it belongs to
and when it started. Every request looks the token up, so signing out, a new password,
disabling a user or a new role ends every copy of the cookie at once (`end_all`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from campaign.store import Store
from campaign.store.models import UserRow, WebSessionRow


@dataclass(frozen=True)
class Live:
    """A session still in force, and whose it is."""

    user_id: int
    username: str
    role: str
    created_at: datetime
    csrf_secret: str
    started_at: datetime


@dataclass(frozen=True)
class Over:
    """Why a session no longer counts: `expired`, `disabled`, or how it was ended."""

    reason: str


def start(store: Store, user_id: int, now: datetime, address: str | None) -> tuple[str, str]:
    """A new session for the user: the token for the cookie (only its hash is stored) and the
    user's CSRF key, which the session's form tokens are made from."""
    token = secrets.token_urlsafe(32)
    with store.transaction() as session:
        user = session.get(UserRow, user_id)
        if user is None:
            raise LookupError(user_id)
        if not user.csrf_secret:
            user.csrf_secret = new_csrf_secret()
        session.add(
            WebSessionRow(
                token_hash=_digest(token), user_id=user_id, started_at=now, address=address
            )
        )
        return token, user.csrf_secret


def look_up(store: Store, token: str, now: datetime, lifetime: timedelta) -> Live | Over | None:
    """The session the token opens: `Live`, `Over` (and why), or None if there is no such one.

    Only reads, so it answers while another process holds the database's write lock.
    """
    with store.reading() as session:
        found = session.execute(
            select(WebSessionRow, UserRow)
            .join(UserRow, UserRow.id == WebSessionRow.user_id)
            .where(WebSessionRow.token_hash == _digest(token))
        ).first()
        if found is None:
            return None
        row, user = found
        if row.ended_at is not None:
            return Over(row.end_reason or "ended")
        if user.disabled:
            return Over("disabled")
        if not timedelta(0) <= now - row.started_at < lifetime:
            return Over("expired")
        secret = user.csrf_secret or ""
        return Live(user.id, user.username, user.role, user.created_at, secret, row.started_at)


def end(store: Store, token: str, now: datetime, reason: str) -> None:
    """End one session (sign-out); a token that opens none is ignored."""
    with store.transaction() as session:
        session.execute(
            update(WebSessionRow)
            .where(WebSessionRow.token_hash == _digest(token), WebSessionRow.ended_at.is_(None))
            .values(ended_at=now, end_reason=reason)
        )


def end_all(session: Session, user: UserRow, now: datetime, reason: str) -> int:
    """End every open session of `user` (in the caller's transaction) and give them a new CSRF
    key, so forms from those sessions are refused too. Returns how many were open."""
    user.csrf_secret = new_csrf_secret()
    result = session.execute(
        update(WebSessionRow)
        .where(WebSessionRow.user_id == user.id, WebSessionRow.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def new_csrf_secret() -> str:
    return secrets.token_hex(32)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
