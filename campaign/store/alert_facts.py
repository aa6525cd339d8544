"""What an alert about a post or an account says: which one, in plain words, and what to do.

A post is named as an officer knows it: its day and local time in the campaign's zone, its
platform and account ("The Monday 10:00 BST X post (@AnyshirePolice)"). The facts are plain
values (no secret, no config name), each shown in the messages as "Name: value"
(campaign/alerts/messages.py gives "when", "platform_message", "lines", "what_to_do" and "link"
places of their own).
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from campaign.errors import DuplicateContent, PolicyBlocked, PublishError
from campaign.present.platforms import display_name
from campaign.present.times import clock_time, short_time, weekday
from campaign.store.models import AccountRow, CampaignRow, PostRow

DUPLICATE, POLICY, MEDIA, OTHER = "duplicate", "policy", "media", "other"
PAIR = "pair"  # held: the other language's post of its pair did not go out (store/pairs.py)
_MEDIA_WORDS = re.compile(r"\b(media|image|photo|attached_media|attachment)", re.IGNORECASE)

# Why it failed, in a few words after "failed: " (the platform's own message follows it).
HEADLINES = {
    DUPLICATE: "{platform} refused it as a duplicate of a post already on the account",
    POLICY: "{platform} refused its content under the platform's rules",
    MEDIA: "{platform} refused its image",
    OTHER: "{platform} did not accept it",
    PAIR: "held back because the other language's post of its pair did not go out",
}
WHAT_TO_DO = {
    DUPLICATE: (
        "Look at the account: the same text may already be there. If it is not, change the "
        "wording (a few words are enough), approve the post again and it will be sent."
    ),
    POLICY: (
        "Read the platform's message, change the text or image it objects to, and approve the "
        "post again. If the refusal looks wrong, ask the platform to review it."
    ),
    MEDIA: (
        "Check the post's image: the file may be missing, too large or in a format the "
        "platform refuses. Replace it, approve the post again and it will be sent."
    ),
    OTHER: (
        "Read the platform's message. If the platform was down, approve the post again to "
        "send it, or publish it by hand; the dashboard's status page shows the account."
    ),
    PAIR: (
        "A pair goes out together, so one language never goes out without the other. Read "
        "the alert about the other post, fix it, then approve the pair again: both are sent."
    ),
}


def failure_kind(error: PublishError) -> str:
    """What kind of refusal this is, which decides the advice an alert gives."""
    if isinstance(error, DuplicateContent):
        return DUPLICATE
    if isinstance(error, PolicyBlocked):
        return POLICY
    if _MEDIA_WORDS.search(str(error)):
        return MEDIA
    return OTHER


def account_name(account: AccountRow) -> str:
    """'@AnyshirePolice' (an X handle), else the account's name ('Anyshire Police', a Page)."""
    handle = account.handle or ""
    return handle if handle.startswith("@") else account.name


def post_phrase(post: PostRow, campaign: CampaignRow, account: AccountRow) -> str:
    """'The Monday 10:00 BST X post (@AnyshirePolice)': a post as an officer names it."""
    zone = ZoneInfo(campaign.timezone)
    local = post.scheduled_at.astimezone(zone)
    return (
        f"The {weekday(local.date())} {clock_time(local, zone)} "
        f"{display_name(account.platform)} post ({account_name(account)})"
    )


def post_facts(post: PostRow, campaign: CampaignRow, account: AccountRow) -> dict[str, Any]:
    """Which post, in the campaign's local time (the keys the messages show in words)."""
    return {
        "when": short_time(post.scheduled_at, ZoneInfo(campaign.timezone)),
        "platform": display_name(account.platform),
        "account": account_name(account),
        "post": post.key,
        "theme": post.theme,
    }


def post_line(post: PostRow, campaign: CampaignRow, account: AccountRow) -> str:
    """'Mon 20 Apr 10:00 BST X (@DerbyshirePolice): What stalking is': one post in a list."""
    facts = post_facts(post, campaign, account)
    return f"{facts['when']} {facts['platform']} ({facts['account']}): {post.theme}"


def account_facts(account: AccountRow) -> dict[str, Any]:
    """Which account, for people; `account_key` is for machines (messages leave it out)."""
    return {
        "platform": display_name(account.platform),
        "account": account_name(account),
        "account_key": account.key,
    }
