"""Caps across campaigns: this campaign's sends together with another's on the same account."""

from __future__ import annotations

from datetime import timedelta

from campaign.checks.limits import check_limits, check_shared_limits
from campaign.render import render_plan
from campaign.store.across import OtherSend

IDENTITIES = {"x": "x:@derbyshirepolice", "facebook": "facebook:1234"}


def _capped(config, account, **caps):
    accounts = dict(config.accounts)
    accounts[account] = accounts[account].model_copy(update=caps)
    return config.model_copy(update={"accounts": accounts})


def _copy_of(posts, campaign="Hate Crime Awareness Week", shift=timedelta(0)):
    return [
        OtherSend(IDENTITIES[p.channel], p.scheduled_at + shift, len(p.parts), campaign, p.key)
        for p in posts
        if p.channel in IDENTITIES  # the other campaign is on X and Facebook only
    ]


def test_two_campaigns_over_an_x_cap_together_name_both_and_the_window(shipped_config):
    config = _capped(shipped_config, "x", posts_per_15min=4)
    posts = render_plan(config)
    assert not list(check_limits(posts, config))  # alone, the week fits: 3 parts at most
    [finding] = check_shared_limits(posts, config, _copy_of(posts), IDENTITIES)
    assert finding.severity == "error" and finding.rule == "posting-limit-shared"
    assert finding.channel == "x" and finding.key == "2020-04-20-x"
    assert "6 sends on x within 15 minutes from Mon 20 Apr 10:00 BST" in finding.message
    assert "3 of Stalking Awareness Week 2020 and 3 of Hate Crime Awareness Week" in finding.message
    assert "(its limit is 4)" in finding.message


def test_a_facebook_day_cap_counts_every_campaign_on_the_page(shipped_config):
    config = _capped(shipped_config, "facebook", posts_per_24h=1)
    posts = render_plan(config)
    later = _copy_of(posts, shift=timedelta(hours=5))
    [finding] = check_shared_limits(posts, config, later, IDENTITIES)
    assert finding.channel == "facebook" and "within 24 hours" in finding.message
    assert "2 sends" in finding.message and "Hate Crime Awareness Week" in finding.message


def test_sends_outside_the_window_or_on_other_accounts_do_not_count(shipped_config):
    config = _capped(shipped_config, "x", posts_per_15min=4)
    posts = render_plan(config)
    apart = _copy_of(posts, shift=timedelta(minutes=15))
    assert not list(check_shared_limits(posts, config, apart, IDENTITIES))
    elsewhere = [send._replace(identity="x:@someoneelse") for send in _copy_of(posts)]
    assert not list(check_shared_limits(posts, config, elsewhere, IDENTITIES))


def test_a_window_over_the_cap_alone_is_left_to_the_campaigns_own_check(shipped_config):
    config = _capped(shipped_config, "x", posts_per_15min=2)
    posts = render_plan(config)
    [alone] = check_limits(posts, config)  # Monday's thread of 3
    assert alone.day == "2020-04-20"
    [together] = check_shared_limits(posts, config, _copy_of(posts), IDENTITIES)
    assert together.day == "2020-04-21" and "2 of Stalking" in together.message
