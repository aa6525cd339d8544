"""How a finding names its place: the campaign, the post's day and local time, its channel and
key, or the account, so an officer finds it on the dashboard or in `campaign status`."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from campaign.present.platforms import display_name
from campaign.present.times import short_time
from campaign.store.models import CampaignRow, PostRow


def post_place(campaign: CampaignRow, post: PostRow) -> str:
    """'Stalking Awareness Week / Mon 20 Apr 10:00 BST / X (x) / 2020-04-20-x'."""
    when = short_time(post.scheduled_at, ZoneInfo(campaign.timezone))
    platform = display_name(post.account.platform)
    return f"{campaign.name} / {when} / {platform} ({post.channel}) / {post.key}"


def post_words(campaign: CampaignRow, post: PostRow) -> str:
    """'the Mon 20 Apr 10:00 BST X post 2020-04-20-x ("Recognising stalking")'."""
    when = short_time(post.scheduled_at, ZoneInfo(campaign.timezone))
    platform = display_name(post.account.platform)
    return f'the {when} {platform} post {post.key} ("{post.theme}")'
