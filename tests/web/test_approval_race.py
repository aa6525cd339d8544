"""An approval binds to the text the approver was shown, even when `campaign plan` runs at the
same moment: a plan change may land between any two of the approval request's transactions."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from werkzeug.datastructures import MultiDict

from campaign.planning import store_plan

SLUG = "stalking-awareness-week-2020"
KEY = "2020-04-20-x"
TEMPLATE = "posts/what-stalking-is/x.j2"


@contextmanager
def plan_changes_between_transactions(store, config, campaign_dir, seed: int) -> Iterator[None]:
    """While active, whenever the store takes a connection for a transaction, maybe (a seeded
    coin toss) edit the template and store the plan first: `campaign plan` landing between any
    two transactions of a request."""
    path = campaign_dir / TEMPLATE
    original = path.read_text().replace("This week is", "Today is the start")
    versions = [original, original.replace("Today is the start", "This week is")]
    coin = random.Random(seed)
    busy = [False]

    def maybe_replan(*_pool_checkout: object) -> None:
        if busy[0] or coin.random() < 0.5:
            return
        busy[0] = True
        try:
            current = path.read_text()
            path.write_text(versions[1] if current == versions[0] else versions[0])
            store_plan(config, store, "olly")
        finally:
            busy[0] = False

    event.listen(store.engine, "checkout", maybe_replan)
    try:
        yield
    finally:
        event.remove(store.engine, "checkout", maybe_replan)


def test_no_approval_is_recorded_for_text_the_approver_was_not_shown(
    web, planned, config, campaign_dir
):
    client = web.sign_in("alice")
    approved = refused = 0
    for seed in range(40):
        [row] = planned.posts(SLUG, keys=[KEY])
        if row.state != "draft":
            planned.withdraw(SLUG, "reset", "next round", keys=[KEY])
        shown = planned.posts(SLUG, keys=[KEY])[0].content_hash
        page = client.get("/week").text
        form = web.forms(page).approve_form(KEY)
        before = len(planned.audit_log(SLUG))
        with plan_changes_between_transactions(planned, config, campaign_dir, seed):
            client.post("/week/approve", data=MultiDict(form))
        recorded = [
            entry
            for entry in planned.audit_log(SLUG)[before:]
            if entry.action == "approved" and entry.details["post"] == KEY
        ]
        assert [entry.details["content_hash"] for entry in recorded] in ([], [shown]), seed
        [after] = planned.posts(SLUG, keys=[KEY])
        assert after.approved_hash in (None, shown)
        approved += bool(recorded)
        refused += not recorded
    assert approved and refused  # both outcomes happened: the interleavings were exercised
