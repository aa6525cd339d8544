"""A partly published thread on the dashboard: loud, linked, and abandoned only by an approver."""

from __future__ import annotations

from campaign.store import PostState, Store

SLUG = "stalking-awareness-week-2020"
THREAD = "2020-04-21-x"  # two parts


def _half_published(store: Store) -> None:
    """The daemon's own steps: claimed, first part out, second part refused."""
    store.approve(SLUG, "alice", keys=[THREAD])
    [post] = store.posts(SLUG, keys=[THREAD])
    now = post.scheduled_at
    api = store.publishing
    api.schedule_approved(now)
    assert api.acquire("daemon-1", [post.id], now)
    api.record_part(post.id, "daemon-1", now, index=0, part_id="1111")
    api.fail(post.id, "daemon-1", now, error="HTTP 503 at part 2")


def test_a_partial_thread_is_loud_and_only_an_approver_abandons_it(web, planned):
    _half_published(planned)
    officer = web.sign_in("olly")
    page = officer.get("/week").text
    assert "Partly published – 1 of 2 parts public" in page
    assert "https://x.com/DerbyshirePolice/status/1111" in page
    assert "1</strong>thread is only partly published" in page
    assert "Abandon the rest" not in page
    refused = web.post(officer, "/week/abandon", {"key": THREAD, "reason": "no"})
    assert refused.status_code == 403
    assert planned.posts(SLUG, keys=[THREAD])[0].state == PostState.PARTIAL
    approver = web.sign_in("alice")
    assert "Abandon the rest" in approver.get("/week").text
    web.post(approver, "/week/abandon", {"key": THREAD, "reason": "helpline posted by hand"})
    assert planned.posts(SLUG, keys=[THREAD])[0].state == PostState.ABANDONED
    [audit] = [e for e in planned.audit_log(SLUG) if e.action == "abandoned"]
    assert (audit.actor, audit.details["reason"]) == ("alice", "helpline posted by hand")
