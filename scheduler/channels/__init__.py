"""Channels: one adapter per platform behind the small `Channel` interface (`base.py`).

`make_channel` builds the right one for an account, reading its secrets from the environment
variables the configuration names (never from the configuration itself).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from campaign.config import Account, CampaignConfig
from campaign.errors import AuthRejected
from scheduler.channels import threads
from scheduler.channels.base import (
    Channel,
    MetricReading,
    OutgoingMedia,
    OutgoingPost,
    PartSent,
    Sent,
)
from scheduler.channels.bluesky import BlueskyChannel
from scheduler.channels.facebook import DEFAULT_METRICS, FacebookChannel
from scheduler.channels.instagram import InstagramChannel
from scheduler.channels.mastodon import MastodonChannel
from scheduler.channels.x import XChannel

# The channels of the platforms after X and Facebook: platform -> a builder from the account,
# its credentials (name -> secret) and the request timeout in seconds.
ChannelBuilder = Callable[[Account, dict[str, str], float], Channel]
CHANNELS: dict[str, ChannelBuilder] = {
    "instagram": lambda account, credentials, timeout: InstagramChannel(
        account, credentials, timeout=timeout
    ),
    "bluesky": lambda account, credentials, timeout: BlueskyChannel(
        account, credentials, timeout=timeout
    ),
    "mastodon": lambda account, credentials, timeout: MastodonChannel(
        account, credentials, timeout=timeout
    ),
    "threads": threads.build,
}

__all__ = [
    "DEFAULT_METRICS",
    "Channel",
    "FacebookChannel",
    "MetricReading",
    "OutgoingMedia",
    "OutgoingPost",
    "PartSent",
    "Sent",
    "XChannel",
    "channels_for",
    "make_channel",
]


def make_channel(
    account: Account,
    environ: Mapping[str, str],
    *,
    timeout: float = 10.0,
    facebook_metrics: Sequence[str] = DEFAULT_METRICS,
) -> Channel:
    """The channel for `account`, with credentials read from `environ`.

    A missing or empty variable raises AuthRejected naming the variable (never a value), so
    the account's posts are held until someone exports it.
    """
    missing = [(name, var) for name, var in account.credentials.items() if not environ.get(var)]
    if missing:
        names = ", ".join(var for _, var in missing)
        hint = "; ".join(f"export {var}=<the {name} of {account.name}>" for name, var in missing)
        raise AuthRejected(
            f"{account.name}: environment variable(s) {names} not set: {hint}, then try again",
            platform=account.platform,
        )
    credentials = {name: environ[var] for name, var in account.credentials.items()}
    if account.platform == "x":
        return XChannel(account, credentials, timeout=timeout)
    if account.platform != "facebook":
        return CHANNELS[account.platform](account, credentials, timeout)
    return FacebookChannel(account, credentials, timeout=timeout, metrics=facebook_metrics)


def channels_for(
    config: CampaignConfig, environ: Mapping[str, str], *, timeout: float | None = None
) -> dict[str, Channel]:
    """A channel for every account of the campaign, with the configured metric names."""
    seconds = timeout if timeout is not None else config.publishing.request_timeout_seconds
    return {
        key: make_channel(
            account, environ, timeout=seconds, facebook_metrics=config.metrics.facebook
        )
        for key, account in config.accounts.items()
    }
