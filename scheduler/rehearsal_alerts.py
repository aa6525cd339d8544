"""A rehearsal's alerts: every configured channel pointed at a local stand-in, so a rehearsal
shows what the week would have told people without mailing or posting to anyone.

Email channels go to a real SMTP server on loopback (no login, no TLS: it is this machine),
Teams, Slack and webhook channels to a real HTTP receiver on loopback; the addresses come from
a rehearsal environment of its own, never from the real one. A campaign with no channel is
rehearsed with two (`EXAMPLE_CHANNELS`: a duty inbox told everything, a Teams channel told what
is critical), so a new user sees what alerts look like before configuring any.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Self

from campaign.config import AlertChannel, Alerts
from scheduler.sandbox.alert_sinks import SmtpSink, WebhookSink

SECRET = "rehearsal-signing-secret"
EXAMPLE_CHANNELS = {
    "duty-email": AlertChannel(
        kind="email",
        to=("comms-duty@example.police.uk",),
        sender="campaign-alerts@example.police.uk",
        host="smtp.example.police.uk",
        severity="info",
    ),
    "comms-teams": AlertChannel(kind="teams", url_env="EXAMPLE_TEAMS_URL", severity="critical"),
}


class AlertStandIns:
    """Loopback stand-ins for a campaign's alert channels, started and stopped together."""

    def __init__(self) -> None:
        self.mail = SmtpSink()
        self.hooks = WebhookSink()
        self.environ: dict[str, str] = {}

    def start(self) -> Self:
        self.mail.start()
        self.hooks.start()
        return self

    def stop(self) -> None:
        self.mail.stop()
        self.hooks.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def pointed(self, alerts: Alerts) -> Alerts:
        """The same settings with each channel sent to a stand-in (its routing unchanged); the
        example channels when there are none."""
        configured = alerts.channels or EXAMPLE_CHANNELS
        channels = {name: self._channel(name, channel) for name, channel in configured.items()}
        return alerts.model_copy(update={"channels": channels})

    def _channel(self, name: str, channel: AlertChannel) -> AlertChannel:
        if channel.kind == "email":
            return channel.model_copy(
                update={
                    "host": self.mail.host,
                    "port": self.mail.port,
                    "security": "none",
                    "username_env": None,
                    "password_env": None,
                }
            )
        variable = f"REHEARSAL_ALERTS_{name.upper().replace('-', '_')}_URL"
        self.environ[variable] = self.hooks.url(f"/{channel.kind}/{name}")
        if channel.secret_env is not None:
            self.environ[channel.secret_env] = SECRET
        return channel.model_copy(update={"url_env": variable})

    @staticmethod
    def examples_used(alerts: Alerts) -> bool:
        """Whether a rehearsal of these settings uses the example channels."""
        return not alerts.channels

    def received(self) -> Mapping[str, int]:
        """How many messages each kind of stand-in received: what the channels would have."""
        counts = {"email": len(self.mail.messages)} if self.mail.messages else {}
        for call in self.hooks.messages:
            kind = call.path.split("/")[1]
            counts[kind] = counts.get(kind, 0) + 1
        return counts
