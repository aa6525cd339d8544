"""Our exceptions, one tree, so the CLI can map each family to an exit code.

    CampaignError
    ├── ConfigError          config.toml is unreadable or invalid (exit 2)
    ├── TemplateError        a post template fails to parse or render (exit 2)
    ├── CheckFailed          rendered posts break an error-level content rule (exit 1)
    ├── BadInput             a value given on the command line or in a form names nothing
    │   │                    known, or is too long, empty or out of range (exit 2)
    │   ├── PostNotFound     (also a LookupError) no post with that key
    │   ├── AccountNotFound  (also a LookupError) no account with that key
    │   ├── CampaignNotFound (also a LookupError) no campaign with that slug in the database
    │   ├── ChannelNotFound  (also a LookupError) the campaign has no alert channel of that name
    │   ├── ContentChanged   an approval names text that is no longer the stored text
    │   └── TimePassed       an approval would be too late, and lateness was not accepted
    ├── StoreError           the database refused or holds something unexpected (exit 3)
    │   ├── NoPlanStored     no database or campaign yet: `campaign plan` has not run
    │   ├── DatabaseFailure  the database itself failed; the text (driver message, SQL) is for
    │   │   │                logs only, never for pages
    │   │   └── DatabaseBusy another writer held the lock too long (or the server went away):
    │   │                    nothing was changed; worth trying again
    │   └── NotPaused        a pause could not be recorded: publishing goes on (said plainly)
    ├── UserError            a dashboard user cannot be created or signed in (store/users.py)
    ├── AlertNotSent         a mail server or webhook did not take an alert (kept, retried)
    └── PublishError         a platform refused or failed a send
        ├── Transient        worth retrying later
        │   ├── RateLimited      retry after the platform's reset time
        │   └── OutcomeUnknown   the request may have reached the platform: look before resending
        └── Permanent        retrying cannot help
            ├── AuthRejected      bad or expired token: the account needs new credentials
            ├── DuplicateContent  the platform already has this exact text
            └── PolicyBlocked     the platform refuses the content

Every message says what is wrong, where (file, line, field) and what to do.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from difflib import get_close_matches
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the checks import errors; a runtime import would be a cycle
    from campaign.checks.findings import Finding


class CampaignError(Exception):
    """Base of every error the product raises on purpose."""

    exit_code = 1

    def for_page(self) -> str:
        """The words a dashboard page shows: the message, unless it gives command-line advice."""
        return str(self)


class ConfigError(CampaignError):
    """The campaign configuration cannot be used as written."""

    exit_code = 2

    def __init__(self, message: str, *, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        super().__init__(f"{self.path}: {message}" if self.path else message)


class TemplateError(CampaignError):
    """A post template cannot be parsed or rendered."""

    exit_code = 2

    def __init__(
        self, message: str, *, template: str, line: int | None = None, guide: str = ""
    ) -> None:
        self.template = template
        self.line = line
        self.message = message  # without the place or the guide: what the composer shows
        where = f"{template}:{line}" if line else template
        super().__init__(f"{where}: {message}{guide}")


class CheckFailed(CampaignError):
    """At least one rendered post breaks an error-level rule; nothing was stored."""

    exit_code = 1

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        count = sum(1 for f in findings if f.severity == "error")
        super().__init__(
            f"{count} error(s) in the plan; run `campaign check` to see them, fix the "
            "templates or config.toml, then try again. Nothing was stored."
        )


class BadInput(CampaignError):
    """A value given on the command line or in a form cannot be used: an unknown name, an empty
    or over-long reason, an unusable path."""

    exit_code = 2

    def __init__(self, message: str, *, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        super().__init__(f"{self.path}: {message}" if self.path else message)


def _nearest(name: str, known: Iterable[str]) -> list[str]:
    return get_close_matches(name, sorted(known), n=3, cutoff=0.6)


class PostNotFound(BadInput, LookupError):
    """No post with the given key exists in the stored plan; suggests the nearest keys."""

    def __init__(self, key: str, known: Iterable[str] = ()) -> None:
        self.key = key
        nearest = _nearest(key, known)
        hint = f"did you mean {', '.join(map(repr, nearest))}? " if nearest else ""
        super().__init__(
            f"no post {key!r} in the stored plan; {hint}`campaign status` lists the keys"
        )

    def for_page(self) -> str:
        return (
            f"There is no post {self.key} in this campaign (it may have been cancelled, or the "
            "address is wrong): go back to the week to find it"
        )


class AccountNotFound(BadInput, LookupError):
    """No account with the given key in the campaign; suggests the nearest or lists them all."""

    def __init__(self, key: str, known: Iterable[str] = ()) -> None:
        self.key = key
        known = sorted(known)
        nearest = _nearest(key, known)
        hint = (
            f"did you mean {', '.join(map(repr, nearest))}?"
            if nearest
            else f"the accounts are {', '.join(known)} ([accounts] in config.toml)"
        )
        super().__init__(f"no account {key!r} in the campaign; {hint}")


class CampaignNotFound(BadInput, LookupError):
    """`--campaign SLUG` names no campaign in the database; suggests the nearest or lists all."""

    def __init__(self, slug: str, known: Iterable[str] = ()) -> None:
        self.slug = slug
        known = sorted(known)
        nearest = _nearest(slug, known)
        hint = (
            f"did you mean {', '.join(map(repr, nearest))}?"
            if nearest
            else f"the campaigns are {', '.join(known)}"
        )
        super().__init__(
            f"no campaign {slug!r} in the database; {hint} (`campaign list` shows them)"
        )


class ChannelNotFound(BadInput, LookupError):
    """`campaign alerts test NAME`: the campaign has no alert channel of that name."""

    def __init__(self, name: str, slug: str, known: Iterable[str] = ()) -> None:
        self.name = name
        known = sorted(known)
        listed = (
            f"its channels are {', '.join(known)}"
            if known
            else "it has no alert channel: add one under [alerts.channels] in config.toml, then "
            "run `campaign plan`"
        )
        super().__init__(f"campaign {slug!r} has no alert channel {name!r}; {listed}")


class StoreError(CampaignError):
    """The database refused an operation or is in an unexpected state."""

    exit_code = 3


class NoPlanStored(StoreError):
    """The database or the campaign's plan does not exist yet; nothing was created."""

    def __init__(self, where: str) -> None:
        super().__init__(f"no plan stored yet: run `campaign plan` ({where})")


