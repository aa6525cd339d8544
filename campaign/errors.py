"""Our exceptions, one tree, so the CLI can map each family to an exit code.

    CampaignError
    ├── ConfigError          config.toml is unreadable or invalid (exit 2)
    ├── TemplateError        a post template fails to parse or render (exit 2)
    ├── CheckFailed          rendered posts break an error-level content rule (exit 1)
    ├── StoreError           the database refused or holds something unexpected
    │   └── PostNotFound     (also a LookupError) no post with that key
    ├── UserError            a dashboard user cannot be created or signed in (store/users.py)
    ├── InvalidInput         a value typed or sent in a form cannot be used as given (exit 2)
    │   ├── ContentChanged   an approval names text that is no longer the stored text
    │   └── TimePassed       an approval would be too late, and lateness was not accepted
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

from datetime import datetime
from pathlib import Path


class CampaignError(Exception):
    """Base of every error the product raises on purpose."""

    exit_code = 1


class ConfigError(CampaignError):
    """The campaign configuration cannot be used as written."""

    exit_code = 2

    def __init__(self, message: str, *, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        super().__init__(f"{self.path}: {message}" if self.path else message)


class TemplateError(CampaignError):
    """A post template cannot be parsed or rendered."""

    exit_code = 2

    def __init__(self, message: str, *, template: str, line: int | None = None) -> None:
        self.template = template
        self.line = line
        where = f"{template}:{line}" if line else template
        super().__init__(f"{where}: {message}")


class CheckFailed(CampaignError):
    """At least one rendered post breaks an error-level rule; nothing was stored."""

    exit_code = 1

    def __init__(self, findings: list) -> None:  # list[Finding]; avoids an import cycle
        self.findings = findings
        count = sum(1 for f in findings if f.severity == "error")
        super().__init__(
            f"{count} error(s) in the plan; run `campaign check` to see them, fix the "
            "templates or config.toml, then try again. Nothing was stored."
        )


class StoreError(CampaignError):
    """The database refused an operation or is in an unexpected state."""

    exit_code = 3


class PostNotFound(StoreError, LookupError):
    """No post with the given key exists in the stored plan."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"no post {key!r} in the stored plan; `campaign status` lists the keys")


class InvalidInput(CampaignError):
    """A value given on the command line or in a form is too long, empty or out of range."""

    exit_code = 2


class ContentChanged(InvalidInput):
    """The approver was shown other text than is stored now: nothing was approved."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        super().__init__(
            f"nothing was approved: {', '.join(keys)} changed since you were shown "
            f"{'it' if len(keys) == 1 else 'them'} (the plan was stored again). Read the "
            "post again (`campaign preview`, or reload the page) and approve what you see."
        )


class TimePassed(InvalidInput):
    """Posts to approve are already due; the approver has not said to approve them late."""

    def __init__(self, times: dict[str, datetime]) -> None:
        self.times = times
        super().__init__(
            f"nothing was approved: the time of {', '.join(times)} has passed; approving "
            "now sends late or marks missed"
        )


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
