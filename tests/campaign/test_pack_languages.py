"""A national pack written in Welsh and English: its X posts go out as a pair of accounts, each
one a fact every force gives, and the campaign a force makes from it keeps the pack's
[languages]."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaign.config import load_config
from campaign.errors import ConfigError
from campaign.packs.adopt import adopt_pack, write_adoption
from campaign.planning import check_plan

PACK_TOML = """\
[pack]
name = "Hate Crime Awareness Week 2027"
slug = "hate-crime-awareness-week-2027"
by = "the national hate crime lead for Wales"
hashtag = "#HateCrimeAwarenessWeek"
start = 2027-10-09
end = 2027-10-16

# Welsh first; X goes out as a pair of accounts, Facebook as one bilingual post.
[languages]
order = ["cy", "en"]
hashtags = { cy = "#WythnosYmwybyddiaethTroseddauCasineb", en = "#HateCrimeAwarenessWeek" }
pairs = { x = { cy = "x-cymraeg", en = "x-english" } }

[facts.required]
"organisation.name" = "your force's name"
"accounts.x-cymraeg" = "your Welsh-language X account"
"accounts.x-english" = "your English X account"
"accounts.facebook" = "your Facebook Page"

[helplines.emergency]
name = "Emergency"
number = "999"
purpose = "immediate danger"

[[days]]
date = 2027-10-11
slug = "report-it"
theme = "Rhowch wybod / Report it"

[[days.posts]]
channel = "x"
time = "10:00"
templates = { cy = "report-it/x.cy.j2", en = "report-it/x.en.j2" }

[[days.posts]]
channel = "facebook"
time = "12:00"
templates = { cy = "report-it/x.cy.j2", en = "report-it/x.en.j2" }
"""

FACTS_TOML = """\
[organisation]
name = "Heddlu Gogledd Cymru / North Wales Police"
timezone = "Europe/London"

[accounts.x-cymraeg]
platform = "x"
name = "Heddlu Gogledd Cymru"
handle = "@HeddluGogCymru"

[accounts.x-cymraeg.credentials]
consumer_key = "CY_KEY"
consumer_secret = "CY_SECRET"
access_token = "CY_TOKEN"
access_token_secret = "CY_TOKEN_SECRET"

[accounts.x-english]
platform = "x"
name = "North Wales Police"
handle = "@NWPolice"

[accounts.x-english.credentials]
consumer_key = "EN_KEY"
consumer_secret = "EN_SECRET"
access_token = "EN_TOKEN"
access_token_secret = "EN_TOKEN_SECRET"

[accounts.facebook]
platform = "facebook"
name = "Heddlu Gogledd Cymru / North Wales Police"
page_id = "100064523987120"
credentials = { page_access_token = "NWP_FB_TOKEN" }
"""


def _pack(tmp_path: Path, pack_toml: str = PACK_TOML) -> tuple[Path, Path]:
    pack = tmp_path / "pack"
    (pack / "posts" / "report-it").mkdir(parents=True)
    (pack / "pack.toml").write_text(pack_toml, encoding="utf-8")
    (pack / "posts" / "report-it" / "x.cy.j2").write_text(
        "Ffoniwch {{ helplines.emergency.number }} mewn argyfwng.\n{{ campaign.hashtag }}\n",
        encoding="utf-8",
    )
    (pack / "posts" / "report-it" / "x.en.j2").write_text(
        "Call {{ helplines.emergency.number }} in an emergency.\n{{ campaign.hashtag }}\n",
        encoding="utf-8",
    )
    facts = tmp_path / "facts.toml"
    facts.write_text(FACTS_TOML, encoding="utf-8")
    return pack, facts


def test_a_pack_posting_on_a_pair_makes_a_bilingual_campaign(tmp_path):
    pack, facts = _pack(tmp_path)
    directory = tmp_path / "week"
    write_adoption(adopt_pack(pack, facts, directory))
    config = load_config(directory / "config.toml")
    assert config.languages is not None and config.languages.order == ("cy", "en")
    assert config.languages.pairs == {"x": {"cy": "x-cymraeg", "en": "x-english"}}
    posts = {post.key: post for post in check_plan(config).posts}
    assert set(posts) == {"2027-10-11-x-cy", "2027-10-11-x-en", "2027-10-11-facebook"}
    assert posts["2027-10-11-x-cy"].channel == "x-cymraeg"
    assert posts["2027-10-11-x-en"].channel == "x-english"
    assert posts["2027-10-11-x-cy"].text == (
        "Ffoniwch 999 mewn argyfwng.\n#WythnosYmwybyddiaethTroseddauCasineb"
    )
    assert posts["2027-10-11-facebook"].languages == ("cy", "en")


def test_a_pack_that_does_not_ask_for_each_account_of_a_pair_is_refused(tmp_path):
    pack, facts = _pack(
        tmp_path, PACK_TOML.replace('"accounts.x-english" = "your English X account"\n', "")
    )
    with pytest.raises(ConfigError) as caught:
        adopt_pack(pack, facts, tmp_path / "week")
    said = str(caught.value)
    assert caught.value.path == pack / "pack.toml"
    assert "days[0].posts[0].channel 'x'" in said and '"accounts.x-english"' in said


def test_a_pair_post_needs_a_template_per_language(tmp_path):
    text = PACK_TOML.replace(
        'time = "10:00"\ntemplates = { cy = "report-it/x.cy.j2", en = "report-it/x.en.j2" }',
        'time = "10:00"\ntemplate = "report-it/x.en.j2"',
    )
    assert text != PACK_TOML
    pack, facts = _pack(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        adopt_pack(pack, facts, tmp_path / "week")
    assert caught.value.path == pack / "pack.toml"
    assert "days[0].posts[0]" in str(caught.value) and "a template for each language" in str(
        caught.value
    )


def test_a_pack_template_of_one_language_that_is_missing_is_named(tmp_path):
    pack, facts = _pack(tmp_path)
    (pack / "posts" / "report-it" / "x.en.j2").unlink()
    with pytest.raises(ConfigError) as caught:
        adopt_pack(pack, facts, tmp_path / "week")
    assert "days[0].posts[0].templates.en" in str(caught.value)
