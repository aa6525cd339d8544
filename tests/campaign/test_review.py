"""Review in the store: the two-person rule, comments, requests for changes, the queue."""

from __future__ import annotations

import pytest

from campaign.config import load_config
from campaign.errors import BadInput
from campaign.planning import store_plan
from campaign.store import Actor, Store
from campaign.store.review import OWN_WORK, OwnWork
from campaign.store.review_queue import CHANGED, NEEDS_APPROVAL, SENT_BACK
from tests.campaign.review_helpers import revise

SLUG = "stalking-awareness-week-2020"
MONDAY_X, MONDAY_FB = "2020-04-20-x", "2020-04-20-facebook"


@pytest.fixture
def planned(store: Store, campaign_dir) -> Store:
    store_plan(load_config(campaign_dir / "config.toml"), store, "officer")
    return store


def _state(store: Store, key: str) -> str:
    [row] = store.posts(SLUG, keys=[key])
    return str(row.state)


def test_whoever_wrote_the_latest_version_cannot_approve_it(planned):
    revise(planned, SLUG, MONDAY_X, "olive")
    with pytest.raises(OwnWork, match=f"you wrote the latest version of {MONDAY_X}"):
        planned.approve(SLUG, Actor.web("olive"), keys=[MONDAY_X])
    assert _state(planned, MONDAY_X) == "draft"
    result = planned.approve(SLUG, Actor.web("alice"), keys=[MONDAY_X])
    assert result.changed == [MONDAY_X]


def test_in_a_bulk_approval_own_posts_are_skipped_with_the_reason(planned):
    revise(planned, SLUG, MONDAY_X, "olive")
    result = planned.approve(SLUG, "olive")
    assert result.skipped == {MONDAY_X: OWN_WORK}
    assert MONDAY_FB in result.changed and MONDAY_X not in result.changed
    assert _state(planned, MONDAY_X) == "draft"


def test_a_version_from_the_files_names_no_author_so_whoever_planned_it_may_approve(planned):
    [revision] = planned.revisions(SLUG, MONDAY_X)
    assert (revision.origin, revision.author) == ("files", "officer")
    assert planned.approve(SLUG, "officer", keys=[MONDAY_X]).changed == [MONDAY_X]
    [item] = [item for item in planned.review.queue(SLUG) if item.row.key == MONDAY_FB]
    assert (item.author, item.planned_by) == (None, "officer")


def test_self_approval_true_in_the_config_lifts_the_rule(store, campaign_dir, edit):
    with open(campaign_dir / "config.toml", "a", encoding="utf-8") as config:
        config.write("\n[review]\nself_approval = true\n")
    store_plan(load_config(campaign_dir / "config.toml"), store, "officer")
    assert store.campaign(SLUG).settings["review"] == {"self_approval": True}
    revise(store, SLUG, MONDAY_X, "olive")
    assert store.approve(SLUG, "olive", keys=[MONDAY_X]).changed == [MONDAY_X]


def test_self_approval_can_be_set_once_for_the_force_in_organisation_toml(tmp_path, campaign_dir):
    (tmp_path / "organisation.toml").write_text("[review]\nself_approval = true\n", "utf-8")
    path = campaign_dir / "config.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "[campaign]\n", '[campaign]\norganisation_file = "../organisation.toml"\n', 1
    )
    path.write_text(text, encoding="utf-8")
    assert load_config(path).review.self_approval is True


def test_a_rehearsal_may_approve_its_own_posts_when_it_says_so(planned):
    revise(planned, SLUG, MONDAY_X, "rehearsal")
    result = planned.approve(SLUG, "rehearsal", keys=[MONDAY_X], allow_self_approval=True)
    assert result.changed == [MONDAY_X]


def test_comments_are_kept_per_post_in_order_and_audited(planned):
    revise(planned, SLUG, MONDAY_X, "olive")
    planned.review.comment(SLUG, MONDAY_X, Actor.web("alice"), "Is 101 right here?")
    planned.review.comment(SLUG, MONDAY_X, Actor.web("olive"), "Yes:\nthe non-emergency line.")
    thread = planned.review.comments(SLUG, MONDAY_X)
    assert [(c.author, c.kind, c.body) for c in thread] == [
        ("alice", "comment", "Is 101 right here?"),
        ("olive", "comment", "Yes:\nthe non-emergency line."),
    ]
    assert planned.review.comments(SLUG, MONDAY_FB) == []
    audited = [e for e in planned.audit_log(SLUG) if e.action == "commented"]
    assert [e.actor for e in audited] == ["alice", "olive"]
    assert audited[1].details["comment"] == "Yes: the non-emergency line."
    with pytest.raises(BadInput, match="comment is empty"):
        planned.review.comment(SLUG, MONDAY_X, "alice", "   ")


def test_requesting_changes_withdraws_the_approval_and_sends_the_post_back(planned):
    revise(planned, SLUG, MONDAY_X, "olive")
    planned.approve(SLUG, "alice", keys=[MONDAY_X])
    planned.review.request_changes(SLUG, MONDAY_X, "inspector", "Say the helpline's hours.")
    [row] = planned.posts(SLUG, keys=[MONDAY_X])
    assert row.state == "draft" and row.approved_by is None
    [entry] = [e for e in planned.audit_log(SLUG) if e.action == "changes-requested"]
    assert entry.actor == "inspector" and entry.details["previous_state"] == "approved"
    groups = {item.row.key: item for item in planned.review.queue(SLUG)}
    assert groups[MONDAY_X].group == SENT_BACK
    assert groups[MONDAY_X].request is not None
    assert groups[MONDAY_X].request.body == "Say the helpline's hours."
    revise(planned, SLUG, MONDAY_X, "olive", ["Now with the hours: 9am to 5pm."])
    groups = {item.row.key: item for item in planned.review.queue(SLUG)}
    assert groups[MONDAY_X].group == CHANGED  # a new revision answers the request


def test_requesting_changes_needs_a_comment(planned):
    with pytest.raises(BadInput, match="comment is empty"):
        planned.review.request_changes(SLUG, MONDAY_X, "inspector", "")
    assert not [e for e in planned.audit_log(SLUG) if e.action == "changes-requested"]


def test_the_queue_diffs_a_changed_post_against_the_approved_version(planned):
    revise(planned, SLUG, MONDAY_X, "olive", ["Call 101 any time."])
    planned.approve(SLUG, "alice", keys=[MONDAY_X])
    revise(planned, SLUG, MONDAY_X, "olive", ["Call 101 or 999 any time."])
    items = {item.row.key: item for item in planned.review.queue(SLUG)}
    changed = items[MONDAY_X]
    assert changed.group == CHANGED and changed.approved_by == "alice"
    assert changed.approved_parts == ["Call 101 any time. #SeeStalkingClearly"]
    assert changed.author == "olive"
    assert items[MONDAY_FB].group == NEEDS_APPROVAL
    planned.approve(SLUG, "alice", keys=[MONDAY_FB])
    assert MONDAY_FB not in {item.row.key for item in planned.review.queue(SLUG)}
