"""What an alert says, for each kind of channel: a plain-text email, a Teams Adaptive Card, a
Slack message and a generic JSON body, all from the same facts.

The facts are whatever the code that raised the alert stored (plain words and values, never a
secret). Some keys are known and shown in their place: "what" happened, "when", "why", what the
platform said ("platform_message" or "error"), "lines" (a list), "what_to_do", and a "link" (a
path on the dashboard, or a full address); a few are for machines only (`FOR_MACHINES`). Any
other key is listed with its name in words, so a new kind of alert reads well without a change
here.
"""

from __future__ import annotations

import email.policy
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

# Facts shown first, under these labels, in this order.
LABELS = {
    "what": "What happened",
    "when": "When",
    "why": "Why",
    "reason": "Reason",
    "platform_message": "The platform said",
    "error": "The platform said",
    "live_at": "Live at",
}
PLACED = ("lines", "what_to_do", "link")  # shown in places of their own
# Facts for machines (the generic webhook's JSON has every fact), not worth a line to people:
# the subject and footer already name the campaign, and the local time is given in words.
FOR_MACHINES = ("campaign", "campaign_slug", "timezone", "scheduled_at", "failure", "account_key")
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_COLOURS = {"critical": "Attention", "warning": "Warning", "info": "Default"}
# Headers on one line up to the 998 characters RFC 5322 allows: Python's folding of 78 breaks
# "Subject: [critical] ..." before the bracket, and some mail programs then show a leading space.
ONE_LINE_HEADERS = email.policy.default.clone(max_line_length=998)
SLACK_TEXT_LIMIT = 2900  # a section's text may hold 3,000 characters


@dataclass(frozen=True)
class AlertContent:
    """One alert as its messages need it: detached from the database, plain values only."""

    key: str
    topic: str
    severity: str
    title: str
    facts: dict[str, Any]
    created_at: datetime
    campaign_name: str | None = None
    campaign_slug: str | None = None
    timezone: str = "UTC"
    dashboard_url: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def subject(self) -> str:
        """ "[critical] Stalking Awareness Week: Monday 10:00 X post failed"."""
        where = f"{self.campaign_name}: " if self.campaign_name else ""
        return f"[{self.severity}] {where}{self.title}"

    @property
    def link(self) -> str | None:
        """Where to look: the facts' link (a dashboard path, or a full address), else the
        dashboard itself; none when no dashboard address is configured for a path."""
        given = self.facts.get("link")
        if isinstance(given, str) and given.startswith(("https://", "http://")):
            return given
        if self.dashboard_url is None:
            return None
        if isinstance(given, str) and given.strip():
            return f"{self.dashboard_url}/{given.strip().lstrip('/')}"
        return self.dashboard_url

    @property
    def raised(self) -> str:
        """When the alert was raised, in the campaign's time: "Mon 13 Apr 2020 10:02 BST"."""
        return self.created_at.astimezone(self.zone).strftime("%a %d %b %Y %H:%M %Z")

    def labelled(self) -> list[tuple[str, str]]:
        """The facts shown as "label: value" pairs, the known ones first."""
        pairs = [
            (label, _text(self.facts[name]))
            for name, label in LABELS.items()
            if _given(self.facts.get(name))
        ]
        skipped = {*LABELS, *PLACED, *FOR_MACHINES}
        for name, value in self.facts.items():
            if name not in skipped and _given(value):
                pairs.append((_label(name), _text(value)))
        return pairs

    @property
    def lines(self) -> list[str]:
        value = self.facts.get("lines")
        if isinstance(value, list | tuple):
            return [_text(line) for line in value if _given(line)]
        return [_text(value)] if _given(value) else []

    @property
    def what_to_do(self) -> str | None:
        value = self.facts.get("what_to_do")
        return _text(value) if _given(value) else None


