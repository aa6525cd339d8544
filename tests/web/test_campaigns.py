"""Many campaigns in one dashboard: addresses that name the campaign, the switcher, each
campaign's own posts and forms, and a campaign whose files this server cannot read."""

from __future__ import annotations

from datetime import date

from tests.web.conftest import SECOND

SLUG = "stalking-awareness-week-2020"


def test_each_campaign_has_its_own_address_and_the_old_ones_keep_the_default(web, two_campaigns):
    client = web.sign_in("alice")
    default = client.get("/week").text
    assert 'id="post-2020-04-21-x"' in default and 'id="post-2020-04-14-x"' not in default
    named = client.get(f"/c/{SECOND}/week")
    assert named.status_code == 200
    assert 'id="post-2020-04-14-x"' in named.text and 'id="post-2020-04-21-x"' not in named.text
    assert "Road Safety Week 2020" in named.text
    # Links and forms on a campaign's page stay with that campaign.
    assert f'href="/c/{SECOND}/control/pause"' in named.text
    assert f'data-status-url="/c/{SECOND}/api/status"' in named.text
    status = client.get(f"/c/{SECOND}/api/status").get_json()
    store = web.app.extensions["campaign"].store
    assert set(status["posts"]) == {row.key for row in store.posts(SECOND)}
    assert 'id="post-2020-04-21-x"' in client.get(f"/c/{SLUG}/week").text


def test_the_switcher_lists_every_campaign_and_keeps_the_page(web, two_campaigns):
    client = web.sign_in("olly")
    page = client.get("/week").text
    assert '<nav aria-label="Campaigns">' in page
    assert f'href="/c/{SECOND}/week">Road Safety Week 2020</a>' in page
    assert f'href="/c/{SLUG}/week" aria-current="true">Stalking Awareness Week 2020</a>' in page
    calendar = client.get(f"/c/{SECOND}/calendar").text
    assert f'href="/c/{SLUG}/calendar">Stalking Awareness Week 2020</a>' in calendar
    analyst = web.sign_in("ann").get(f"/c/{SECOND}/results").text
    assert f'href="/c/{SLUG}/results">Stalking Awareness Week 2020</a>' in analyst


def test_one_campaign_alone_shows_no_switcher(web, planned):
    assert 'aria-label="Campaigns"' not in web.sign_in("olly").get("/week").text


def test_an_approval_on_a_campaigns_page_approves_that_campaigns_post_only(web, two_campaigns):
    store = web.app.extensions["campaign"].store
    client = web.sign_in("alice")
    [row] = store.posts(SECOND, keys=["2020-04-14-x"])
    response = web.post(
        client,
        f"/c/{SECOND}/week/approve",
        {"scope": "post", "key": row.key, "post": f"{row.key}:{row.content_hash}"},
        page=f"/c/{SECOND}/week",
    )
    assert response.headers["Location"] == f"/c/{SECOND}/week#post-2020-04-14-x"
    assert store.posts(SECOND, keys=[row.key])[0].state == "approved"
    assert {r.state for r in store.posts(SLUG)} == {"draft"}
    assert store.audit_log(SECOND)[-1].action == "approved"


def test_an_address_naming_no_campaign_is_a_plain_not_found(web, two_campaigns):
    response = web.sign_in("olly").get("/c/no-such-week/week")
    assert response.status_code == 404
    assert "There is no campaign at this address" in response.text
    assert "Traceback" not in response.text


def test_each_campaigns_cards_come_from_the_files_it_was_planned_from(web, two_campaigns):
    page = web.sign_in("alice").get(f"/c/{SECOND}/week").text
    assert 'class="tweet' in page and "Shown as stored" not in page
    assert f'action="/c/{SECOND}/week/approve"' in page
    assert "Tuesday 14 April 2020" in page


def test_a_campaign_whose_files_are_gone_is_shown_as_stored(web, two_campaigns):
    """Its posts, times and states come from the database, with a note in plain words; the
    pause control works; what needs the files says so."""
    store = web.app.extensions["campaign"].store
    store.approve(SECOND, "alice", day=date(2020, 4, 14))
    two_campaigns.path.parent.rename(two_campaigns.path.parent.with_name("moved"))
    client = web.sign_in("alice")
    page = client.get(f"/c/{SECOND}/week")
    assert page.status_code == 200
    assert "Shown as stored" in page.text
    assert f"files are no longer at {two_campaigns.path}" in page.text
    assert "Tue 14 Apr 10:00 BST" in page.text  # in the campaign's timezone
    assert "Approved" in page.text and "Draft – needs approval" in page.text
    assert "@DerbyshirePolice" in page.text
    assert "Approved posts will NOT go out" in page.text  # the banner (no daemon) and pause
    assert "Publishing is ON" not in page.text
    assert f'href="/c/{SECOND}/control/pause"' in page.text
    refused = web.post(client, f"/c/{SECOND}/week/plan", {}, page=f"/c/{SECOND}/week")
    assert refused.status_code == 409 and "needs the campaign&#39;s files" in refused.text
    assert "Traceback" not in refused.text
    results = web.sign_in("ann").get(f"/c/{SECOND}/results")  # from the database alone
    assert results.status_code == 200 and "Road Safety Week 2020" in results.text


def test_a_campaign_whose_config_no_longer_reads_is_shown_as_stored(web, two_campaigns):
    two_campaigns.path.write_text("[campaign\nname = ", encoding="utf-8")
    page = web.sign_in("olly").get(f"/c/{SECOND}/week")
    assert page.status_code == 200
    assert "could not be read, so its posts are shown as stored" in page.text
    assert 'id="post-2020-04-14-x"' in page.text
