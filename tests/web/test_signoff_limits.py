"""Sign-off edge cases on the dashboard: posts whose time has passed, what the status line says
when only drafts remain, limits on free text, and who the audit log says acted."""

from __future__ import annotations

from datetime import UTC, datetime

from werkzeug.datastructures import MultiDict

SLUG = "stalking-awareness-week-2020"
MONDAY_X, MONDAY_FB = "2020-04-20-x", "2020-04-20-facebook"


def _shown(rows) -> list[str]:
    return [f"{row.key}:{row.content_hash}" for row in rows]


def _states(store) -> dict[str, str]:
    return {row.key: row.state for row in store.posts(SLUG)}


def test_approving_a_post_whose_time_has_passed_asks_first_and_says_what_happens(
    web, planned, clock
):
    clock.set(datetime(2020, 4, 20, 9, 10, tzinfo=UTC))  # Monday 10:10 BST: X was due 10:00
    client = web.sign_in("alice")
    monday = planned.posts(SLUG, day=datetime(2020, 4, 20).date())
    asked = web.post(
        client, "/week/approve", {"scope": "day", "day": "2020-04-20", "post": _shown(monday)}
    )
    assert asked.status_code == 200
    page = " ".join(asked.text.split())
    assert "1 of these 4 posts&#39; time has passed" in page
    assert "2020-04-20-x (due Mon 20 Apr 10:00 BST) will be sent at once, late" in page
    assert "Nothing has been approved yet." in page
    assert set(_states(planned).values()) == {"draft"}
    anyway, only_later = [
        fields for _, action, fields in web.forms(asked.text).forms if "approve" in action
    ]
    assert ("late", "accept") in anyway and ("late", "accept") not in only_later
    assert [v for k, v in only_later if k == "post"] == _shown(monday[1:])
    client.post("/week/approve", data=MultiDict(only_later))
    assert _states(planned)[MONDAY_FB] == "approved" and _states(planned)[MONDAY_X] == "draft"
    done = client.post("/week/approve", data=MultiDict(anyway))
    assert _states(planned)[MONDAY_X] == "approved"
    week = client.get(done.headers["Location"]).text
    assert "This post&#39;s time has passed: 2020-04-20-x (due Mon 20 Apr 10:00 BST)" in week


def test_a_draft_whose_time_has_passed_says_so_on_its_card(web, planned, clock):
    clock.set(datetime(2020, 4, 20, 9, 10, tzinfo=UTC))
    status = web.sign_in("olly").get("/api/status").json
    assert status["posts"][MONDAY_X]["label"] == "Draft – its time has passed"
    assert "goes out late, or is marked missed" in status["posts"][MONDAY_X]["note"]
    assert status["posts"][MONDAY_FB]["label"] == "Draft – needs approval"


def test_the_status_line_never_says_nothing_is_scheduled_above_waiting_drafts(web, planned, clock):
    client = web.sign_in("olly")
    before = client.get("/api/status").json["banner"]["next"]
    assert before == "23 posts are waiting for approval; nothing is scheduled yet."
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # long after the week, nothing approved
    after = client.get("/api/status").json["banner"]["next"]
    assert "Nothing more is scheduled" not in after
    assert after.startswith("23 posts are waiting for approval; nothing is scheduled yet.")
    assert "The times of all 23 have passed" in after
    assert "23 posts are waiting for approval" in client.get("/week").text


def test_reasons_are_limited_on_the_server_not_only_in_the_page(web, planned):
    client = web.sign_in("alice")
    web.post(client, "/week/approve", {"scope": "week", "post": _shown(planned.posts(SLUG))})
    before = len(planned.audit_log(SLUG))
    response = web.post(client, "/week/withdraw", {"scope": "week", "reason": "x" * 60_000})
    page = client.get(response.headers["Location"]).text
    assert "the reason is 60,000 characters long; at most 500 are allowed" in page
    assert set(_states(planned).values()) == {"approved"}
    paused = web.post(client, "/control/pause", {"reason": "y" * 501}, page="/control/pause")
    assert paused.status_code == 400 and "at most 500 are allowed" in paused.text
    assert not planned.campaign(SLUG).paused
    assert len(planned.audit_log(SLUG)) == before


def test_dashboard_actions_are_marked_as_web_in_the_audit_log(web, planned):
    client = web.sign_in("alice")
    web.post(
        client,
        "/week/approve",
        {"scope": "post", "key": MONDAY_X, "post": _shown(planned.posts(SLUG, keys=[MONDAY_X]))},
    )
    web.post(client, "/week/withdraw", {"scope": "post", "key": MONDAY_X, "reason": "tone"})
    web.post(client, "/control/pause", {"reason": "incident"}, page="/control/pause")
    web.post(client, "/control/resume", {"reason": "stood down"}, page="/control/resume")
    web.post(web.sign_in("olly"), "/week/plan", {})
    actions = ("approved", "approval-withdrawn", "paused", "resumed")
    entries = [e for e in planned.audit_log(SLUG) if e.action in actions]
    assert [(e.action, e.actor, e.details["via"]) for e in entries] == [
        (action, "alice", "web") for action in actions
    ]


def test_a_command_line_approval_does_not_look_like_a_signed_in_one(web, planned):
    from campaign.store import Actor

    actor = Actor("Chief Constable", "cli", "pcsmith", "laptop-17")
    planned.approve(SLUG, actor, keys=[MONDAY_X])
    page = web.sign_in("olly").get("/week").text
    assert "Chief Constable (command line, account pcsmith on laptop-17)" in page
