"""The week page's filters (channel, state, needs my approval), today, the compact list, and
controls named after their post."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from campaign.store.users import add_user

SLUG = "stalking-awareness-week-2020"


def cards(page: str) -> set[str]:
    return set(re.findall(r'<article class="card" id="post-([^"]+)"', page))


def lines(page: str) -> list[str]:
    """The compact list's lines, as text."""
    found = re.findall(r'<li class="line [^"]*" id="post-[^"]+".*?</li>', page, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", line)).strip() for line in found]


def test_filter_by_channel_keeps_the_address(web, planned):
    client = web.sign_in("alice")
    every = cards(client.get("/week").text)
    page = client.get("/week?channel=x").text
    shown = cards(page)
    assert shown and shown < every
    assert all(key.endswith("-x") for key in shown)
    assert '<option value="x" selected>X @DerbyshirePolice</option>' in page
    assert 'href="/week">Show every post</a>' in page
    # Sign-off forms keep the filter across the round trip only through the address.
    assert 'action="/week/move?channel=x"' in page


def test_filter_by_state(web, planned):
    planned.approve(SLUG, "alice", keys=("2020-04-20-x", "2020-04-21-facebook"))
    client = web.sign_in("alice")
    assert cards(client.get("/week?state=approved").text) == {"2020-04-20-x", "2020-04-21-facebook"}
    drafts = cards(client.get("/week?state=draft").text)
    assert "2020-04-20-x" not in drafts and "2020-04-20-facebook" in drafts
    assert cards(client.get("/week?state=published").text) == set()


def test_needs_my_approval_leaves_out_drafts_whose_latest_revision_is_mine(web, planned):
    add_user(planned, "bea", web.password, "approver")
    source = planned.content(SLUG).sources["2020-04-20-x"]  # bea moves Monday's X post
    base = planned.revisions(SLUG, "2020-04-20-x")[-1].number
    planned.edit_post(
        SLUG, "2020-04-20-x", source.with_changes(time="10:30"), "bea", base_revision=base
    )
    planned.approve(SLUG, "alice", keys=("2020-04-21-x",))
    bea = cards(web.sign_in("bea").get("/week?mine=1").text)
    alice = cards(web.sign_in("alice").get("/week?mine=1").text)
    assert "2020-04-20-x" not in bea and "2020-04-20-x" in alice  # the other approver's to do
    assert "2020-04-21-x" not in bea | alice  # approved: needs nobody
    assert "2020-04-20-facebook" in bea & alice  # planned by olly: either approver
    assert 'name="mine" value="1" checked' in web.sign_in("bea").get("/week?mine=1").text


def test_an_officer_has_no_needs_my_approval_filter(web, planned):
    assert 'name="mine"' not in web.sign_in("olly").get("/week").text


def test_the_compact_list_is_one_line_per_post(web, planned):
    page = web.sign_in("alice").get("/week?view=list").text
    assert not cards(page)
    shown = lines(page)
    assert len(shown) == len(planned.posts(SLUG))
    monday = next(line for line in shown if line.startswith("10:00 BST X @DerbyshirePolice"))
    assert "Draft – needs approval" in monday
    first = planned.posts(SLUG, keys=["2020-04-20-x"])[0].parts[0].splitlines()[0][:40]
    assert first in monday
    assert 'href="/week#post-2020-04-20-x">Open' in page  # its card


def test_today_is_marked_in_the_campaigns_timezone(web, planned, clock):
    clock.set(datetime(2020, 4, 21, 23, 30, tzinfo=UTC))  # 00:30 BST on Wednesday 22 April
    page = web.sign_in("alice").get("/week").text
    assert page.count('aria-current="date"') == 1
    assert re.search(r'class="cal-day today" data-drop-day="2020-04-22"', page)
    assert re.search(r'<section class="day today" id="day-2020-04-22"', page)
    assert page.count('<strong class="today-mark">Today</strong>') == 2  # strip and day
    clock.set(datetime(2020, 4, 13, 9, 0, tzinfo=UTC))  # before the week: no day is today
    assert "today-mark" not in web.sign_in("alice").get("/week").text


def test_an_unknown_filter_is_a_plain_bad_request(web, planned):
    client = web.sign_in("alice")
    for query in ("channel=myspace", "state=lost", "view=poster"):
        response = client.get(f"/week?{query}")
        assert response.status_code == 400
        assert "choose one from the list" in response.text or "cards or as a list" in response.text
        assert "Traceback" not in response.text


def test_every_control_names_its_post(web, planned):
    page = web.sign_in("alice").get("/week").text
    assert "Approve this post" not in page
    assert ">&#10003; Approve Monday 10:00 X post</button>" in page
    assert "Withdraw approval of Monday 10:00 X post…</summary>" in page
    assert "Move Tuesday 10:00 X post…</summary>" in page
    assert page.count("<h1") == 1


def test_in_a_one_person_office_my_own_drafts_need_my_approval(web, planned, campaign_dir):
    """`[review] self_approval = true`: the writer may approve, so nothing is left out."""
    from campaign.config import load_config
    from campaign.planning import store_plan

    path = campaign_dir / "config.toml"
    path.write_text(
        path.read_text(encoding="utf-8") + "\n[review]\nself_approval = true\n", encoding="utf-8"
    )
    store_plan(load_config(path), planned, "olly")
    source = planned.content(SLUG).sources["2020-04-20-x"]
    base = planned.revisions(SLUG, "2020-04-20-x")[-1].number
    planned.edit_post(
        SLUG, "2020-04-20-x", source.with_changes(time="10:30"), "alice", base_revision=base
    )
    assert "2020-04-20-x" in cards(web.sign_in("alice").get("/week?mine=1").text)


def test_the_week_keeps_the_two_person_rule(web, planned):
    """alice moved Monday's X post: the week offers her no Approve button for it, says why,
    and a hand-made approval of it is refused in plain words."""
    source = planned.content(SLUG).sources["2020-04-20-x"]
    base = planned.revisions(SLUG, "2020-04-20-x")[-1].number
    planned.edit_post(
        SLUG, "2020-04-20-x", source.with_changes(time="10:30"), "alice", base_revision=base
    )
    client = web.sign_in("alice")
    page = client.get("/week").text
    card = page.split('id="post-2020-04-20-x"')[1].split("</article>")[0]
    assert "You wrote the latest version of this post: another person must approve it." in card
    assert "Approve Monday 10:30 X post" not in card
    assert "Approve Monday 12:00 Facebook post" in page  # planned from the files: hers to approve
    [row] = planned.posts(SLUG, keys=["2020-04-20-x"])
    response = web.post(
        client,
        "/week/approve",
        {"scope": "post", "key": row.key, "post": f"{row.key}:{row.content_hash}"},
    )
    said = client.get(response.headers["Location"]).text
    assert "you wrote the latest version of 2020-04-20-x" in said
    assert planned.posts(SLUG, keys=["2020-04-20-x"])[0].state == "draft"
