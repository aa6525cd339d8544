"""Plan-level rules: the week must fit each account's posting caps (a thread part is a post),
alone and together with what other campaigns in the database plan on the same accounts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from campaign.checks.findings import Finding
from campaign.config import CampaignConfig
from campaign.present.times import short_time
from campaign.render import RenderedPost

if TYPE_CHECKING:
    from campaign.store.across import OtherSend


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
    for start, end in over_cap(moments, window, cap):
        moment, key = moments[end]
        first = moments[start][0].astimezone(config.zone)
        yield Finding(
            severity="error",
            rule="posting-limit",
            message=(
                f"{end - start + 1} sends on {channel} within {words(window)} from "
                f"{short_time(first, config.zone)} (the account's limit is {cap}); the "
                "platform would refuse the excess on the day"
            ),
            fix="spread the posts out, shorten threads, or set the account's tier/limits",
            key=key,
            day=moment.astimezone(config.zone).date().isoformat(),
            channel=channel,
        )
        return


def over_cap(
    moments: Sequence[tuple[datetime, str]], window: timedelta, cap: int
) -> Iterator[tuple[int, int]]:
    """(first, last) indexes of each send (`moments` in time order) that takes the sends
    within `window` before it, itself included, over `cap`."""
    start = 0
    for end, (moment, _) in enumerate(moments):
        while moment - moments[start][0] >= window:
            start += 1
        if end - start + 1 > cap:
            yield start, end


def words(window: timedelta) -> str:
    """'3 hours', '15 minutes': a cap's window in words."""
    minutes = int(window.total_seconds() // 60)
    return f"{minutes // 60} hours" if minutes % 60 == 0 else f"{minutes} minutes"


def check_shared_limits(
    posts: list[RenderedPost],
    config: CampaignConfig,
    others: Sequence[OtherSend],
    identities: Mapping[str, str],
) -> Iterator[Finding]:
    """Error for every window in which this campaign's sends on an account, together with the
    sends other campaigns stored in the database plan on the same account (`others`, matched
    by `identities`: channel -> account identity), go over the account's cap while this
    campaign's alone do not (those `check_limits` reports)."""
    ours: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for post in posts:
        ours[post.channel] += [(post.scheduled_at, post.key)] * len(post.parts)
    for channel, identity in identities.items():
        theirs = [send for send in others if send.identity == identity]
        if not theirs or not ours[channel]:
            continue
        moments: list[tuple[datetime, str, str | None]] = [
            (at, key, None) for at, key in ours[channel]
        ]
        moments += [
            (send.at, send.key, send.campaign) for send in theirs for _ in range(send.parts)
        ]
        moments.sort(key=lambda item: item[0])
        for window, cap in config.accounts[channel].limits.items():
            yield from _shared_over(channel, moments, window, cap, config)


def _shared_over(
    channel: str,
    moments: list[tuple[datetime, str, str | None]],
    window: timedelta,
    cap: int,
    config: CampaignConfig,
) -> Iterator[Finding]:
    """The first window over the cap that only the other campaigns' sends push over it."""
    start = own = 0
    for end, (moment, _, campaign) in enumerate(moments):
        own += campaign is None
        while moment - moments[start][0] >= window:
            own -= moments[start][2] is None
            start += 1
        count = end - start + 1
        if count <= cap or not own or own > cap:
            continue
        first = moments[start][0]
        stop = end + 1  # every send of the window from `first`, to say how far over it goes
        while stop < len(moments) and moments[stop][0] - first < window:
            stop += 1
        inside = moments[start:stop]
        count, own = len(inside), sum(1 for _, _, campaign in inside if campaign is None)
        names = sorted({campaign for _, _, campaign in inside if campaign is not None})
        yield Finding(
            severity="error",
            rule="posting-limit-shared",
            message=(
                f"{count} sends on {channel} within {words(window)} from "
                f"{short_time(first, config.zone)}: {own} of {config.campaign.name} and "
                f"{count - own} of {_and(names)}, on the same account (its limit is {cap}); "
                "together the platform would refuse the excess on the day"
            ),
            fix=(
                f"move posts of {config.campaign.name} or of {_and(names)} apart, shorten "
                "threads, or set the account's tier/limits"
            ),
            key=[key for _, key, campaign in inside if campaign is None][-1],
            day=moment.astimezone(config.zone).date().isoformat(),
            channel=channel,
        )
        return


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