def _given(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{_label(str(k))}: {_text(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _label(name: str) -> str:
    words = name.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def email_text(alert: AlertContent) -> str:
    """The body of the email: the title, the facts in words, what to do, the link."""
    parts = [alert.title, ""]
    parts += [f"{label}: {value}" for label, value in alert.labelled()]
    if alert.lines:
        parts += ["", *(f"- {line}" for line in alert.lines)]
    if alert.what_to_do:
        parts += ["", f"What to do: {alert.what_to_do}"]
    if alert.link:
        parts += ["", f"Open the dashboard: {alert.link}"]
    campaign = alert.campaign_name or "every campaign"
    parts += [
        "",
        "--",
        f"Campaign: {campaign}. Raised {alert.raised} ({alert.severity}, {alert.topic}).",
        "Sent by the campaign scheduler's alerts; each alert is sent once to each channel.",
    ]
    return "\n".join(parts) + "\n"


def email_message(
    alert: AlertContent, *, sender: str, to: tuple[str, ...], delivery_key: str, message_id: str
) -> EmailMessage:
    """The plain-text email, with headers that let a mail system drop a repeat."""
    message = EmailMessage(policy=ONE_LINE_HEADERS)
    message["Subject"] = alert.subject
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = alert.created_at
    message["Message-ID"] = message_id
    message["X-Campaign-Alert-Key"] = delivery_key
    message["X-Campaign-Alert-Severity"] = alert.severity
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    message.set_content(email_text(alert))
    return message


def teams_payload(alert: AlertContent) -> dict[str, Any]:
    """An Adaptive Card in the incoming-webhook message shape (`type: message`, one attachment
    of content type application/vnd.microsoft.card.adaptive), which Teams Workflows webhooks
    and the older connectors both accept."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": alert.title,
            "size": "Medium",
            "weight": "Bolder",
            "color": CARD_COLOURS.get(alert.severity, "Default"),
            "wrap": True,
        },
        {
            "type": "TextBlock",
            "text": f"{alert.campaign_name or 'Every campaign'} · {alert.severity} · "
            f"{alert.raised}",
            "isSubtle": True,
            "spacing": "None",
            "wrap": True,
        },
    ]
    facts = alert.labelled()
    if facts:
        body.append({"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in facts]})
    for line in alert.lines:
        body.append({"type": "TextBlock", "text": f"- {line}", "wrap": True, "spacing": "Small"})
    if alert.what_to_do:
        body.append({"type": "TextBlock", "text": f"What to do: {alert.what_to_do}", "wrap": True})
    card: dict[str, Any] = {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if alert.link:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": "Open the dashboard", "url": alert.link}
        ]
    return {
        "type": "message",
        "summary": alert.subject,
        "attachments": [{"contentType": CARD_TYPE, "contentUrl": None, "content": card}],
    }


def _slack_escape(text: str) -> str:
    """Slack's mrkdwn reads &, < and > as markup: escape them as its documentation says."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(alert: AlertContent) -> dict[str, Any]:
    """`text` (what notifications and old clients show) and `blocks` (the message itself)."""
    details = [f"*{_slack_escape(k)}:* {_slack_escape(v)}" for k, v in alert.labelled()]
    details += [f"• {_slack_escape(line)}" for line in alert.lines]
    if alert.what_to_do:
        details.append(f"*What to do:* {_slack_escape(alert.what_to_do)}")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": alert.title[:150]}},
    ]
    if details:
        text = "\n".join(details)
        if len(text) > SLACK_TEXT_LIMIT:
            text = text[: SLACK_TEXT_LIMIT - 1] + "…"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    if alert.link:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open the dashboard"},
                        "url": alert.link,
                    }
                ],
            }
        )
    context = f"{alert.campaign_name or 'Every campaign'} · {alert.severity} · {alert.raised}"
    blocks.append({"type": "context", "elements": [{"type": "plain_text", "text": context}]})
    return {"text": alert.subject, "blocks": blocks}


def webhook_payload(alert: AlertContent) -> dict[str, Any]:
    """The generic JSON body: every field by name, times in ISO 8601 UTC."""
    campaign = (
        {"slug": alert.campaign_slug, "name": alert.campaign_name} if alert.campaign_slug else None
    )
    return {
        "key": alert.key,
        "topic": alert.topic,
        "severity": alert.severity,
        "title": alert.title,
        "facts": alert.facts,
        "campaign": campaign,
        "created_at": alert.created_at.isoformat(),
        "link": alert.link,
    }
