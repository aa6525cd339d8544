"""Appending to the audit log: who did what to which post or account, when and why.

Who is an `Actor`: the name recorded, and through what it acted. A name typed on the command
line (`--by`) proves nothing by itself, so a command-line action also records the
operating-system account and host it ran under; a dashboard action records `via: web` beside
the signed-in user. Free text that goes into the log (names, reasons) has limits, checked here
for the command line and the dashboard alike.
"""

from __future__ import annotations

import getpass
import os
import socket
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from campaign.errors import BadInput
from campaign.store.models import AccountRow, AuditRow, CampaignRow, PostRow

MAX_NAME = 100  # the audit log's actor column (and approved_by, paused_by)
MAX_REASON = 500
MAX_KEY = 200  # the posts table's key column


@dataclass(frozen=True)
class Actor:
    """Who acts, and through what: `via` is "cli" or "web" (None: the core called directly)."""

    name: str
    via: str | None = None
    os_user: str | None = None
    host: str | None = None

    @classmethod
    def cli(cls, name: str) -> Actor:
        """A command-line user: the typed name, and the account and machine it really ran as."""
        return cls(name, "cli", _os_user(), socket.gethostname())

    @classmethod
    def web(cls, username: str) -> Actor:
        return cls(username, "web")

    def details(self) -> dict[str, str]:
        fields = {"via": self.via, "os_user": self.os_user, "host": self.host}
        return {name: value for name, value in fields.items() if value is not None}


def as_actor(actor: str | Actor) -> Actor:
    """The actor, its name checked: not empty, at most MAX_NAME characters, one plain line."""
    who = actor if isinstance(actor, Actor) else Actor(actor)
    name = bounded_text("name of who is acting", who.name, MAX_NAME, required=True)
    return who if name == who.name else Actor(name, who.via, who.os_user, who.host)


def bounded_text(label: str, value: str, limit: int, *, required: bool = False) -> str:
    """`value` stripped, refused with a clear message if empty (when required), longer than
    `limit` characters, or holding control characters (line breaks would forge log lines)."""
    text = value.strip()
    if required and not text:
        raise BadInput(f"the {label} is empty: give one (it goes in the audit log)")
    if len(text) > limit:
        raise BadInput(
            f"the {label} is {len(text):,} characters long; at most {limit:,} are allowed. "
            "Shorten it and try again: nothing was changed."
        )
    if any(unicodedata.category(char) == "Cc" and char != "\t" for char in text):
        raise BadInput(
            f"the {label} contains line breaks or control characters: write it on one line"
        )
    return text


def record(
    session: Session,
    campaign: CampaignRow,
    action: str,
    actor: str | Actor,
    now: datetime,
    *,
    post: PostRow | None = None,
    account: AccountRow | None = None,
    **details: Any,
) -> AuditRow:
    who = actor if isinstance(actor, Actor) else Actor(actor)
    details = {**who.details(), **details}
    row = AuditRow(
        at=now,
        actor=who.name,
        action=action,
        campaign_id=campaign.id,
        post_id=post.id if post is not None else None,
        account_id=account.id if account is not None else (post.account_id if post else None),
        details={"post": post.key, **details} if post is not None else details,
    )
    session.add(row)
    return row


def name_of(actor: str | Actor) -> str:
    return actor.name if isinstance(actor, Actor) else actor


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (some containers)
        return f"uid {os.getuid()}"
