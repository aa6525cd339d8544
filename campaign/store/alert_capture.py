"""Alerts raised from the audit log as it is written, in the same transaction as the event.

Every event worth a message (a post failed, missed, left partial or sent late; an account held
because its credentials were refused; a pause or a resume) already writes an audit row. A
`before_flush` listener turns each new audit row whose action is in `RULES` into an alert, so no
path that records the event can forget to raise it, and a transaction that rolls back takes
its alert with it. A rule is looked up by the action's name only: a claim that audits hundreds
of posts costs one dictionary lookup each.

Keys are the events' idempotency keys ("post-failed:<post id>:<attempt>", "account-held:<account
id>:<moment>", "paused:<scope>:<moment>"): the account's campaigns, or every campaign under
`pause --all`, each write an audit row of one pause, which is one alert routed by all of them.
An alert that cannot be worded (a bug, a row that no longer reads) is logged and skipped: it
never undoes the event it reports.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from campaign.present.threads import part_links
from campaign.present.times import duration, short_time
from campaign.store.accounts import users_of
from campaign.store.alert_facts import (
    HEADLINES,
    OTHER,
    PAIR,
    WHAT_TO_DO,
    account_facts,
    account_name,
    post_facts,
    post_phrase,
)
from campaign.store.models import AccountRow, AuditRow, CampaignRow, PostRow
from campaign.store.outbox import AlertEvent, alert_settings, raise_alert

log = logging.getLogger(__name__)
Raised = tuple[list[CampaignRow], AlertEvent]
Rule = Callable[[Session, AuditRow], Raised | None]


def _post_of(session: Session, audit: AuditRow) -> tuple[PostRow, CampaignRow, AccountRow]:
    post = session.get(PostRow, audit.post_id)
    campaign = session.get(CampaignRow, audit.campaign_id)
    assert post is not None and campaign is not None
    account = session.get(AccountRow, post.account_id)
    assert account is not None
    return post, campaign, account


def _failed(session: Session, audit: AuditRow) -> Raised:
    post, campaign, account = _post_of(session, audit)
    details = audit.details or {}
    given = details.get("failure")
    kind: str = given if isinstance(given, str) and given in HEADLINES else OTHER
    facts = post_facts(post, campaign, account)
    headline = HEADLINES[kind].format(platform=facts["platform"])
    facts.update(
        platform_message=details.get("reason") or post.last_error,
        failure=kind,  # for machines: duplicate, policy, media or other
        attempts=details.get("attempts", post.attempts),
        what_to_do=WHAT_TO_DO[kind],
        link=_week(campaign),
    )
    title = f"{post_phrase(post, campaign, account)} failed: {headline}"
    key = f"post-failed:{post.id}:{details.get('attempts', post.attempts)}"
    if kind == PAIR:  # held, never sent (no attempt to count): each hold is its own event
        key += f":held:{audit.at.isoformat()}"
    return [campaign], AlertEvent(key, "post-failed", title, facts, post=post, account=account)


def _missed(session: Session, audit: AuditRow) -> Raised:
    post, campaign, account = _post_of(session, audit)
    why = (audit.details or {}).get("reason") or post.last_error or "not sent in time"
    facts = post_facts(post, campaign, account)
    facts.update(
        why=why,
        what_to_do=(
            "It will not be sent late on its own. If it still matters, edit its time (or "
            "publish it by hand) and approve it again."
        ),
        link=_week(campaign),
    )
    title = f"{post_phrase(post, campaign, account)} was not published: {why}"
    key = f"post-missed:{post.id}:{post.scheduled_at.isoformat()}:{post.attempts}"
    return [campaign], AlertEvent(key, "post-missed", title, facts, post=post, account=account)


def _partial(session: Session, audit: AuditRow) -> Raised:
    post, campaign, account = _post_of(session, audit)
    details = audit.details or {}
    live = list(details.get("live_part_ids") or post.live_part_ids)
    facts = post_facts(post, campaign, account)
    facts.update(
        why=details.get("reason") or post.last_error,
        progress=details.get("progress"),
        lines=part_links(post),
        what_to_do=(
            "The first parts are public without the rest (often the helpline). Resume "
            "publishing to send the rest, even late, or abandon the rest on the dashboard."
        ),
        link=_week(campaign),
    )
    title = (
        f"{post_phrase(post, campaign, account)} is only partly published: "
        f"{len(live)} of {len(post.parts)} parts are live"
    )
    key = f"post-partial:{post.id}:{len(live)}:{post.attempts}"
    return [campaign], AlertEvent(key, "post-partial", title, facts, post=post, account=account)


def _published(session: Session, audit: AuditRow) -> Raised | None:
    lateness = (audit.details or {}).get("lateness_seconds")
    if not lateness or lateness <= 0:  # the common case: nothing else is read
        return None
    campaign = session.get(CampaignRow, audit.campaign_id)
    assert campaign is not None
    # A wave of sends records hundreds of posts in one flush: read each campaign's settings once.
    limits: dict[int, timedelta] = session.info.setdefault("late_minutes", {})
    if campaign.id not in limits:
        limits[campaign.id] = alert_settings(campaign).late
    if timedelta(seconds=lateness) <= limits[campaign.id]:
        return None
    post, _, account = _post_of(session, audit)
    late = duration(timedelta(seconds=lateness))
    facts = post_facts(post, campaign, account)
    facts.update(
        late=late,
        published=short_time(audit.at, _zone(campaign)),
        live_at=(audit.details or {}).get("url"),
        link=_week(campaign),
        what_to_do=(
            "Nothing to undo: the post is live. If its time mattered (an event, a helpline's "
            "hours), check it still reads right."
        ),
    )
    title = f"{post_phrase(post, campaign, account)} went out {late} late"
    key = f"post-late:{post.id}"
    return [campaign], AlertEvent(key, "post-late", title, facts, post=post, account=account)


def _held(session: Session, audit: AuditRow) -> Raised:
    account = session.get(AccountRow, audit.account_id)
    campaign = session.get(CampaignRow, audit.campaign_id)
    assert account is not None and campaign is not None
    facts = account_facts(account)
    facts.update(
        platform_message=(audit.details or {}).get("error") or account.credentials_problem,
        what_to_do=(
            "The account's posts wait; nothing is lost yet. Renew the account's access with "
            "the platform (a new token), then resume the account on the dashboard or with "
            f"`campaign resume --account {account.key}`."
        ),
    )
    title = (
        f"The {facts['platform']} account {account_name(account)} is held: the platform "
        "refused its credentials, so its posts are not going out"
    )
    key = f"account-held:{account.id}:{audit.at.isoformat()}"
    campaigns = _ordered(users_of(session, account), campaign)
    return campaigns, AlertEvent(key, "account-held", title, facts, account=account)


def _switch(topic: str) -> Rule:
    """A pause or a resume: who, why, and what it covers (one alert per switch)."""
    verb = "paused" if topic == "paused" else "resumed"

    def rule(session: Session, audit: AuditRow) -> Raised:
        campaign = session.get(CampaignRow, audit.campaign_id)
        assert campaign is not None
        details = audit.details or {}
        scope = details.get("scope") or "campaign"
        account = None
        if scope == "everything":
            campaigns = list(session.scalars(select(CampaignRow).order_by(CampaignRow.id)))
            what, where, tag = "every campaign on every account", "everything", "everything"
        elif scope == "campaign" or audit.account_id is None:
            campaigns, what = [campaign], f"the campaign {campaign.name}"
            where, tag = "campaign", f"campaign-{campaign.id}"
        else:
            account = session.get(AccountRow, audit.account_id)
            assert account is not None
            campaigns = _ordered(users_of(session, account), campaign)
            what = (
                f"the {account_facts(account)['platform']} account {account_name(account)} "
                "in every campaign that uses it"
            )
            where, tag = "account", f"account-{account.id}"
        why = details.get("reason") or ""
        facts: dict[str, Any] = {
            "when": short_time(audit.at, _zone(campaign)),
            "who": audit.actor,
            "via": details.get("via"),
            "why": why,
            "covers": what,
            "scope": where,
        }
        if account is not None:
            facts.update(account_facts(account))
        title = f"Publishing {verb} for {what} by {audit.actor}" + (f": {why}" if why else "")
        key = f"{topic}:{tag}:{audit.at.isoformat()}"
        return campaigns, AlertEvent(key, topic, title, facts, account=account)

    return rule


RULES: dict[str, Rule] = {
    "failed": _failed,
    "missed": _missed,
    "partial": _partial,
    "published": _published,
    "credentials-rejected": _held,
    "paused": _switch("paused"),
    "resumed": _switch("resumed"),
}


def _ordered(users: list[CampaignRow], own: CampaignRow) -> list[CampaignRow]:
    """The campaign whose row recorded the event first (the alert's own), then the others."""
    return [own, *(user for user in users if user.id != own.id)]


def _week(campaign: CampaignRow) -> str:
    """The campaign's week on the dashboard (a path: the messages add the dashboard's address)."""
    return f"/c/{campaign.slug}/week"


def _zone(campaign: CampaignRow) -> ZoneInfo:
    return ZoneInfo(campaign.timezone)


@event.listens_for(Session, "before_flush")
def _raise_alerts(session: Session, flush_context: object, instances: object) -> None:
    """Raise the alert of each new audit row worth one, in the flush that writes the row."""
    audits = [row for row in session.new if isinstance(row, AuditRow) and row.action in RULES]
    if not audits:
        return
    seen: set[str] = set()
    for audit in sorted(audits, key=lambda row: (row.at, row.campaign_id)):
        try:
            raised = RULES[audit.action](session, audit)
        except Exception:  # wording an alert must never undo the event it reports
            log.exception("could not word the alert of a %r audit row: none raised", audit.action)
            continue
        if raised is None or raised[1].key in seen:
            continue
        campaigns, alert = raised
        seen.add(alert.key)
        raise_alert(session, campaigns, alert, audit.at)
