"""The approval queue page: three groups, diff, comments, request changes, the two-person rule,
and "Approve all" with its confirmation page."""

from __future__ import annotations

import re
from datetime import timedelta

from werkzeug.datastructures import MultiDict

from campaign.store import Store
from tests.campaign.review_helpers import revise

SLUG = "stalking-awareness-week-2020"
MONDAY_X, MONDAY_FB = "2020-04-20-x", "2020-04-20-facebook"


def _group(html: str, name: str) -> str:
    """The markup of one group of the queue."""
    start = html.index(f'id="group-{name}"')
    end = html.find('<section class="queue-group"', start)
    return html[start : end if end != -1 else len(html)]


def _hash(store: Store, key: str) -> str:
    [row] = store.posts(SLUG, keys=[key])
    return row.content_hash


def test_the_queue_shows_new_changed_and_sent_back_posts_with_a_diff(web, planned):
    revise(planned, SLUG, MONDAY_X, "olly", ["Stalking is a crime. Call 101."])
    planned.approve(SLUG, "alice", keys=[MONDAY_X])
    revise(planned, SLUG, MONDAY_X, "olly", ["Stalking is a crime. Call 101 or 999."])
    planned.review.request_changes(SLUG, MONDAY_FB, "alice", "Add the helpline's hours.")
    client = web.sign_in("olly")
    page = client.get("/review")
    assert page.status_code == 200
    html = page.text
    assert html.count("<h1") == 1
    changed = _group(html, "changed")
    assert '<ins><span class="visually-hidden">added: </span> or 999.</ins>' in changed or (
        re.search(r"<ins><span class=\"visually-hidden\">added: </span>[^<]*999", changed)
    )
    assert "What changed since alice approved it" in changed
    assert "Latest version: olly" in changed
    sent_back = _group(html, "sent-back")
    assert "Add the helpline&#39;s hours." in sent_back and "alice asked for changes" in sent_back
    assert MONDAY_FB not in _group(html, "needs-approval")
    assert "Approve Monday" not in html  # an officer may comment, not approve
    assert client.post("/review/approve", data={}).status_code in (400, 403)


def test_approving_from_the_queue_binds_to_the_hash_shown(web, planned):
    client = web.sign_in("alice")
    shown = _hash(planned, MONDAY_X)
    page = client.get("/review").text
    assert f'value="{MONDAY_X}:{shown}"' in page
    assert "Approve Monday 10:00 X post" in page
    revise(planned, SLUG, MONDAY_X, "olly", ["Changed after the page was loaded."])
    refused = web.post(client, "/review/approve", {"post": f"{MONDAY_X}:{shown}"}, "/review")
    assert refused.status_code == 302
    assert _state(planned, MONDAY_X) == "draft"
    follow = client.get("/review").text
    assert "Nothing was approved: the posts changed" in follow
    fresh = _hash(planned, MONDAY_X)
    web.post(client, "/review/approve", {"post": f"{MONDAY_X}:{fresh}"}, "/review")
    assert _state(planned, MONDAY_X) == "approved"


def test_the_author_of_the_latest_version_is_not_offered_approval_and_is_refused(web, planned):
    revise(planned, SLUG, MONDAY_X, "alice", ["Alice wrote this."])
    client = web.sign_in("alice")
    page = client.get("/review").text
    post = page[page.index(f'id="review-{MONDAY_X}"') :]
    post = post[: post.index('<div class="queue-post"', 10)]
    assert "another person must approve it" in post and "Approve Monday 10:00 X" not in post
    hash_now = _hash(planned, MONDAY_X)
    web.post(client, "/review/approve", {"post": f"{MONDAY_X}:{hash_now}"}, "/review")
    assert _state(planned, MONDAY_X) == "draft"
    assert "you wrote the latest version of this post" in client.get("/review").text


def test_comment_and_request_changes_from_the_queue(web, planned):
    officer = web.sign_in("olly")
    web.post(officer, "/review/comment", {"key": MONDAY_X, "body": "Is this OK?"}, "/review")
    approver = web.sign_in("alice")
    shown = _hash(planned, MONDAY_X)
    empty = web.post(
        approver,
        "/review/request-changes",
        {"key": MONDAY_X, "body": " ", "shown": shown},
        "/review",
    )
    assert empty.status_code == 302 and _state(planned, MONDAY_X) == "draft"
    assert not [e for e in planned.audit_log(SLUG) if e.action == "changes-requested"]
    web.post(
        approver,
        "/review/request-changes",
        {"key": MONDAY_X, "body": "Please shorten it.", "shown": shown},
        "/review",
    )
    html = approver.get("/review").text
    sent_back = _group(html, "sent-back")
    assert "Is this OK?" in sent_back and "Please shorten it." in sent_back
    refused = web.post(
        officer, "/review/request-changes", {"key": MONDAY_FB, "body": "x"}, "/review"
    )
    assert refused.status_code == 403


