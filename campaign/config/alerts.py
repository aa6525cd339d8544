"""`[alerts]`: who is told when something goes wrong, through which channel, and when.

A channel is one destination: an email list (SMTP with STARTTLS), a Microsoft Teams or Slack
incoming webhook, or a generic JSON webhook. Secrets are named, never written: the SMTP user
and password and every webhook address (a webhook URL is itself a secret: whoever has it can
post) come from the environment variables a channel names. Each channel says what it wants:
the lowest severity it is sent, and optionally only some topics or some campaigns.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from campaign.config.accounts import LOOPBACK_HOSTS
from campaign.config.base import Frozen, Slug

Severity = Literal["info", "warning", "critical"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "critical": 2}

# Everything worth a message, with how serious it is. A channel gets a topic when the topic's
# severity is at least the channel's `severity` (and, if it lists topics, the topic is listed).
TOPICS: dict[str, Severity] = {
    "post-failed": "critical",  # the platform refused it for good
    "post-missed": "critical",  # not sent within the grace window
    "post-partial": "critical",  # a thread stopped with its first parts public
    "post-late": "warning",  # went out, but later than `late_minutes`
    "account-held": "critical",  # the platform refused the account's credentials
    "token-expiring": "warning",  # a token the platform says expires soon
    "paused": "warning",  # publishing paused (who, why)
    "resumed": "info",  # publishing resumed (who, why)
    "no-daemon": "critical",  # the dead man's switch: a post is due and nothing will send it
    "approvals-due": "warning",  # morning: posts of the next 24 hours not yet approved
    "morning-digest": "info",  # morning: what goes out today
    "campaign-summary": "info",  # after the last day: engagement, with a link to the report
    "channel-test": "info",  # `campaign alerts test`: proves a channel works
}
Topic = Literal[
    "post-failed",
    "post-missed",
    "post-partial",
    "post-late",
    "account-held",
    "token-expiring",
    "paused",
    "resumed",
    "no-daemon",
    "approvals-due",
    "morning-digest",
    "campaign-summary",
    "channel-test",
]
# The settings that belong to some kinds of channel only, and those kinds.
KIND_SETTINGS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("to", "sender", "host", "port", "security", "username_env", "password_env"), ("email",)
    ),
    "url_env": ("teams", "slack", "webhook"),
    "secret_env": ("webhook",),
}
ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _a(kind: str) -> str:
    return f"an {kind}" if kind == "email" else f"a {kind}"


def own_settings(kind: str) -> set[str]:
    """The kind-specific settings a channel of `kind` takes."""
    return {name for name, kinds in KIND_SETTINGS.items() if kind in kinds}


class AlertChannel(Frozen):
    """One destination of alerts; which fields it needs depends on its `kind`."""

    kind: Literal["email", "teams", "slack", "webhook"]
    severity: Severity = "warning"
    topics: tuple[Topic, ...] = ()  # empty: every topic of at least `severity`
    campaigns: tuple[Slug, ...] = ()  # empty: every campaign (useful in organisation.toml)
    # email
    to: tuple[str, ...] = ()
    sender: str | None = None
    host: str | None = None
    port: int = Field(default=587, gt=0, lt=65536)
    # "starttls" (port 587), "tls" (port 465), or "none": only to this machine (a test or
    # rehearsal sink), never across a network, where the password would travel in clear.
    security: Literal["starttls", "tls", "none"] = "starttls"
    username_env: str | None = None
    password_env: str | None = None
    # teams, slack, webhook: the variable holding the webhook's address
    url_env: str | None = None
    # webhook: the variable holding a shared secret; the body is signed with HMAC-SHA256
    secret_env: str | None = None

    @field_validator("username_env", "password_env", "url_env", "secret_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not ENV_NAME.fullmatch(value):
            raise ValueError(
                "must be the NAME of an environment variable (capitals, digits, underscores), "
                'not a secret, e.g. "FORCE_ALERTS_TEAMS_URL"'
            )
        return value

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for address in value:
            if not EMAIL.fullmatch(address):
                raise ValueError(f"{address!r} is not an email address")
        return value

    @model_validator(mode="after")
    def _fields_of_its_kind(self) -> AlertChannel:
        """A setting of another kind (a Teams channel with `to`) means two channels were mixed
        up: ignoring it would leave someone waiting for an email that never comes."""
        # Compared with the defaults, not by what was written: a stored channel has them all.
        given = {
            name
            for name in KIND_SETTINGS
            if getattr(self, name) != type(self).model_fields[name].default
        }
        foreign = sorted(given - own_settings(self.kind))
        if foreign:
            owners = sorted({kind for name in foreign for kind in KIND_SETTINGS[name]})
            raise ValueError(
                f"{', '.join(foreign)}: not a setting of {_a(self.kind)} channel (only of "
                f"{' or '.join(owners)} channels): remove it, or give this channel the kind "
                "it was meant to have"
            )
        return self

    @model_validator(mode="after")
    def _complete(self) -> AlertChannel:
        if self.kind == "email":
            missing = [name for name in ("to", "sender", "host") if not getattr(self, name)]
            if missing:
                raise ValueError(
                    f"an email channel needs {', '.join(missing)} "
                    '(e.g. to = ["comms-duty@force.police.uk"], sender = '
                    '"campaign-alerts@force.police.uk", host = "smtp.force.police.uk")'
                )
            if self.sender and not EMAIL.fullmatch(self.sender):
                raise ValueError(f"sender {self.sender!r} is not an email address")
            if (self.username_env is None) != (self.password_env is None):
                raise ValueError("give both username_env and password_env, or neither")
            if self.security == "none" and self.host not in LOOPBACK_HOSTS:
                raise ValueError(
                    'security = "none" is only for a server on this machine (127.0.0.1): '
                    'use "starttls" (port 587) or "tls" (port 465)'
                )
        elif self.url_env is None:
            raise ValueError(
                f"a {self.kind} channel needs url_env: the NAME of the environment variable "
                'holding the webhook address, e.g. url_env = "FORCE_ALERTS_WEBHOOK_URL"'
            )
        return self

    def wants(self, topic: str, campaign_slug: str | None) -> bool:
        """Whether this channel is sent `topic` about `campaign_slug` (None: no one campaign)."""
        if self.topics and topic not in self.topics:
            return False
        if not self.topics and SEVERITY_RANK[TOPICS[topic]] < SEVERITY_RANK[self.severity]:
            return False
        elsewhere = campaign_slug is not None and campaign_slug not in self.campaigns
        return not (self.campaigns and elsewhere)


class Alerts(Frozen):
    """When alerts are raised, and where they go (`channels`, by name)."""

    # The dead man's switch: alert when a post is due within this many minutes and no
    # publishing service is running.
    lead_minutes: float = Field(default=30, gt=0, le=24 * 60)
    # A post that went out later than this after its time is reported late.
    late_minutes: float = Field(default=5, ge=0)
    # The campaign's local time of the morning messages (digest, approvals due).
    morning: time = time(7, 0)
    # Preflight warns of tokens that expire within this many days (where the platform says).
    token_warning_days: int = Field(default=14, ge=0)
    # The dashboard's address, for links in messages (e.g. "https://campaigns.force.local").
    dashboard_url: str | None = None
    channels: dict[Slug, AlertChannel] = Field(default_factory=dict)

    @field_validator("morning", mode="before")
    @classmethod
    def _time_of_day(cls, value: object) -> object:
        if isinstance(value, str):
            # HH:MM as people write it; HH:MM:SS as a plan stores it.
            match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::00)?", value.strip())
            if match is None or int(match[1]) > 23 or int(match[2]) > 59:
                raise ValueError(f'{value!r} is not a time of day: write it as HH:MM, e.g. "07:00"')
            return time(int(match[1]), int(match[2]))
        return value

    @property
    def lead(self) -> timedelta:
        return timedelta(minutes=self.lead_minutes)

    @property
    def late(self) -> timedelta:
        return timedelta(minutes=self.late_minutes)

    @field_validator("dashboard_url")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s/?#]+[^\s?#]*", value):
            raise ValueError("must be the dashboard's address, e.g. https://campaigns.force.local")
        return value.rstrip("/") if value else value
