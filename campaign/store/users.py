"""Users of the web dashboard, their roles, and what each role may do.

Roles (a user has exactly one):

    officer   see the week and publishing status; update the stored plan from the templates;
              see results and download exports
    approver  everything an officer may, and approve / withdraw approval, pause / resume
    analyst   see results and download exports
    admin     everything an approver may, and manage users in the browser (`/admin/users`)

Passwords are kept only as Argon2id hashes (argon2-cffi's `PasswordHasher`, its default,
RFC 9106 low-memory parameters); a hash made with older parameters is upgraded at the next
successful sign-in. Users are created with `campaign users add`, or by an admin on the user
admin page.

Every change to a user (added, disabled, enabled, new role, new password) is recorded with who
made it, beside the sign-ins in `sign_in_events` (`campaign users sign-ins` lists them). The last
enabled admin cannot be disabled or given another role, and nobody can disable themselves: a
dashboard with users always keeps someone who can manage them.

A new password, disabling a user and a new role each end every session the user has open
(`web_sessions.end_all`): whoever holds a copy of their cookie is signed out at once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.errors import CampaignError
from campaign.roles import CAPABILITIES, CAPABILITY_TEXT, ROLES
from campaign.store import Store
from campaign.store.models import SignInEventRow, UserRow
from campaign.store.web_sessions import end_all, new_csrf_secret

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # a passphrase, not a file: hashing megabytes on demand is a DoS
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
HASHER = PasswordHasher()
ADMIN = "admin"
# Changes to users, recorded in sign_in_events beside the sign-ins (the event column: 20 chars).
ADDED, DISABLED, ENABLED, ROLE_CHANGED, PASSWORD_SET = (
    "user-added",
    "user-disabled",
    "user-enabled",
    "role-changed",
    "password-set",
)
CHANGES = (ADDED, DISABLED, ENABLED, ROLE_CHANGED, PASSWORD_SET)


class UserError(CampaignError):
    """A user cannot be created or changed as asked (bad name, role or password; exists)."""

    exit_code = 2

    def __init__(self, message: str, *, page: str | None = None) -> None:
        super().__init__(message)
        self.page = page  # the words for the users page, where command lines do not help

    def for_page(self) -> str:
        return self.page or str(self)


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    created_at: datetime
    disabled: bool

    def can(self, capability: str) -> bool:
        return not self.disabled and capability in CAPABILITIES.get(self.role, frozenset())


def add_user(
    store: Store,
    username: str,
    password: str,
    role: str,
    *,
    hasher: PasswordHasher | None = None,
    by: str = "command line",
) -> User:
    """Create a user; the password is hashed here and never stored or logged as given."""
    _check_username(username)
    _check_role(role)
    _check_password(password)
    password_hash = (hasher or HASHER).hash(password)  # slow on purpose: not in a transaction
    with store.transaction() as session:
        if session.scalar(select(UserRow).where(UserRow.username == username)) is not None:
            raise UserError(
                f"user {username!r} already exists: `campaign users password {username}` "
                "sets a new password",
                page=f"a user {username} already exists: to give them a new password, open "
                f'"Reset the password of {username}" on their row',
            )
        row = UserRow(
            username=username,
            password_hash=password_hash,
            role=role,
            created_at=store.clock.now(),
            disabled=False,
            csrf_secret=new_csrf_secret(),
        )
        session.add(row)
        session.flush()
        record_change(session, ADDED, username, store.clock.now(), f"as {role}, by {by}")
        return _user(row)


def set_password(
    store: Store,
    username: str,
    password: str,
    *,
    hasher: PasswordHasher | None = None,
    by: str = "command line",
) -> None:
    """A new password; every session the user has open ends (it may have been someone else's)."""
    _check_password(password)
    password_hash = (hasher or HASHER).hash(password)
    with store.transaction() as session:
        row = _row(session, username)
        row.password_hash = password_hash
        end_all(session, row, store.clock.now(), "password changed")
        record_change(session, PASSWORD_SET, username, store.clock.now(), f"by {by}")


def set_disabled(
    store: Store,
    username: str,
    disabled: bool,
    *,
    by: str = "command line",
    signed_in_as: str | None = None,
) -> None:
    """Disable (or re-enable) a user. Disabling ends their sessions for good: enabling the user
    again does not bring them back. A signed-in user (`signed_in_as`) cannot disable themselves,
    and nobody can disable the last enabled admin."""
    with store.transaction() as session:
        row = _row(session, username)
        if disabled and signed_in_as == username:
            raise UserError("you cannot disable yourself: ask another admin to do it")
        if disabled and not row.disabled:
            _keep_an_admin(session, row, "disable")
        if row.disabled == disabled:
            return
        row.disabled = disabled
        if disabled:
            end_all(session, row, store.clock.now(), "disabled")
        event = DISABLED if disabled else ENABLED
        record_change(session, event, username, store.clock.now(), f"by {by}")


def set_role(store: Store, username: str, role: str, *, by: str = "command line") -> User:
    """Give a user another role; their open sessions end, so the new role applies from their
    next sign-in and nothing done under the old one is still in flight. The last enabled admin
    keeps the role."""
    _check_role(role)
    with store.transaction() as session:
        row = _row(session, username)
        if row.role != role:
            if role != ADMIN:
                _keep_an_admin(session, row, "give another role to")
            detail = f"{row.role} to {role}, by {by}"
            row.role = role
            end_all(session, row, store.clock.now(), "role changed")
            record_change(session, ROLE_CHANGED, username, store.clock.now(), detail)
        return _user(row)


def record_change(session: Session, event: str, username: str, now: datetime, detail: str) -> None:
    """Record a change to a user beside the sign-ins (who made it is in `detail`)."""
    session.add(
        SignInEventRow(
            at=now,
            event=event,
            username=username,
            name_key=name_key(username),
            address=None,
            detail=detail[:100],
        )
    )


def name_key(username: str) -> str:
    """What the sign-in throttle counts a name by: the same for known and unknown names, and
    never the text itself (someone may type their password into the name field)."""
    return hashlib.sha256(username.strip().casefold().encode()).hexdigest()


def _keep_an_admin(session: Session, row: UserRow, what: str) -> None:
    """Refuse to take away the last enabled admin: nobody could manage users in the browser."""
    if row.role != ADMIN or row.disabled:
        return
    others = session.scalar(
        select(func.count())
        .select_from(UserRow)
        .where(UserRow.role == ADMIN, UserRow.disabled.is_(False), UserRow.id != row.id)
    )
    if not others:
        raise UserError(
            f"{row.username} is the last admin: make another user admin first, then {what} "
            f"{row.username}"
        )


def list_users(store: Store) -> list[User]:
    with store.transaction() as session:
        return [_user(row) for row in session.scalars(select(UserRow).order_by(UserRow.username))]


def find_user(store: Store, username: str) -> User | None:
    """The user of this name, if there is one (the CLI checks roles with it)."""
    with store.transaction() as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username))
        return _user(row) if row is not None else None


