"""Token health as the store records it: a token the platform refused holds its account, as a
refused send does (the same `outcomes.hold_account`), so its posts wait before the first one
fails; a token about to expire raises the "token-expiring" alert once per account and date.

A credentials check (`campaign preflight`, the daemon's daily probe) calls these in one short
transaction each; nothing here talks to a platform.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from campaign.config.alerts import Alerts
from campaign.present.platforms import display_name
from campaign.present.times import dated_time
from campaign.store.accounts import users_of
from campaign.store.alert_facts import account_facts, account_name
from campaign.store.models import AccountRow, CampaignRow
from campaign.store.outbox import AlertEvent, alert_settings, raise_alert
from campaign.store.outcomes import hold_account

DEFAULT_WARNING_DAYS = Alerts().token_warning_days


@dataclass(frozen=True)
class Expiry:
    """What `token_expiring` decided: how far off the expiry is, and whether it alerted."""

    days_left: float
    warning_days: int
    within: bool
    alerted: bool


def hold_refused(
    session: Session, account_id: int, actor: str, now: datetime, *, error: str
) -> bool:
    """Hold the account whose token was refused (audited in the first campaign using it);
    False if it was already held or no campaign uses it."""
    account = session.get(AccountRow, account_id)
    if account is None:
        return False
    users = users_of(session, account)
    if not users:
        return False
    return hold_account(session, users[0], account, actor, now, error=error)


def warning_days(campaigns: list[CampaignRow]) -> int:
    """How many days ahead to warn: the longest `[alerts] token_warning_days` among the
    campaigns that use the account (none warns later than it asked)."""
    return max(
        (alert_settings(row).token_warning_days for row in campaigns),
        default=DEFAULT_WARNING_DAYS,
    )


def token_expiring(
    session: Session,
    account_id: int,
    expires_at: datetime,
    now: datetime,
    *,
    days: int | None = None,
) -> Expiry:
    """Raise "token-expiring" when the token ends within `days` (default: the campaigns'
    `token_warning_days`): once per account and expiry date, whoever checks first."""
    account = session.get(AccountRow, account_id)
    users = users_of(session, account) if account is not None else []
    window = days if days is not None else warning_days(users)
    left = (expires_at - now) / timedelta(days=1)
    within = expires_at - now <= timedelta(days=window)
    if account is None or not users or not within:
        return Expiry(left, window, within, False)
    alert = raise_alert(session, users, expiry_event(account, users[0], expires_at, now), now)
    return Expiry(left, window, within, alert is not None)


def expiry_event(
    account: AccountRow, campaign: CampaignRow, expires_at: datetime, now: datetime
) -> AlertEvent:
    """The alert, worded for an officer: whose token, when, and what to do (the facts the
    other account alerts carry, plus "what", "when" and "what_to_do")."""
    zone = ZoneInfo(campaign.timezone)
    platform = display_name(account.platform)
    when = dated_time(expires_at, zone)
    left = expires_at - now
    soon = "in less than a day" if left < timedelta(days=1) else f"in {left.days} days"
    facts = account_facts(account)
    facts.update(
        what=f"The {platform} access token of {account_name(account)} expires on {when}; "
        "after that the platform refuses it and the account's posts are held.",
        when=when,
        expires_at=expires_at.isoformat(),
        days_left=max(left.days, 0),
        what_to_do=(
            f"Renew the {platform} access token of {account.name} before {when} and give it "
            "to whoever runs the publishing service; nothing goes out on this account once "
            "it has expired."
        ),
    )
    return AlertEvent(
        key=f"token-expiring:{account.id}:{expires_at.date().isoformat()}",
        topic="token-expiring",
        title=f"The {platform} access of {account_name(account)} expires {soon} ({when})",
        facts=facts,
        account=account,
    )
