"""A pair (one post per language, on separate accounts) is one unit for publishing.

The posts of a pair share `unit_key` in their campaign and go out in `unit_position` order
(`[languages] order`, Welsh first in Wales). Three rules, written once here:

- ORDER: a later language's post is due only once every earlier one of its pair is
  `published` (`earlier_all_published`, part of the claim's gate).
- PAUSED TOGETHER: no post of a pair is claimed while any account of the pair is paused or
  waiting for credentials (`partners_free`).
- ONE FAILS PERMANENTLY, THE OTHER IS HELD: when an earlier post failed, was missed, cancelled
  or abandoned, the later ones waiting for it become `failed` with a reason naming it
  (`hold_partners`), which raises the usual failed-post alert. An English post alone would
  treat Welsh less favourably (Welsh Language Standards); a retry of the pair sends both.

The gate's EXISTS subqueries read `ix_posts_campaign_unit`; a post without `unit_key` is
decided by the first term of an OR and never runs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from campaign.config.languages import language_name
from campaign.fingerprints import short_hash
from campaign.store.models import AccountRow, CampaignRow, PostRow, PostState
from campaign.store.transitions import transition

DAEMON = "daemon"
PAIR = "pair"  # the failure kind of a post held because its partner did not go out

# An earlier post in one of these states will never go out (until edited and approved again).
NOT_GOING_OUT = (PostState.FAILED, PostState.MISSED, PostState.CANCELLED, PostState.ABANDONED)
# An earlier post in one of these may still go out: the later ones wait for it.
MAY_GO_OUT = (PostState.SCHEDULED, PostState.PUBLISHING, PostState.PARTIAL)
_SAID = {
    PostState.FAILED: "failed",
    PostState.MISSED: "was missed",
    PostState.CANCELLED: "was cancelled",
    PostState.ABANDONED: "was abandoned part-way",
}


def _earlier() -> type[PostRow]:
    return aliased(PostRow, name="earlier_post")


def earlier_in(states: Sequence[PostState] | None = None) -> ColumnElement[bool]:
    """This post has an earlier post in its pair (in `states`, or in any state but
    published when None)."""
    earlier = _earlier()
    published = PostState.PUBLISHED
    state = earlier.state.in_(states) if states is not None else earlier.state != published
    return exists().where(
        earlier.campaign_id == PostRow.campaign_id,
        earlier.unit_key == PostRow.unit_key,
        earlier.unit_position < PostRow.unit_position,
        state,
    )


def earlier_all_published() -> ColumnElement[bool]:
    """A post alone, or one whose pair's earlier posts are all published: ORDER."""
    return or_(PostRow.unit_key.is_(None), ~earlier_in())


def pair_gate() -> ColumnElement[bool]:
    """ORDER and PAUSED TOGETHER: what a pair's post needs besides its own account's gate."""
    partner = aliased(PostRow, name="partner_post")
    account = aliased(AccountRow, name="partner_account")
    stopped = exists().where(
        partner.campaign_id == PostRow.campaign_id,
        partner.unit_key == PostRow.unit_key,
        partner.id != PostRow.id,
        account.id == partner.account_id,
        or_(account.paused.is_(True), account.needs_credentials.is_(True)),
    )
    return or_(PostRow.unit_key.is_(None), and_(~earlier_in(), ~stopped))


def stopped_partner(session: Session, row: PostRow) -> AccountRow | None:
    """The paused account of another post of this post's pair, if any (right before a create:
    a pause recorded since the claim stops the pair's posts too)."""
    if row.unit_key is None:
        return None
    return session.scalar(
        select(AccountRow)
        .join(PostRow, PostRow.account_id == AccountRow.id)
        .where(
            PostRow.campaign_id == row.campaign_id,
            PostRow.unit_key == row.unit_key,
            PostRow.id != row.id,
            AccountRow.paused.is_(True),
        )
        .limit(1)
    )


def partners(session: Session, rows: Sequence[PostRow]) -> dict[tuple[int, str], list[PostRow]]:
    """Every post of the pairs these rows belong to, by (campaign id, unit key), in order."""
    units = {(row.campaign_id, row.unit_key) for row in rows if row.unit_key is not None}
    if not units:
        return {}
    found: dict[tuple[int, str], list[PostRow]] = {}
    for campaign_id in {campaign_id for campaign_id, _ in units}:
        keys = [unit for cid, unit in units if cid == campaign_id]
        query = (
            select(PostRow)
            .where(PostRow.campaign_id == campaign_id, PostRow.unit_key.in_(keys))
            .order_by(PostRow.unit_position, PostRow.id)
        )
        for row in session.scalars(query):
            assert row.unit_key is not None
            found.setdefault((campaign_id, row.unit_key), []).append(row)
    return found


