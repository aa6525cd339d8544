"""Sign-off and pause through the dashboard: the store changes, the audit log names the user."""

from __future__ import annotations

import io
from csv import DictReader
from datetime import date

from campaign.planning import store_plan
from campaign.store import Store
from campaign.store.models import PostRow
from campaign.store.users import add_user
from campaign.web import create_app

SLUG = "stalking-awareness-week-2020"
MONDAY = date(2020, 4, 20)


def shown(rows) -> list[str]:
    """What an approval form sends: each post with the content hash its page showed."""
    return [f"{row.key}:{row.content_hash}" for row in rows]


def _states(store, day=None) -> dict[str, str]:
    return {row.key: row.state for row in store.posts(SLUG, day=day)}


def test_an_approver_approves_one_post_bound_to_what_the_page_showed(web, planned):
    client = web.sign_in("alice")
    [row] = planned.posts(SLUG, keys=["2020-04-20-x"])
    response = web.post(
        client, "/week/approve", {"scope": "post", "key": row.key, "post": shown([row])}
    )
    assert response.headers["Location"] == "/week#post-2020-04-20-x"
    [after] = planned.posts(SLUG, keys=["2020-04-20-x"])
    assert (after.state, after.approved_by, after.approved_hash) == (
        "approved",
        "alice",
        row.content_hash,
    )
    entry = planned.audit_log(SLUG)[-1]
    assert (entry.action, entry.actor, entry.details["post"]) == ("approved", "alice", row.key)
    assert entry.at == planned.clock.now()
    page = client.get("/week").text
    assert "Approved 1 post: 2020-04-20-x." in page
    assert "Approved by alice" in page


def test_an_approver_approves_a_day(web, planned):
    client = web.sign_in("alice")
    monday = planned.posts(SLUG, day=MONDAY)
    web.post(client, "/week/approve", {"scope": "day", "day": "2020-04-20", "post": shown(monday)})
    assert set(_states(planned, MONDAY).values()) == {"approved"}
    assert set(_states(planned).values()) == {"approved", "draft"}
    entries = planned.audit_log(SLUG)
    actors = {(e.actor, e.details["post"]) for e in entries if e.action == "approved"}
    assert actors == {
        ("alice", "2020-04-20-x"),
        ("alice", "2020-04-20-bluesky"),
        ("alice", "2020-04-20-facebook"),
        ("alice", "2020-04-20-instagram"),
    }


def test_an_approver_approves_the_week_and_withdraws_it_with_a_reason(web, planned):
    client = web.sign_in("alice")
    rows = planned.posts(SLUG)
    web.post(client, "/week/approve", {"scope": "week", "post": shown(rows)})
    assert set(_states(planned).values()) == {"approved"}
    refused = web.post(client, "/week/withdraw", {"scope": "week", "reason": " "})
    assert set(_states(planned).values()) == {"approved"}
    assert "Say why approval is withdrawn" in client.get(refused.headers["Location"]).text
    web.post(client, "/week/withdraw", {"scope": "day", "day": "2020-04-21", "reason": "tone"})
    assert set(_states(planned, date(2020, 4, 21)).values()) == {"draft"}
    withdrawn = [e for e in planned.audit_log(SLUG) if e.action == "approval-withdrawn"]
    assert {(e.actor, e.details["reason"]) for e in withdrawn} == {("alice", "tone")}


def test_nothing_is_approved_if_the_posts_changed_since_the_page_was_loaded(
    web, planned, config, edit
):
    client = web.sign_in("alice")
    page = shown(planned.posts(SLUG, day=MONDAY))
    edit("posts/what-stalking-is/x.j2", "Today is the start", "This week is")
    store_plan(config, planned, "olly")
    response = web.post(
        client, "/week/approve", {"scope": "day", "day": "2020-04-20", "post": page}
    )
    assert set(_states(planned).values()) == {"draft"}
    assert not [e for e in planned.audit_log(SLUG) if e.action == "approved"]
    page = client.get(response.headers["Location"]).text
    assert "Nothing was approved: the posts changed since this page was loaded." in page


