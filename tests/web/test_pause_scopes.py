"""The pause page offers this campaign, one account (named with every campaign that uses it)
or everything; each needs a reason, is audited under the signed-in user, and can be resumed."""

from __future__ import annotations

from tests.web.conftest import SECOND

SLUG = "stalking-awareness-week-2020"


def test_the_pause_page_offers_each_account_with_the_campaigns_that_use_it(web, two_campaigns):
    page = web.sign_in("alice").get("/control/pause").text
    assert "Or pause one account, in every campaign that uses it" in page
    both = "Road Safety Week 2020, Stalking Awareness Week 2020"  # earliest first
    assert f'<option value="x">X @DerbyshirePolice – used by {both}</option>' in page
    assert f'<option value="facebook">Facebook /DerbyshireConstabulary – used by {both}' in page
    assert 'name="scope" value="account"' in page and 'name="scope" value="campaign"' in page


def test_pausing_one_account_is_audited_and_leaves_the_campaign_on(web, two_campaigns, planned):
    client = web.sign_in("alice")
    response = web.post(
        client,
        "/control/pause",
        {"scope": "account", "account": "x", "reason": "X account compromised"},
        page="/control/pause",
    )
    assert response.status_code == 302
    assert not planned.campaign(SLUG).paused
    accounts = {row.key: row for row in planned.accounts(SLUG)}
    assert accounts["x"].paused and accounts["x"].pause_reason == "X account compromised"
    assert not accounts["facebook"].paused
    # One account of the organisation: the other campaign's X is the same, paused too.
    assert {row.key: row.paused for row in planned.accounts(SECOND)} == {
        "x": True,
        "facebook": False,
        "instagram": False,
        "bluesky": False,
        "mastodon": False,
        "threads": False,
    }
    entry = planned.audit_log(SLUG)[-1]
    assert (entry.action, entry.actor, entry.details["reason"]) == (
        "paused",
        "alice",
        "X account compromised",
    )
    flash = client.get(response.headers["Location"]).text
    assert "PAUSED X @DerbyshirePolice" in flash
    assert "in Road Safety Week 2020, Stalking Awareness Week 2020" in flash
    resume_page = client.get("/control/resume").text
    assert "X @DerbyshirePolice is paused" in resume_page
    web.post(client, "/control/resume", {"scope": "account", "account": "x"}, "/control/resume")
    assert not {row.key: row for row in planned.accounts(SLUG)}["x"].paused
    assert planned.audit_log(SLUG)[-1].action == "resumed"


def test_an_account_pause_without_a_reason_or_account_changes_nothing(web, two_campaigns, planned):
    client = web.sign_in("alice")
    web.post(client, "/control/pause", {"scope": "account", "account": "x", "reason": " "})
    refused = web.post(
        client, "/control/pause", {"scope": "account", "account": "myspace", "reason": "r"}
    )
    assert refused.status_code == 400 and "Choose one of the campaign" in refused.text
    odd = web.post(client, "/control/pause", {"scope": "galaxy", "reason": "r"})
    assert odd.status_code == 400
    assert not any(row.paused for row in planned.accounts(SLUG))
    assert not planned.campaign(SLUG).paused
    assert "paused" not in [entry.action for entry in planned.audit_log(SLUG)]


def test_pausing_a_named_campaign_pauses_that_one_only(web, two_campaigns, planned):
    client = web.sign_in("alice")
    web.post(
        client,
        f"/c/{SECOND}/control/pause",
        {"scope": "campaign", "reason": "road closure"},
        page=f"/c/{SECOND}/control/pause",
    )
    assert planned.campaign(SECOND).paused and not planned.campaign(SLUG).paused
    assert planned.audit_log(SECOND)[-1].actor == "alice"


def test_pausing_everything_stops_every_campaign_audited_in_each(web, two_campaigns, planned):
    client = web.sign_in("alice")
    page = client.get(f"/c/{SECOND}/control/pause").text
    assert "Or pause everything: every campaign, every account" in page
    refused = web.post(client, "/control/pause", {"scope": "everything", "reason": ""})
    assert refused.status_code == 302 and planned.everything_paused() is None
    web.post(
        client,
        f"/c/{SECOND}/control/pause",
        {"scope": "everything", "reason": "Major incident declared"},
        page=f"/c/{SECOND}/control/pause",
    )
    switch = planned.everything_paused()
    assert switch is not None and (switch.paused_by, switch.pause_reason) == (
        "alice",
        "Major incident declared",
    )
    for slug in (SLUG, SECOND):
        entry = planned.audit_log(slug)[-1]
        assert (entry.action, entry.actor, entry.details["scope"]) == (
            "paused",
            "alice",
            "everything",
        )
    # Every campaign's banner says so, in words.
    status = client.get("/api/status").get_json()["banner"]
    assert (
        status["paused"]
        and "Everything is paused, in every campaign, by alice" in (status["detail"])
    )
    resume = client.get("/control/resume").text
    assert "Everything is paused" in resume and "Resume everything" in resume
    web.post(client, "/control/resume", {"scope": "everything"}, page="/control/resume")
    assert planned.everything_paused() is None
    assert [planned.audit_log(slug)[-1].action for slug in (SLUG, SECOND)] == ["resumed"] * 2
    assert not client.get("/api/status").get_json()["banner"]["paused"]