def test_a_request_for_changes_is_bound_to_the_version_read(web, planned):
    approver = web.sign_in("alice")
    shown = _hash(planned, MONDAY_X)
    revise(planned, SLUG, MONDAY_X, "olly", ["Saved while alice was reading."])
    data = {"key": MONDAY_X, "body": "Too long.", "shown": shown}
    web.post(approver, "/review/request-changes", data, "/review")
    assert planned.review.comments(SLUG, MONDAY_X) == []
    assert "was changed since you read it" in approver.get("/review").text
    data["shown"] = _hash(planned, MONDAY_X)
    web.post(approver, "/review/request-changes", data, "/review")
    [comment] = planned.review.comments(SLUG, MONDAY_X)
    assert comment.kind == "changes-requested"


def test_approve_all_lists_what_it_approves_and_what_it_leaves(web, planned, clock):
    revise(planned, SLUG, MONDAY_X, "alice", ["Alice wrote this."])
    planned.review.request_changes(SLUG, MONDAY_FB, "alice", "Fix the link.")
    client = web.sign_in("alice")
    drafts = [row.key for row in planned.posts(SLUG) if row.state == "draft"]
    approvable = len(drafts) - 2
    assert f"Approve all {approvable}" in client.get("/review").text
    confirm = client.get("/review/approve-all").text
    assert confirm.count("<h1") == 1
    assert f"Approve these {approvable} posts?" in confirm
    assert f"{MONDAY_X}</code> (Mon 20 Apr 10:00 BST): you wrote the latest version" in confirm
    assert f"{MONDAY_FB}</code>" in confirm and "sent back for changes" in confirm
    assert _state(planned, "2020-04-21-x") == "draft"  # nothing yet
    client.post("/review/approve", data=_fields(confirm, web))
    states = {row.key: row.state for row in planned.posts(SLUG)}
    assert states[MONDAY_X] == "draft" and states[MONDAY_FB] == "draft"
    assert sum(state == "approved" for state in states.values()) == approvable


def test_approve_all_says_which_posts_will_be_missed_before_approving_them(web, planned, clock):
    clock.set(clock.now().replace(year=2020, month=4, day=20, hour=12))  # Monday, after 10:00
    client = web.sign_in("alice")
    confirm = client.get("/review/approve-all").text
    assert "Its time has passed:" in confirm and "will be marked missed" in confirm
    asked = client.post("/review/approve", data=_fields(confirm, web))
    assert asked.status_code == 200 and "Nothing has been approved yet" in asked.text
    assert 'action="/review/approve"' in asked.text
    assert _state(planned, MONDAY_X) == "draft"


def _fields(html: str, web) -> MultiDict[str, str]:
    """The confirmation form's fields, as the browser sends them."""
    posts = [("post", value) for value in re.findall(r'name="post" value="([^"]+)"', html)]
    return MultiDict([*posts, ("csrf_token", web.token(html))])


def _state(store: Store, key: str) -> str:
    [row] = store.posts(SLUG, keys=[key])
    return str(row.state)


def test_the_queue_says_who_changed_a_post_and_when(web, planned, clock):
    clock.advance(timedelta(minutes=5))
    revise(planned, SLUG, MONDAY_X, "olly", ["New words."])
    html = web.sign_in("alice").get(f"/c/{SLUG}/review").text
    assert "Latest version: olly, Mon 13 Apr 10:05 BST" in html


def test_the_queue_shows_cards_from_the_stored_campaign_when_its_files_are_gone(
    planned, campaign_dir, session_clock
):
    from campaign.web import create_app
    from tests.web.conftest import Web

    (campaign_dir / "config.toml").unlink()
    app = create_app(None, planned, secret_key="k" * 32, clock=session_clock)
    html = Web(app).sign_in("alice").get(f"/c/{SLUG}/review").text
    assert f'<article class="card" id="post-{MONDAY_X}"' in html
    assert "Approve Monday 10:00 X post" in html