def test_an_edited_post_needs_approval_again(web, planned, campaign_dir, edit):
    approver, officer = web.sign_in("alice"), web.sign_in("olly")
    monday = planned.posts(SLUG, day=MONDAY)
    web.post(
        approver, "/week/approve", {"scope": "day", "day": "2020-04-20", "post": shown(monday)}
    )
    edit("posts/what-stalking-is/x.j2", "Today is the start", "This week is")
    page = officer.get("/week").text
    assert "The templates have changed since the plan was stored" in page
    assert "The files differ from the stored plan" in page
    assert "Update the stored plan from the templates" in page
    response = web.post(officer, "/week/plan", {})
    assert "1 edited (need approval again)" in officer.get(response.headers["Location"]).text
    assert _states(planned, MONDAY) == {
        "2020-04-20-x": "draft",
        "2020-04-20-bluesky": "approved",
        "2020-04-20-facebook": "approved",
        "2020-04-20-instagram": "approved",
    }
    page = approver.get("/week").text
    assert "Changed after alice approved it: it needs approval again." in page
    assert "This week is" in page
    cleared = [e for e in planned.audit_log(SLUG) if e.action == "approval-cleared"]
    assert [(e.actor, e.details["post"]) for e in cleared] == [("olly", "2020-04-20-x")]


def test_a_plan_with_errors_is_not_stored_from_the_dashboard(web, planned, edit):
    edit("posts/what-stalking-is/x.j2", "Today is", "Call 0800 000 0000. Today is")
    officer = web.sign_in("olly")
    response = web.post(officer, "/week/plan", {})
    assert "The plan was not stored" in officer.get(response.headers["Location"]).text
    [row] = planned.posts(SLUG, keys=["2020-04-20-x"])
    assert "0800 000 0000" not in " ".join(row.parts)


def test_pause_needs_confirmation_and_a_reason_and_resume_undoes_it(web, planned, clock):
    planned.publishing.heartbeat("d-1", clock.now())  # a publishing service is running
    client = web.sign_in("alice")
    page = client.get("/week").text
    assert "Publishing is ON" in page and "Pause all publishing" in page
    confirm = client.get("/control/pause").text
    assert "Pause all publishing for Stalking Awareness Week 2020?" in confirm
    assert "Yes, pause all publishing now" in confirm
    web.post(client, "/control/pause", {"reason": ""}, page="/control/pause")
    assert not planned.campaign(SLUG).paused
    web.post(client, "/control/pause", {"reason": "Critical incident"}, page="/control/pause")
    campaign = planned.campaign(SLUG)
    assert (campaign.paused, campaign.paused_by, campaign.pause_reason) == (
        True,
        "alice",
        "Critical incident",
    )
    page = client.get("/week").text
    assert "PAUSED – nothing is being published" in page
    assert "Paused by alice" in page and "Critical incident" in page
    assert "Yes, resume publishing" in client.get("/control/resume").text
    web.post(client, "/control/resume", {"reason": "stood down"}, page="/control/resume")
    assert not planned.campaign(SLUG).paused
    actions = [(e.action, e.actor) for e in planned.audit_log(SLUG)[-2:]]
    assert actions == [("paused", "alice"), ("resumed", "alice")]


def test_resume_says_which_posts_will_be_missed(web, planned, clock):
    client = web.sign_in("alice")
    rows = planned.posts(SLUG)
    web.post(client, "/week/approve", {"scope": "week", "post": shown(rows)})
    web.post(client, "/control/pause", {"reason": "incident"}, page="/control/pause")
    clock.set(rows[0].scheduled_at.replace(hour=rows[0].scheduled_at.hour + 1))
    page = client.get("/control/resume").text
    assert "will be marked <strong>missed</strong>" in page
    assert "2020-04-20-x" in page.split("marked <strong>missed</strong>")[1]


def test_the_week_shows_every_post_as_it_will_look(web, planned, config):
    page = web.sign_in("olly").get("/week").text
    for row in planned.posts(SLUG):
        assert f'id="post-{row.key}"' in page
        assert f'data-chip="{row.key}"' in page
    assert page.count('class="tweet"') == sum(
        len(row.parts) for row in planned.posts(SLUG) if row.account.platform == "x"
    )
    assert "10:00 BST" in page and "12:00 BST" in page
    assert config.days[0].posts[0].images[0].alt in page
    assert 'src="/media/images/see-stalking-clearly.png"' in page
    assert "/ 280" in page and "Reading ease" in page
    assert "Draft – needs approval" in page
    assert "Monday 20 April 2020" in page and "What stalking is" in page
    assert "Approve this post" not in page  # an officer sees no sign-off controls
    assert "Pause all publishing" not in page


