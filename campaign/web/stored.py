"""A campaign whose files this server cannot read, shown from what is stored.

Its posts, times (in its timezone), accounts and states are all in the database, so officers
still see what will go out and can pause it; cards, checks and sign-off need the files.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template

from campaign.present.platforms import display_name
from campaign.present.status import PostStatusView, post_status
from campaign.present.times import short_time
from campaign.render import stored_variants
from campaign.store.models import PostRow
from campaign.web.current import CampaignPage
from campaign.web.status import Banner


@dataclass(frozen=True)
class StoredPost:
    key: str
    when: str
    platform: str
    account: str
    text: str
    status: PostStatusView
    # Its texts by language, for a post written in several: (tag, first part) each.
    texts: tuple[tuple[str, str], ...] = ()


def stored_posts(page: CampaignPage, rows: list[PostRow]) -> list[StoredPost]:
    now = page.store.clock.now()
    posts = []
    for row in rows:
        parts = [str(part) for part in row.parts] or [""]
        account = row.account.handle or row.account.name
        posts.append(
            StoredPost(
                row.key,
                short_time(row.scheduled_at, page.zone),
                display_name(row.account.platform),
                account,
                parts[0] if len(parts) == 1 else f"{parts[0]} (+{len(parts) - 1} more parts)",
                post_status(row, page.zone, now),
                tuple(
                    (variant.lang, variant.parts[0] if variant.parts else "")
                    for variant in stored_variants(row.variants)
                ),
            )
        )
    return posts


def stored_page(page: CampaignPage, rows: list[PostRow], top: Banner) -> str:
    return render_template(
        "stored.html.j2", banner=top, problem=page.problem, posts=stored_posts(page, rows)
    )