class DatabaseFailure(StoreError):
    """The database (or its driver) failed an operation; the transaction was rolled back.

    The message carries the driver's text and the SQL: for logs and the CLI, never a web page.
    """


class DatabaseBusy(DatabaseFailure):
    """The database was locked by another writer (or unreachable) for longer than we waited.

    The transaction was rolled back whole: nothing was changed, and trying again may work.
    """


class NotPaused(StoreError):
    """A pause never got through to the database: say plainly that publishing goes on."""

    def __init__(
        self, waited: float, account: str | None = None, *, everything: bool = False
    ) -> None:
        what = "everything" if everything else f"account {account}" if account else "the campaign"
        super().__init__(
            f"publishing is NOT paused: the database stayed busy for {waited:g} s and the pause "
            f"of {what} could not be recorded. Run the same command again now. If it fails "
            "again, stop every publishing daemon (`campaign status` lists them; Ctrl-C or "
            "`kill PID`) so that nothing more is sent, then find what holds the database."
        )


class ContentChanged(BadInput):
    """The approver was shown other text than is stored now: nothing was approved."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        super().__init__(
            f"nothing was approved: {', '.join(keys)} changed since you were shown "
            f"{'it' if len(keys) == 1 else 'them'} (the plan was stored again). Read the "
            "post again (`campaign preview`, or reload the page) and approve what you see."
        )


class TimePassed(BadInput):
    """Posts to approve are already due; the approver has not said to approve them late."""

    def __init__(self, times: dict[str, datetime]) -> None:
        self.times = times
        super().__init__(
            f"nothing was approved: the time of {', '.join(times)} has passed; approving "
            "now sends late or marks missed"
        )


class RevisionConflict(BadInput):
    """Someone saved the post since this change was started from it: nothing was saved."""

    def __init__(self, key: str, current: int, base: int, author: str) -> None:
        self.key, self.current, self.base, self.author = key, current, base, author
        super().__init__(
            f"{key} was changed by {author} since you opened it (version {current}, you started "
            f"from version {base}): nothing was saved. Open it again to see their change."
        )


class PlanConflict(CampaignError):
    """The files changed posts that were edited in the dashboard since the last plan: a plan
    never overwrites an edit silently. Nothing was stored."""

    exit_code = 1

    def __init__(self, conflicts: list[Any]) -> None:
        self.conflicts = conflicts
        keys = ", ".join(c.key for c in conflicts)
        super().__init__(
            f"{len(conflicts)} post(s) changed both in the files and in the dashboard since the "
            f"last plan: {keys}. Nothing was stored. Choose which side wins with `campaign plan "
            "--take files` or `--take browser`, or make the files match the dashboard first "
            "(`campaign export --pack DIR` writes the dashboard's version)."
        )


class AlertNotSent(CampaignError):
    """A channel did not take an alert: the reason in plain words, never an address, user
    name or password (requests' and smtplib's own texts carry them, so they are not kept).
    `retry_after` is how long the receiver asked us to wait, in seconds, when it said."""

    exit_code = 1

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        self.reason = reason
        self.retry_after = retry_after
        super().__init__(reason)


class PublishError(CampaignError):
    """A platform refused or failed a send; keeps the platform's own message."""

    def __init__(self, message: str, *, platform: str = "", code: str | int | None = None) -> None:
        self.platform = platform
        self.code = code
        super().__init__(f"{platform}: {message}" if platform else message)


class Transient(PublishError):
    """The send may succeed later: 5xx, timeouts, dropped connections."""


class RateLimited(Transient):
    """The platform asked us to wait until `reset_at` (UTC) before trying again."""

    def __init__(self, message: str, *, reset_at: datetime | None = None, **kw: object) -> None:
        self.reset_at = reset_at
        super().__init__(message, **kw)  # type: ignore[arg-type]


class OutcomeUnknown(Transient):
    """The request left but no answer came back (read timeout, dropped connection).

    The platform may have created the post: reconcile by looking for it before any resend.
    """


class Permanent(PublishError):
    """Retrying the same request cannot succeed."""


class AuthRejected(Permanent):
    """The token is bad or expired: hold the account's posts until credentials are renewed."""


class DuplicateContent(Permanent):
    """The platform already holds a post with exactly this text."""


class PolicyBlocked(Permanent):
    """The platform's policy refuses the content."""
