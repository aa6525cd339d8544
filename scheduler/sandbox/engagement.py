"""Deterministic engagement: how a post's numbers grow with (sandbox clock) age.

Every count follows a saturating curve `scale * (1 - exp(-age / tau))`, floored, where scale
and tau come from a hash of the seed, the post id and the metric. Same seed and same ages give
the same numbers; a later age never gives a smaller number. Tests call these functions to know
the totals the sandbox will report.
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

# Typical final totals for a police awareness post (order of magnitude only).
SCALES: dict[str, float] = {
    "impressions": 3_000.0,
    "likes": 80.0,
    "retweets": 20.0,
    "replies": 8.0,
    "quotes": 4.0,
    "bookmarks": 6.0,
    "link_clicks": 50.0,
    "profile_clicks": 12.0,
    "shares": 25.0,
    "comments": 15.0,
    "views": 4_000.0,
    "clicks": 90.0,
    "reaction.like": 60.0,
    "reaction.love": 15.0,
    "reaction.wow": 4.0,
    "reaction.sad": 8.0,
    "reaction.angry": 2.0,
    "reaction.haha": 1.0,
}
REACTION_TYPES = ("like", "love", "wow", "haha", "sad", "angry")
BASE_TAU_HOURS = 8.0


def _unit(seed: int, post_id: str, metric: str) -> float:
    """A number in [0, 1) fixed by seed, post and metric."""
    digest = hashlib.sha256(f"{seed}:{post_id}:{metric}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _seconds(age: timedelta | float) -> float:
    return age.total_seconds() if isinstance(age, timedelta) else float(age)


def engagement(seed: int, post_id: str, metric: str, age: timedelta | float) -> int:
    """The count of `metric` for a post `age` old (seconds or timedelta); 0 before creation."""
    seconds = _seconds(age)
    if seconds <= 0:
        return 0
    scale = SCALES[metric] * (0.5 + _unit(seed, post_id, metric))
    tau = BASE_TAU_HOURS * 3600 * (0.5 + _unit(seed, post_id, metric + ":tau"))
    return math.floor(scale * (1.0 - math.exp(-seconds / tau)))


def x_metrics(seed: int, tweet_id: str, age: timedelta | float) -> dict[str, dict[str, int]]:
    """The three X metric groups of a tweet, as the X API v2 names their fields."""

    def e(metric: str) -> int:
        return engagement(seed, tweet_id, metric, age)

    impressions, likes, retweets, replies = (
        e("impressions"),
        e("likes"),
        e("retweets"),
        e("replies"),
    )
    quotes, bookmarks = e("quotes"), e("bookmarks")
    link_clicks, profile_clicks = e("link_clicks"), e("profile_clicks")
    return {
        "public_metrics": {
            "retweet_count": retweets,
            "reply_count": replies,
            "like_count": likes,
            "quote_count": quotes,
            "bookmark_count": bookmarks,
            "impression_count": impressions,
        },
        "non_public_metrics": {
            "impression_count": impressions,
            "url_link_clicks": link_clicks,
            "user_profile_clicks": profile_clicks,
            "engagements": likes + retweets + replies + quotes + link_clicks + profile_clicks,
        },
        "organic_metrics": {
            "impression_count": impressions,
            "like_count": likes,
            "reply_count": replies,
            "retweet_count": retweets,
            "url_link_clicks": link_clicks,
            "user_profile_clicks": profile_clicks,
        },
    }


def facebook_metrics(seed: int, post_id: str, age: timedelta | float) -> dict[str, object]:
    """A Page post's counts: `shares`, `reactions`, `comments` and the current insights.

    `post_reactions_by_type_total` is a dict by reaction type whose sum is `reactions`;
    `post_total_media_view_unique` is a stable fraction of `post_media_view`.
    """
    by_type = {kind: engagement(seed, post_id, f"reaction.{kind}", age) for kind in REACTION_TYPES}
    views = engagement(seed, post_id, "views", age)
    unique_share = 0.55 + 0.3 * _unit(seed, post_id, "unique")
    return {
        "shares": engagement(seed, post_id, "shares", age),
        "reactions": sum(by_type.values()),
        "comments": engagement(seed, post_id, "comments", age),
        "post_media_view": views,
        "post_total_media_view_unique": math.floor(views * unique_share),
        "post_clicks": engagement(seed, post_id, "clicks", age),
        "post_reactions_by_type_total": {k: v for k, v in by_type.items() if v},
    }
