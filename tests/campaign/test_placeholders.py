"""Placeholders the scaffold (and the packs) write never pass `campaign check`, however they are
half-edited: brackets taken off, a different case, or the example handle used inside a post."""

from __future__ import annotations

import pytest

from campaign.config import load_config
from campaign.planning import check_plan


def _placeholders(campaign_dir):
    report = check_plan(load_config(campaign_dir / "config.toml")).report
    return [f for f in report.findings if f.rule == "placeholder"]


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        # the scaffold's handle placeholder with only its brackets deleted
        (
            'handle = "@DerbyshirePolice"',
            'handle = "@YourHandle: the account\'s X handle"',
            "accounts.x.handle",
        ),
        # the scaffold's page id placeholder with only its brackets deleted
        (
            'page_id = "104857361209584"',
            "page_id = \"the Page's numeric id, from the Page's About section\"",
            "accounts.facebook.page_id",
        ),
        # the example handle in another case: X handles ignore case
        ('handle = "@DerbyshirePolice"', 'handle = "@yourhandle"', "accounts.x.handle"),
        # the example handle given as a contact route
        ('x_direct_message = "@DerPolContact"', 'x_direct_message = "@YourHandle"', "contact"),
        # the example page id inside an address
        (
            'facebook_message = "/DerbyshireConstabulary"',
            'facebook_message = "facebook.com/1234567890"',
            "contact.facebook_message",
        ),
    ],
)
def test_a_half_edited_example_value_in_config_is_an_error_at_its_line(
    campaign_dir, edit, old, new, field
):
    edit("config.toml", old, new)
    findings = _placeholders(campaign_dir)
    assert findings, "the example value passed the check"
    lines = (campaign_dir / "config.toml").read_text().splitlines()
    for finding in findings:
        assert finding.severity == "error" and finding.template == "config.toml"
        assert finding.message.startswith(field)
        assert new.split(" = ")[0] in lines[finding.line - 1]


def test_the_example_handle_inside_a_post_is_an_error_at_its_template_line(campaign_dir, edit):
    edit("posts/how-to-report/x.j2", "💬 DM our contact centre", "💬 DM @YourHandle or")
    [finding] = _placeholders(campaign_dir)
    assert finding.severity == "error" and finding.where == "how-to-report/x.j2:5"
    assert "@YourHandle" in finding.message


def test_a_real_handle_or_number_that_merely_contains_the_examples_passes(campaign_dir, edit):
    edit("config.toml", 'handle = "@DerbyshirePolice"', 'handle = "@YourHandleShop"')
    edit("config.toml", 'page_id = "104857361209584"', 'page_id = "912345678901"')
    assert _placeholders(campaign_dir) == []
