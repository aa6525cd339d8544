"""A post of a pair edited in the dashboard: it stays on its language's account, and the pair
needs approving again, both posts (an approval binds the pair)."""

from __future__ import annotations

from pathlib import Path

from campaign.clock import ManualClock
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import PostState, Store

SLUG = "hate-crime-awareness-week-cymru-2027"
PAIR_CY = "2027-10-11-x-cy"


def test_the_welsh_post_of_a_pair_is_edited_in_the_dashboard_on_its_own_account(
    welsh_week: Path, tmp_path: Path, clock: ManualClock
) -> None:
    """A pair's post is configured on the pair (`x`) and goes out on its language's account:
    an edit keeps it there, and the pair needs approving again."""
    store = Store.open(f"sqlite:///{tmp_path / 'first.db'}", clock)
    try:
        store_plan(load_config(welsh_week / "config.toml"), store, "planner")
        store.approve(SLUG, "approver", allow_self_approval=True)
        content = store.content(SLUG)
        welsh = content.sources[PAIR_CY]
        edited = store.edit_post(
            SLUG,
            PAIR_CY,
            welsh.with_changes(text=welsh.text.replace("Rhowch wybod i ni.", "Dywedwch wrthym.")),
            "officer.ana",
            base_revision=content.revisions[PAIR_CY].number,
        )
        assert edited.changed
        rows = {post.key: post for post in store.posts(SLUG)}
        assert rows[PAIR_CY].account.key == "x-cymraeg"
        assert "Dywedwch wrthym." in rows[PAIR_CY].parts[0]
        assert rows[PAIR_CY].state == PostState.DRAFT
        assert rows["2027-10-11-x-en"].state == PostState.DRAFT  # the pair is approved together
    finally:
        store.engine.dispose()