def get_user(store: Store, user_id: int) -> User | None:
    with store.transaction() as session:
        row = session.get(UserRow, user_id)
        return _user(row) if row is not None else None


def authenticate(
    store: Store, username: str, password: str, *, hasher: PasswordHasher | None = None
) -> User | None:
    """The user if the password is right and the user is enabled; None otherwise.

    An unknown name costs the same hash verification as a known one, so response times do not
    tell which usernames exist.
    """
    hasher = hasher or HASHER
    if len(username) > 64 or len(password) > MAX_PASSWORD_LENGTH:
        return None  # no such user can exist: refused without hashing megabytes
    with store.transaction() as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username))
        stored = row.password_hash if row is not None else _dummy_hash(hasher)
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row.disabled:
        return None
    if hasher.check_needs_rehash(stored):
        upgraded = hasher.hash(password)
        with store.transaction() as session:
            fresh = session.get(UserRow, row.id)
            if fresh is not None and fresh.password_hash == stored:
                fresh.password_hash = upgraded
    return _user(row)


def require_cli_user(store: Store, name: str, capability: str) -> None:
    """Once the dashboard has users, a name given on the command line (`--by`) must be one of
    them: enabled, with a role that grants `capability`. Before any user exists, any name is
    accepted (the operating-system account and host are recorded beside it either way)."""
    with store.transaction() as session:
        if session.scalar(select(UserRow.id).limit(1)) is None:
            return
        row = session.scalar(select(UserRow).where(UserRow.username == name))
        user = _user(row) if row is not None else None
    what = CAPABILITY_TEXT[capability]
    if user is None:
        raise UserError(
            f"--by {name!r} is not a dashboard user; to {what} from the command line, give "
            "your own username with --by (`campaign users list` shows them)"
        )
    if user.disabled:
        raise UserError(f"user {name!r} is disabled and may not {what}")
    if not user.can(capability):
        allowed = [role for role in ROLES if capability in CAPABILITIES[role]]
        raise UserError(
            f"user {name!r} has the role {user.role}; only the role "
            f"{' or '.join(allowed)} may {what}"
        )


def _row(session: Session, username: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    if row is None:
        raise UserError(
            f"no user {username!r}: `campaign users list` shows who exists",
            page=f"There is no user {username}: the list below shows who exists",
        )
    return row


def _user(row: UserRow) -> User:
    return User(row.id, row.username, row.role, row.created_at, row.disabled)


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("not a real password, only for equal timing")


def _check_username(username: str) -> None:
    if len(username) > 64:
        raise UserError(f"a username is at most 64 characters; this one has {len(username):,}")
    if not USERNAME.fullmatch(username):
        raise UserError(
            f"username {username!r} must be 1-64 letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit"
        )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"role {role!r} is not one of {', '.join(ROLES)}")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            f"the password must be at least {MIN_PASSWORD_LENGTH} characters (a passphrase of "
            "three or four words is easy to remember and hard to guess)"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(f"the password must be at most {MAX_PASSWORD_LENGTH:,} characters")
