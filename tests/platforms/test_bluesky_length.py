"""Bluesky's count: graphemes (UAX #29), links in full, facets over UTF-8 byte ranges; and
`campaign check` catching a post X would take but Bluesky would refuse."""

from __future__ import annotations

import json

import pytest
from atproto_client.utils.facet_detection import detect_facets
from click.testing import CliRunner

from campaign.cli import main
from campaign.platforms import facts
from campaign.platforms.bluesky import graphemes
from campaign.x_length import measure
from tests.platforms.bluesky_support import small_campaign

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👨‍👩‍👧‍👦: 7 code points
COUPLE = "\U0001f468\u200d\u2764\ufe0f\u200d\U0001f468"  # 👨‍❤️‍👨, in docs.bsky.app's example
FLAG_WALES = "\U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f"


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Hello", 5),
        (FAMILY, 1),
        (COUPLE, 1),
        ("\U0001f1ec\U0001f1e7", 1),  # 🇬🇧: two regional indicators, one flag
        (FLAG_WALES, 1),  # a tag sequence
        ("\U0001f44d\U0001f3fd", 1),  # 👍🏽: emoji and skin tone
        ("e\u0301", 1),  # e and a combining acute accent
        ("Caf\u00e9 \U0001f1ec\U0001f1e7" + FAMILY, 7),
    ],
)
def test_bluesky_counts_grapheme_clusters_not_code_points(text, count):
    assert facts("bluesky").length(text, None) == graphemes(text) == count
    assert len(text) >= count


def test_a_link_counts_in_full_on_bluesky_but_23_on_x():
    link = "https://www.derbyshire.police.uk/advice/crime-prevention/stalking-and-harassment"
    assert graphemes(link) == len(link) == 80
    assert measure(link).weighted_length == 23


def test_facets_cover_the_documented_utf8_byte_ranges():
    """docs.bsky.app, "Links, mentions and rich text": 'Go to this site' links bytes 6-15;
    the "creating a post" example puts its link after an emoji sequence at bytes 74-108."""
    text = f"\u2728 example mentioning @atproto.com to share the URL {COUPLE} https://en.wikipedia.org/wiki/CBOR."
    (link,) = [f for f in detect_facets(text) if f.features[0].py_type.endswith("#link")]
    assert (link.index.byte_start, link.index.byte_end) == (74, 108)
    assert link.features[0].uri == "https://en.wikipedia.org/wiki/CBOR"
    assert text.encode()[74:108].decode() == "https://en.wikipedia.org/wiki/CBOR"
    (tag,) = detect_facets("Caf\u00e9 \U0001f1ec\U0001f1e7 #SeeStalkingClearly")
    assert (tag.index.byte_start, tag.index.byte_end) == (15, 34)
    assert tag.features[0].tag == "SeeStalkingClearly"


DAYS = """
[[days]]
date = 2020-04-20
slug = "what-stalking-is"
theme = "What stalking is"
posts = [
  { channel = "x", time = "10:00", template = "long/x.j2" },
  { channel = "bluesky", time = "10:05", template = "long/bluesky.j2" },
  { channel = "bluesky", time = "10:10", template = "long/emoji.j2" },
]
"""


def test_campaign_check_finds_the_post_x_takes_and_bluesky_refuses(tmp_path):
    link = "https://www.derbyshire.police.uk/advice/crime-prevention/stalking-and-harassment"
    words = "Stalking is a crime. Call 101 or report online. #SeeStalkingClearly "
    body = (words * 5)[:256] + " " + link
    # X counts it 280 (its limit: accepted); Bluesky counts every character of the link.
    assert measure(body).weighted_length == 280 and graphemes(body) == 337
    emoji = "#SeeStalkingClearly " + FLAG_WALES * 290  # 310 graphemes, 8,140 bytes
    config = small_campaign(
        tmp_path / "c",
        {"long/x.j2": body, "long/bluesky.j2": body, "long/emoji.j2": emoji},
        DAYS,
    )
    result = CliRunner().invoke(main, ["check", "--config", str(config), "--json"])
    assert result.exit_code == 1, result.output
    findings = json.loads(result.output)
    findings = findings["findings"] if isinstance(findings, dict) else findings
    rules = {(f["rule"], f["channel"], f["template"]) for f in findings}
    assert ("bluesky-length", "bluesky", "long/bluesky.j2") in rules
    assert ("bluesky-long-link", "bluesky", "long/bluesky.j2") in rules
    assert not any(rule == "x-length" for rule, _, _ in rules)  # X counts the link as 23
    length = next(
        f for f in findings if f["rule"] == "bluesky-length" and f["template"] == "long/bluesky.j2"
    )
    assert "337 graphemes (Bluesky limit 300" in length["message"]
    assert "a link counts in full" in length["message"]
    assert ("bluesky-length", "bluesky", "long/emoji.j2") in rules
    assert ("bluesky-bytes", "bluesky", "long/emoji.j2") in rules
