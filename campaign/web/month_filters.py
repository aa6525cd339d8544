"""The month calendar's filters: platform, state, needs my approval, and a list layout.

The same plain GET form as the week's, kept in the address. Across campaigns a channel is a
platform ("X", "Facebook"): an account may serve several campaigns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import abort
from sqlalchemy import select

from campaign.content.source import ORIGIN_BROWSER
from campaign.present.platforms import display_name
from campaign.states import PostState
from campaign.store import Store
from campaign.store.content_rows import RevisionRow
from campaign.store.models import PostRow
from campaign.web.week_filters import STATES, Choice, state_choices

__all__ = ["PLATFORMS", "MonthFilter", "authors", "month_filter", "state_choices"]

PLATFORMS = [Choice(name, display_name(name)) for name in ("x", "facebook")]


@dataclass(frozen=True)
class MonthFilter:
    channel: str = ""  # a platform
    state: str = ""
    mine: bool = False
    compact: bool = False  # one line per post, by day, instead of the grid

    @property
    def active(self) -> bool:
        return bool(self.channel or self.state or self.mine)

    def args(self) -> dict[str, str]:
        """This filter as address arguments, for links that keep it (other months)."""
        pairs = {"channel": self.channel, "state": self.state, "mine": "1" if self.mine else ""}
        pairs["view"] = "list" if self.compact else ""
        return {name: value for name, value in pairs.items() if value}

    def keeper(self, user: str, written: Mapping[int, str]) -> Callable[[PostRow], bool]:
        """Whether a post is shown: `written` is who wrote each post's current revision."""

        def keep(post: PostRow) -> bool:
            if self.channel and post.account.platform != self.channel:
                return False
            if self.state and post.state != self.state:
                return False
            if self.mine:
                return post.state == PostState.DRAFT and written.get(post.id) != user
            return True

        return keep


def month_filter(args: Mapping[str, str]) -> MonthFilter:
    channel, state, view = args.get("channel", ""), args.get("state", ""), args.get("view", "")
    if channel and channel not in {choice.value for choice in PLATFORMS}:
        abort(400, description="There is no such channel: choose one from the list.")
    if state and state not in {str(value) for value, _ in STATES}:
        abort(400, description="There is no such state: choose one from the list.")
    if view not in ("", "grid", "list"):
        abort(400, description="Show the month as a grid or as a list.")
    return MonthFilter(channel, state, args.get("mine", "") in ("1", "on", "yes"), view == "list")


def authors(store: Store) -> dict[int, str]:
    """Who wrote each post's current revision in the dashboard, by post id, in every campaign
    (one query): the two-person rule does not count a version that came from the files."""
    with store.reading() as session:
        found = session.execute(
            select(PostRow.id, RevisionRow.author)
            .join(RevisionRow, RevisionRow.id == PostRow.revision_id)
            .where(RevisionRow.origin == ORIGIN_BROWSER)
        )
        return {post_id: author for post_id, author in found}