def language_of(row: PostRow) -> str:
    """The language a pair's post is written in, by name ("Cymraeg (Welsh)")."""
    return language_name(row.lang) if row.lang else "other-language"


def held_reason(earlier: PostRow) -> str:
    """Why a later post of a pair is not sent, in plain words."""
    said = _SAID.get(PostState(earlier.state), f"is {earlier.state}")
    return (
        f"Not sent: its {language_of(earlier)} post ({earlier.key}) {said}, and a pair goes "
        "out together (one language must not go out without the other). What to do: fix that "
        "post, then approve the pair again and both will be sent."
    )


def hold_partners(
    session: Session, scope_clause: ColumnElement[bool], now: datetime
) -> list[PostRow]:
    """Scheduled later posts whose earlier partner will not go out become `failed`, audited
    (which raises the failed-post alert), with the reason naming that partner."""
    rows = session.scalars(
        select(PostRow).where(
            scope_clause,
            PostRow.state == PostState.SCHEDULED,
            PostRow.unit_key.is_not(None),
            earlier_in(NOT_GOING_OUT),
        )
    ).all()
    if not rows:
        return []
    pairs = partners(session, rows)
    campaigns = {cid: session.get(CampaignRow, cid) for cid in {row.campaign_id for row in rows}}
    held = []
    for row in rows:
        assert row.unit_key is not None
        earlier = [
            other
            for other in pairs[(row.campaign_id, row.unit_key)]
            if other.unit_position < row.unit_position and other.state in NOT_GOING_OUT
        ]
        why = held_reason(earlier[0])
        row.last_error, row.next_attempt_at, row.claimed_by = why, None, None
        campaign = campaigns[row.campaign_id]
        assert campaign is not None
        transition(
            session,
            campaign,
            row,
            PostState.FAILED,
            DAEMON,
            now,
            reason=why,
            failure=PAIR,
            partner=earlier[0].key,
            attempts=row.attempts,
        )
        held.append(row)
    return held


def published_note(session: Session, row: PostRow) -> str:
    """For a pair's post that did not go out: which of its partners already did, or ""."""
    if row.unit_key is None:
        return ""
    out = session.scalars(
        select(PostRow)
        .where(
            PostRow.campaign_id == row.campaign_id,
            PostRow.unit_key == row.unit_key,
            PostRow.id != row.id,
            PostRow.state == PostState.PUBLISHED,
        )
        .order_by(PostRow.unit_position)
    ).all()
    if not out:
        return ""
    named = ", ".join(f"its {language_of(other)} post ({other.key})" for other in out)
    return (
        f" This post is one of a pair: {named} is already published, so the pair is out in "
        "one language only. Send this one by hand, or fix it and approve it again."
    )


@dataclass(frozen=True)
class PairStatus:
    """A pair as one unit, for a page: its posts in language order and one plain sentence."""

    keys: tuple[str, ...]
    languages: tuple[str, ...]  # each post's language tag ("cy", "en")
    states: tuple[str, ...]
    fingerprints: tuple[str, ...]  # what an approval of the pair names, KEY@FINGERPRINT each
    summary: str


def pair_status(rows: Sequence[PostRow]) -> PairStatus:
    """Where a pair stands (rows: its posts, accounts loaded, e.g. `Store.pair`)."""
    ordered = sorted(rows, key=lambda row: (row.unit_position, row.key))
    return PairStatus(
        keys=tuple(row.key for row in ordered),
        languages=tuple(row.lang or "" for row in ordered),
        states=tuple(str(row.state) for row in ordered),
        fingerprints=tuple(short_hash(row.content_hash) for row in ordered),
        summary=_summary(ordered),
    )


def _summary(rows: Sequence[PostRow]) -> str:
    names = [language_of(row) for row in rows]
    states = [PostState(row.state) for row in rows]
    out = [name for name, state in zip(names, states, strict=True) if state == PostState.PUBLISHED]
    if len(out) == len(rows):
        return f"Published in {' and '.join(names)}, in that order."
    stopped = [row for row, state in zip(rows, states, strict=True) if state in NOT_GOING_OUT]
    if stopped:
        first = stopped[0]
        said = _SAID.get(PostState(first.state), f"is {first.state}")
        lead = f"Out in {' and '.join(out)} only" if out else "Not sent"
        return (
            f"{lead}: its {language_of(first)} post ({first.key}) {said}. Fix it, then approve "
            "the pair again to send what is left."
        )
    paused = [row.account for row in rows if row.account.paused or row.account.needs_credentials]
    if paused:
        return (
            f"Waiting: the {paused[0].key} account is paused or needs new credentials, and a "
            "pair goes out together."
        )
    if all(state == PostState.DRAFT for state in states):
        return f"Waiting for approval: approve the {' and '.join(names)} posts together."
    order = ", then ".join(names)
    return f"Approved together: goes out in {order}."
