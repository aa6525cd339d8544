"""Credentials that will not work on the day: probe every account once (a cheap authenticated
read, given by the caller: the core never talks to a platform), hold an account whose token is
refused, as a refused send would, and warn of a token that expires soon.

`campaign preflight` and the daemon's daily probe both run this, so they decide alike: a
refused token holds the account (its posts wait; the "credentials-rejected" audit row raises
the held-account alert), a token ending within the warning days raises "token-expiring" once
per account and date, and a network failure holds nothing (the next run tries again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from campaign.config import Account
from campaign.errors import AuthRejected, PublishError, Transient
from campaign.preflight.findings import Problem, Severity
from campaign.present.platforms import display_name
from campaign.present.times import dated_time
from campaign.store import Store
from campaign.store.models import AccountRow, CampaignRow

log = logging.getLogger(__name__)


class Probed(Protocol):
    """What a channel's probe answers (scheduler.channels.base.AccountHealth)."""

    @property
    def name(self) -> str: ...

    @property
    def handle(self) -> str | None: ...

    @property
    def expires_at(self) -> datetime | None: ...


# (the account's id in the database, its stored definition) -> what the platform says
Probe = Callable[[int, Account], Probed]


@dataclass(frozen=True)
class AccountCheck:
    """One account's probe: ok | refused | missing | unreachable | unusable."""

    account: str
    platform: str
    name: str
    status: str
    campaign: str  # the first campaign using it, where its findings are located
    seen_as: str | None = None  # who the platform says the account is
    expires_at: datetime | None = None
    held: bool = False  # held by this check
    # An alert raised by this check: "account-held" with a new hold (raised in the hold's
    # transaction), or "token-expiring".
    alerted: bool = False
    detail: str = ""


@dataclass
class CredentialsReport:
    accounts: list[AccountCheck] = field(default_factory=list)
    findings: list[Problem] = field(default_factory=list)


def check_credentials(
    store: Store,
    accounts: Iterable[tuple[CampaignRow, AccountRow]],
    probe: Probe,
    now: datetime,
    *,
    actor: str,
    environ: Mapping[str, str] | None = None,
    days: int | None = None,
    until: datetime | None = None,
    stopping: Callable[[], bool] = lambda: False,
) -> CredentialsReport:
    """Probe each account once. With `environ`, a variable an account names but that is not
    set is reported (naming the variable, never a value) instead of probed. A token ending
    before `until` is a problem, later within the warning days a warning. Once `stopping()`
    says so, no further account is probed (a daemon shutting down waits for one at most)."""
    report = CredentialsReport()
    seen: set[int] = set()
    for campaign, row in accounts:
        if stopping():
            break
        if row.id in seen:
            continue
        seen.add(row.id)
        check, finding = _check_one(store, campaign, row, probe, now, actor, environ, days, until)
        report.accounts.append(check)
        if finding is not None:
            report.findings.append(finding)
    return report


def _check_one(
    store: Store,
    campaign: CampaignRow,
    row: AccountRow,
    probe: Probe,
    now: datetime,
    actor: str,
    environ: Mapping[str, str] | None,
    days: int | None,
    until: datetime | None,
) -> tuple[AccountCheck, Problem | None]:
    platform = display_name(row.platform)
    where = f"{campaign.name} / {row.name} ({platform})"

    def result(status: str, **facts: Any) -> AccountCheck:
        return AccountCheck(row.key, row.platform, row.name, status, campaign.slug, **facts)

    def problem(severity: Severity, check: str, what: str, fix: str) -> Problem:
        return Problem(severity, check, where, what, fix, campaign.slug, None, row.key)

    account = _account(row)
    if account is None:
        fix = "Run `campaign plan` for a campaign that uses this account."
        what = f"The database does not hold usable settings for {row.name}."
        return result("unusable"), problem("problem", "credentials", what, fix)
    if environ is not None:
        missing = [var for var in account.credentials.values() if not environ.get(var)]
        if missing:
            names = ", ".join(missing)
            what = (
                f"The environment variable(s) {names} for {row.name} are not set here, so its "
                "credentials could not be checked (and a publishing service started like this "
                "would hold its posts)."
            )
            fix = f"Set {names} (in the environment of this check and of the publishing service)."
            return result("missing", detail=names), problem("problem", "credentials", what, fix)
    try:
        health = probe(row.id, account)
    except AuthRejected as exc:
        if row.needs_credentials:  # held before: the hold's own finding says what to do
            return result("refused", detail=str(exc)), None
        held = store.publishing.hold_refused_account(row.id, actor, now, error=str(exc))
        what = (
            f"{platform} refused the credentials of {row.name} ({exc}). The account is held: "
            "its posts wait and nothing goes out on it."
        )
        fix = (
            "Renew the token, give it to whoever runs the publishing service, then run "
            f"`campaign resume --campaign {campaign.slug} --account {row.key}`."
        )
        check = result("refused", held=held, alerted=held, detail=str(exc))
        return check, problem("problem", "credentials", what, fix)
    except Transient as exc:
        log.warning("could not check the credentials of %s: %s", row.key, exc)
        what = f"{platform} could not be reached to check {row.name} ({exc})."
        fix = "Nothing is held; run the check again later."
        return result("unreachable", detail=str(exc)), problem("warning", "credentials", what, fix)
    except PublishError as exc:
        what = f"{platform} would not check the credentials of {row.name}: {exc}."
        fix = "Check the account's settings and credentials with whoever manages its access."
        return result("refused", detail=str(exc)), problem("problem", "credentials", what, fix)
    seen_as = " ".join(part for part in (health.name, health.handle) if part) or None
    if row.needs_credentials:
        what = (
            f"{row.name} is still held, but {platform} accepts its credentials now: its posts "
            "wait until someone resumes the account."
        )
        fix = (
            "If the token was renewed, run "
            f"`campaign resume --campaign {campaign.slug} --account {row.key}`."
        )
        return result("ok", seen_as=seen_as), problem("problem", "credentials", what, fix)
    limits = tuple(getattr(health, "warnings", ()))  # a probe may not report any
    if limits and health.expires_at is None:
        what = f"{platform} says of {row.name}: " + "; ".join(limits) + "."
        fix = "Put the platform's limits in the account's settings, then run `campaign check`."
        return result("ok", seen_as=seen_as), problem("warning", "platform-limits", what, fix)
    if health.expires_at is None:
        return result("ok", seen_as=seen_as), None
    expiry = store.publishing.token_expiring(row.id, health.expires_at, now, days=days)
    check = result("ok", seen_as=seen_as, expires_at=health.expires_at, alerted=expiry.alerted)
    if not expiry.within:
        return check, None
    when = dated_time(health.expires_at, ZoneInfo(campaign.timezone))
    soon = until is not None and health.expires_at < until
    what = (
        f"The {platform} access token of {row.name} expires on {when}; after that its posts "
        "are held and nothing goes out on it."
    )
    fix = f"Renew the token before {when} and give it to whoever runs the publishing service."
    return check, problem("problem" if soon else "warning", "token", what, fix)


def _account(row: AccountRow) -> Account | None:
    if row.definition is None:
        return None
    try:
        return Account.model_validate(row.definition)
    except ValidationError:
        return None
