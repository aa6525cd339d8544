"""The post state machine: one table of moves, an illegal move raises, every move is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from campaign.planning import store_plan
from campaign.store import AuditRow, PostRow, PostState, Store
from campaign.store.transitions import ALLOWED, IllegalTransition, transition

SLUG = "stalking-awareness-week-2020"
KEY = "2020-04-20-x"
MOVES = [(before, after) for before, targets in ALLOWED.items() for after in sorted(targets)]


@pytest.fixture
def planned(store: Store, shipped_config) -> Store:
    store_plan(shipped_config, store, "officer")
    return store


def _force(store: Store, state: PostState) -> None:
    """Put the post in `state` directly (test set-up, not a move of the product)."""
    with store.transaction() as session:
        session.execute(update(PostRow).where(PostRow.key == KEY).values(state=state))


def _audit(store: Store) -> list[AuditRow]:
    return [e for e in store.audit_log(SLUG) if e.details.get("post") == KEY]


def test_every_state_has_a_row_in_the_table():
    assert set(ALLOWED) == set(PostState)
    assert ALLOWED[PostState.PUBLISHED] == ALLOWED[PostState.ABANDONED] == frozenset()


@pytest.mark.parametrize(("before", "after"), MOVES, ids=[f"{b}-{a}" for b, a in MOVES])
def test_an_allowed_move_sets_the_state_and_writes_one_audit_row(planned, clock, before, after):
    _force(planned, before)
    seen = len(_audit(planned))
    now = clock.now() + timedelta(minutes=5)
    with planned.transaction() as session:
        row = session.scalar(select(PostRow).where(PostRow.key == KEY))
        campaign = planned.campaign(SLUG, session)
        transition(session, campaign, row, after, "tester", now, reason="because")
    [post] = planned.posts(SLUG, keys=[KEY])
    assert post.state is after and post.updated_at == now
    [entry] = _audit(planned)[seen:]
    assert (entry.action, entry.actor, entry.at) == (str(after), "tester", now)
    assert entry.details["previous_state"] == before and entry.details["new_state"] == after
    assert entry.details["reason"] == "because"


ILLEGAL = [
    (before, after) for before in PostState for after in PostState if after not in ALLOWED[before]
]


@pytest.mark.parametrize(("before", "after"), ILLEGAL, ids=[f"{b}-{a}" for b, a in ILLEGAL])
def test_an_illegal_move_raises_and_changes_nothing(planned, clock, before, after):
    _force(planned, before)
    seen = len(_audit(planned))
    with pytest.raises(IllegalTransition, match=f"{before} -> {after} is not allowed"):
        with planned.transaction() as session:
            row = session.scalar(select(PostRow).where(PostRow.key == KEY))
            transition(session, planned.campaign(SLUG, session), row, after, "t", clock.now())
    [post] = planned.posts(SLUG, keys=[KEY])
    assert post.state is before
    assert len(_audit(planned)) == seen


def test_a_published_post_cannot_be_withdrawn_into_a_draft(planned, clock):
    """The product's own paths check the table too: publishing can never be undone."""
    _force(planned, PostState.PUBLISHED)
    with pytest.raises(IllegalTransition):
        with planned.transaction() as session:
            row = session.scalar(select(PostRow).where(PostRow.key == KEY))
            transition(
                session, planned.campaign(SLUG, session), row, PostState.DRAFT, "t", clock.now()
            )


def test_the_state_is_the_enum_and_an_unknown_state_is_refused(planned):
    [post] = planned.posts(SLUG, keys=[KEY])
    assert type(post.state) is PostState and post.state is PostState.DRAFT
    with pytest.raises(Exception, match="'sent' is not a valid PostState"):
        _force(planned, "sent")  # type: ignore[arg-type]
    [post] = planned.posts(SLUG, keys=[KEY])
    assert post.state is PostState.DRAFT
