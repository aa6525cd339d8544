"""Plan-level rule: the week must fit each account's posting caps (a thread part is a post)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta

from campaign.checks.findings import Finding
from campaign.config import CampaignConfig
from campaign.present.times import short_time
from campaign.render import RenderedPost


def check_limits(posts: list[RenderedPost], config: CampaignConfig) -> Iterator[Finding]:
    """Error for every window in which an account would send more than its cap allows."""
    sends: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for post in posts:
        sends[post.channel] += [(post.scheduled_at, post.key)] * len(post.parts)
    for channel, moments in sends.items():
        moments.sort()
        for window, cap in config.accounts[channel].limits.items():
            yield from _over(channel, moments, window, cap, config)


def _over(
    channel: str,
    moments: list[tuple[datetime, str]],
    window: timedelta,
    cap: int,
    config: CampaignConfig,
) -> Iterator[Finding]:
    start = 0
    for end, (moment, key) in enumerate(moments):
        while moment - moments[start][0] >= window:
            start += 1
        count = end - start + 1
        if count > cap:
            first = moments[start][0].astimezone(config.zone)
            yield Finding(
                severity="error",
                rule="posting-limit",
                message=(
                    f"{count} sends on {channel} within {_words(window)} from "
                    f"{short_time(first, config.zone)} (the account's limit is {cap}); the "
                    "platform would refuse the excess on the day"
                ),
                fix="spread the posts out, shorten threads, or set the account's tier/limits",
                key=key,
                day=moment.astimezone(config.zone).date().isoformat(),
                channel=channel,
            )
            return


def _words(window: timedelta) -> str:
    minutes = int(window.total_seconds() // 60)
    return f"{minutes // 60} hours" if minutes % 60 == 0 else f"{minutes} minutes"