def test_status_reports_published_failed_missed_and_retrying(web, planned, clock):
    with planned.transaction() as session:
        rows = {row.key: row for row in session.query(PostRow)}
        rows["2020-04-20-x"].state = "published"
        rows["2020-04-20-x"].platform_post_id = "1250000000000000001"
        rows["2020-04-20-x"].published_at = rows["2020-04-20-x"].scheduled_at
        rows["2020-04-20-facebook"].state = "failed"
        rows["2020-04-20-facebook"].last_error = "(#368) The action has been deemed abusive"
        rows["2020-04-21-x"].state = "missed"
        rows["2020-04-21-x"].last_error = "no daemon published it within the 15 min grace window"
        retry = rows["2020-04-21-facebook"]
        retry.state, retry.attempts, retry.last_error = "scheduled", 2, "HTTP 503 from Graph"
        retry.next_attempt_at = retry.scheduled_at
    status = web.sign_in("olly").get("/api/status").json
    posts = status["posts"]
    assert posts["2020-04-20-x"]["label"] == "Published"
    assert (
        posts["2020-04-20-x"]["link"] == "https://x.com/DerbyshirePolice/status/1250000000000000001"
    )
    assert posts["2020-04-20-facebook"]["label"] == "Failed"
    assert "deemed abusive" in posts["2020-04-20-facebook"]["note"]
    assert posts["2020-04-21-x"]["label"] == "Missed"
    assert "grace window" in posts["2020-04-21-x"]["note"]
    assert (posts["2020-04-21-facebook"]["label"], posts["2020-04-21-facebook"]["css"]) == (
        "Retrying",
        "retrying",
    )
    retrying = posts["2020-04-21-facebook"]["note"]
    assert "Attempt 2 did not go through: HTTP 503 from Graph" in retrying
    banner = status["banner"]
    assert banner["title"] != "Publishing is ON" and not banner["daemons_ok"]  # nothing sends
    assert "Approved posts will NOT go out" in banner["title"]
    assert "The publishing service has not been started" in banner["daemons"]
    page = web.sign_in("olly").get("/week").text
    assert "View on X" in page and "deemed abusive" in page


def test_results_show_the_report_and_offer_the_exports(web, planned):
    client = web.sign_in("ann")
    page = client.get("/results").text
    for text in ("Headline totals", "Impressions", "Engagement rate", "By day", "By channel"):
        assert text in page
    assert "Download CSV" in page and "Download JSON" in page
    csv = client.get("/results/engagement.csv")
    assert csv.mimetype == "text/csv"
    assert csv.headers["Content-Disposition"] == (
        'attachment; filename="stalking-awareness-week-2020-engagement.csv"'
    )
    rows = list(DictReader(io.StringIO(csv.text)))
    assert len(rows) == 23 and rows[0]["post_key"] == "2020-04-20-x"
    data = client.get("/results/engagement.json").json
    assert data["campaign"] == "Stalking Awareness Week 2020" and len(data["rows"]) == 23


def test_only_images_of_the_stored_plan_are_served(web, campaign_dir):
    client = web.sign_in("olly")
    image = client.get("/media/images/see-stalking-clearly.png")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data == (campaign_dir / "posts/images/see-stalking-clearly.png").read_bytes()
    assert client.get("/media/what-stalking-is/x.j2").status_code == 404
    assert client.get("/media/../config.toml").status_code == 404
    assert client.get("/media/%2e%2e/config.toml").status_code == 404


def test_a_broken_template_does_not_hide_the_stored_week(web, planned, campaign_dir):
    (campaign_dir / "posts/what-stalking-is/x.j2").write_text("{{ nonsense.here }}")
    page = web.sign_in("olly").get("/week").text
    assert "The post templates cannot be read" in page
    assert 'id="post-2020-04-20-x"' in page


def test_a_campaign_not_yet_planned_is_explained(config, tmp_path, web):
    empty = Store.open(f"sqlite:///{tmp_path / 'empty.db'}")
    add_user(empty, "alice", web.password, "approver")
    web.app = create_app(config, empty, secret_key="k" * 32)
    response = web.sign_in("alice").get("/week")
    assert response.status_code == 503
    assert "no plan stored yet: run `campaign plan`" in response.text
    empty.engine.dispose()


def test_an_image_replaced_on_disk_is_marked_even_while_a_template_is_broken(
    web, planned, campaign_dir
):
    image = campaign_dir / "posts/images/see-stalking-clearly.png"
    image.write_bytes(image.read_bytes() + b"\0")  # what would be sent no longer matches
    (campaign_dir / "posts/how-to-report/x.j2").write_text("{{ nonsense.here }}")
    page = web.sign_in("olly").get("/week").text
    assert "The post templates cannot be read" in page

    def card(key: str) -> str:
        return page.split(f'id="post-{key}"')[1].split("</article>")[0]

    for key in ("2020-04-20-x", "2020-04-20-facebook"):
        assert "The files differ from the stored plan" in card(key)
    assert "The files differ from the stored plan" not in card("2020-04-21-x")
