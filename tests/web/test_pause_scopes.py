"""The pause page offers this campaign, one account (named with every campaign that uses it)
or everything; each needs a reason, is audited under the signed-in user, and can be resumed."""

from __future__ import annotations

from tests.web.conftest import SECOND

SLUG = "stalking-awareness-week-2020"


def test_the_pause_page_offers_each_account_with_the_campaigns_that_use_it(web, two_campaigns):
    page = web.sign_in("alice").get("/control/pause").text
    assert "Or pause one account, in every campaign that uses it" in page
    assert '<option value="x">X @DerbyshirePolice – used by ' in page
    assert '<option value="facebook">Facebook /DerbyshireConstabulary – used by ' in page
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
    entry = planned.audit_log(SLUG)[-1]
    assert (entry.action, entry.actor, entry.details["reason"]) == (
        "paused",
        "alice",
        "X account compromised",
    )
    assert "PAUSED X @DerbyshirePolice" in client.get(response.headers["Location"]).text
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
