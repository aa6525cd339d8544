"""Mastodon's count, from its own validator's cases (spec/validators/
status_length_validator_spec.rb): links 23 flat, mentions by their user name, graphemes."""

from __future__ import annotations

import pytest

from campaign.config import Account, load_config
from campaign.planning import check_plan
from campaign.platforms import facts
from tests.platforms.mastodon_support import mastodon_campaign

MASTODON = facts("mastodon")


def length(text: str, account: Account | None = None) -> int:
    return MASTODON.length(text, account)


def account(**settings: object) -> Account:
    base = {
        "platform": "mastodon",
        "name": "M",
        "handle": "@a@b.example",
        "credentials": {"access_token": "M_TOKEN"},
    }
    return Account(**(base | {"base_url": "https://b.example", **settings}))  # type: ignore[arg-type]


def test_a_link_counts_23_whatever_its_length():
    text = "a" * 476 + " http://" + "b" * 30 + ".com/example"
    assert length(text) == 500
    assert length("see https://example.com/" + "x" * 300) == 4 + 23


def test_text_stuck_to_a_link_keeps_it_from_being_a_link():
    # Not autolinked (a letter before it), so counted in full, as Mastodon does.
    text = "a" * 476 + "http://" + "b" * 30 + ".com/example"
    assert length(text) == len(text) > 500


def test_a_link_without_a_scheme_counts_in_full():
    assert length("see derbyshire.police.uk/report") == len("see derbyshire.police.uk/report")


def test_a_mention_of_another_instance_counts_only_its_user_name():
    text = "a" * 475 + " @alice@" + "b" * 30 + ".com"
    assert length(text) == 475 + len(" @alice")
    assert length("@paladin@mastodon.social") == len("@paladin")
    assert length("write to info@example.org") == len("write to info@example.org")


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("🚨", 1),
        ("👩‍👩‍👧", 1),  # a family joined by zero-width joiners: one grapheme
        ("👍🏽", 1),  # with a skin tone
        ("🇬🇧", 1),  # a flag: two regional indicators
        ("é", 1),  # e + combining accent
        ("Stalking is a crime", 19),
    ],
)
def test_the_rest_counts_by_graphemes(text, count):
    assert length(text) == count


def test_the_instance_limits_come_from_the_account():
    assert MASTODON.max_length(None, None) == 500  # type: ignore[arg-type]
    assert MASTODON.max_length(None, account(max_characters=1000)) == 1000  # type: ignore[arg-type]
    assert length("https://example.com", account(characters_reserved_per_url=30)) == 30


def test_campaign_check_counts_as_mastodon_does(campaign_dir):
    config_path = mastodon_campaign(campaign_dir)
    template = campaign_dir / "posts" / "how-to-report" / "x.j2"
    original = template.read_text(encoding="utf-8")
    # A long link and a remote mention cost little: no finding.
    template.write_text(
        "https://example.police.uk/" + "a" * 400 + " @paladin@" + "b" * 200 + ".org\n" + original
    )
    report = check_plan(load_config(config_path)).report
    assert [f for f in report.findings if f.rule == "mastodon-length"] == []
    template.write_text("🚨" * 501 + "\n" + original)
    report = check_plan(load_config(config_path)).report
    [finding] = [f for f in report.findings if f.rule == "mastodon-length"]
    assert finding.severity == "error" and finding.key == "report"
