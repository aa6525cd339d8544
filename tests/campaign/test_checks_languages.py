"""Checks per language, through `campaign check` and its core (`check_plan`), on the shared
Welsh and English sample (tests/campaign/languages_sample: one day, an X pair of a Welsh account
and an English one, and a bilingual Facebook post), copied and edited per test."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from campaign.checks.readability import flesch_reading_ease
from campaign.config import load_config
from campaign.content.live import check_draft
from campaign.planning import check_plan, store_plan

REPO = Path(__file__).resolve().parents[2]
CY_TAG = "#WythnosYmwybyddiaethTroseddauCasineb"
EN_TAG = "#HateCrimeAwarenessWeek"
SAMPLE = Path(__file__).parent / "languages_sample"
# Two more helplines than the sample's 999, to give different numbers in each language.
HELPLINES = """\
[helplines.victims]
name = "Victim Support"
number = "08 08 16 89 111"
purpose = "support for victims of crime"
[helplines.stalking]
name = "National Stalking Helpline"
number = "0808 802 0300"
purpose = "advice for victims of stalking"
hours = { mon = "09:30-16:00", tue = "09:30-16:00" }

"""
# Plain Welsh the English formula would call hard: Welsh words run long in syllables.
WELSH_PROSE = (
    "Mae Heddlu Gogledd Cymru yn annog unrhyw ddioddefwyr troseddau casineb i ffonio 999 mewn "
    "argyfwng, oherwydd mae cefnogaeth arbenigol ar gael i bawb sydd wedi cael eu targedu "
    "oherwydd eu hunaniaeth."
)
DENSE_ENGLISH = (
    "Notwithstanding institutional considerations, comprehensive victimisation reporting "
    "mechanisms facilitate investigative prioritisation and multi-agency safeguarding "
    "interventions."
)


@pytest.fixture
def week(tmp_path: Path) -> Path:
    """The sample week (one day: an X pair, cy then en, and a bilingual Facebook post), to edit:
    config.toml and posts/day1/{x,facebook}.{cy,en}.j2, with its Page id given and two more
    helplines."""
    week = tmp_path / "welsh-week"  # not "week": the `run` fixture copies the shipped one there
    shutil.copytree(SAMPLE, week)
    edit_config(week, 'page_id = "1234567890"', 'page_id = "104857361209584"')
    edit_config(week, "[[days]]", HELPLINES + "[[days]]")
    return week


def write(week: Path, name: str, text: str) -> None:
    (week / "posts" / "day1" / name).write_text(text, encoding="utf-8")


def edit_config(week: Path, old: str, new: str) -> None:
    path = week / "config.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def report(week: Path):  # noqa: ANN201 - the core's CheckReport
    return check_plan(load_config(week / "config.toml")).report


def findings(week: Path, rule: str):  # noqa: ANN201
    return [f for f in report(week).findings if f.rule == rule]


# --- the sample week as written is clean -------------------------------------------------


def test_the_sample_week_has_no_findings(week, run):
    checked = report(week)
    assert checked.findings == []
    result = run("check", config=week / "config.toml")
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


# --- the campaign hashtag in each text's language ------------------------------------------


def test_each_text_carries_its_own_languages_hashtag(week):
    # the Welsh post of the pair gives the Welsh hashtag, the bilingual post each at the end
    # of its own text: neither is missing nor "inside the text"
    checked = report(week)
    assert [f.rule for f in checked.findings if f.rule.startswith("hashtag")] == []


def test_a_welsh_text_with_the_english_hashtag_misses_the_welsh_one(week):
    write(week, "x.cy.j2", f"Mewn argyfwng, ffoniwch 999. {EN_TAG}\n")
    write(week, "facebook.cy.j2", "Mewn argyfwng, ffoniwch 999.\n")
    missing = findings(week, "hashtag-missing")
    assert sorted((f.key, f.template) for f in missing) == [
        ("2026-10-12-facebook", "day1/facebook.cy.j2"),
        ("2026-10-12-x-cy", "day1/x.cy.j2"),
    ]
    assert all(CY_TAG in f.message for f in missing)
    [bilingual] = [f for f in missing if f.key == "2026-10-12-facebook"]
    assert "from the Cymraeg (Welsh) text" in bilingual.message


def test_a_misspelt_welsh_hashtag_is_named_with_its_welsh_spelling(week):
    write(week, "x.cy.j2", f"Mewn argyfwng, ffoniwch 999. {CY_TAG.lower()}\n")
    [spelling] = findings(week, "hashtag-spelling")
    assert spelling.key == "2026-10-12-x-cy" and spelling.template == "day1/x.cy.j2"
    assert f"should be spelt {CY_TAG}" in spelling.message and spelling.line == 1


def test_a_hashtag_inside_one_languages_text_is_found_there(week):
    write(week, "facebook.en.j2", "In an #emergency, call 999.\n{{ campaign.hashtag }}\n")
    [position] = findings(week, "hashtag-position")
    assert position.key == "2026-10-12-facebook" and position.template == "day1/facebook.en.j2"
    assert position.line == 1 and "of the English text" in position.message


def test_house_hashtag_count_is_per_language_and_the_platform_cap_per_post(week):
    # two hashtags in each text: four in the post, but each language keeps to three
    write(week, "facebook.cy.j2", "Ffoniwch 999. #Cymru {{ campaign.hashtag }}\n")
    write(week, "facebook.en.j2", "Call 999. #Wales {{ campaign.hashtag }}\n")
    assert findings(week, "hashtag-count") == []
    write(week, "facebook.en.j2", "Call 999. #Wales #NorthWales #Help {{ campaign.hashtag }}\n")
    [count] = findings(week, "hashtag-count")
    assert count.template == "day1/facebook.en.j2" and "4 hashtags in the English text" in (
        count.message
    )


# --- length per platform, for what is sent ---------------------------------------------------


def _long_texts(week: Path) -> None:
    """Welsh and English texts of 150 and 140 characters or so: each fits X, both do not."""
    write(week, "x.cy.j2", "Ffoniwch 999. " + "a" * 100 + " {{ campaign.hashtag }}\n")
    write(week, "x.en.j2", "Call 999. " + "b" * 100 + " {{ campaign.hashtag }}\n")


def test_a_pairs_posts_are_each_measured_alone(week):
    _long_texts(week)
    assert findings(week, "x-length") == []


def test_a_bilingual_post_over_the_limit_says_what_each_language_takes(week):
    _long_texts(week)
    # the same texts as one bilingual post on the Welsh account (a channel not in `pairs`)
    edit_config(week, '{ channel = "x", time = "10:00"', '{ channel = "x-cymraeg", time = "10:00"')
    [finding] = findings(week, "x-length")
    cy = len("Ffoniwch 999. " + "a" * 100 + " " + CY_TAG)
    en = len("Call 999. " + "b" * 100 + " " + EN_TAG)
    assert finding.key == "2026-10-12-x-cymraeg"
    assert f"the post is {cy + en + 2} " in finding.message
    assert f"Cymraeg (Welsh) {cy} + English {en} " in finding.message
    assert "2 between them" in finding.message
    assert f"shorten the texts by {cy + en + 2 - 280}" in finding.fix
    assert "[languages] pairs = { x-cymraeg = { cy = " in finding.fix
    assert finding.template == "day1/x.cy.j2"  # the longer text: the one to cut first


# --- the same phone numbers and links in every language -------------------------------------


def test_a_pair_whose_english_post_gives_another_number_is_an_error(week, run):
    write(week, "x.cy.j2", "Cymorth: ffoniwch 08 08 16 89 111. {{ campaign.hashtag }}\n")
    write(week, "x.en.j2", "For support call\n0808 802 0300. {{ campaign.hashtag }}\n")
    [finding] = findings(week, "language-facts")
    assert finding.severity == "error"
    assert finding.key == "2026-10-12-x-en" and finding.channel == "x-english"
    assert (finding.template, finding.line) == ("day1/x.en.j2", 2)
    assert finding.message.startswith(
        "the English text does not give the same facts as the Cymraeg (Welsh) text "
        "(2026-10-12-x-cy): it leaves out 08 08 16 89 111, and gives 0808 802 0300 besides;"
    )
    assert "day1/x.en.j2 or day1/x.cy.j2" in finding.fix
    result = run("check", config=week / "config.toml")
    assert result.exit_code == 1 and "language-facts" in result.output


def test_one_number_written_two_ways_is_the_same_number(week):
    write(week, "x.cy.j2", "Ffoniwch 0808 802 0300 neu 999. {{ campaign.hashtag }}\n")
    write(week, "x.en.j2", "Call 999 or +44 (0)808 802 0300. {{ campaign.hashtag }}\n")
    assert findings(week, "language-facts") == []


def test_a_bilingual_post_that_adds_a_link_in_one_language_is_an_error(week):
    write(week, "facebook.cy.j2", "Ffoniwch 999. {{ campaign.hashtag }}\n")
    write(
        week,
        "facebook.en.j2",
        "Call 999.\nReport online: https://www.northwales.police.uk/report "
        "{{ campaign.hashtag }}\n",
    )
    [finding] = findings(week, "language-facts")
    assert finding.key == "2026-10-12-facebook" and finding.template == "day1/facebook.en.j2"
    assert finding.line == 2
    assert "it gives https://www.northwales.police.uk/report besides" in finding.message


def test_links_are_compared_normalised_and_each_languages_page_is_the_same_link(week):
    write(
        week,
        "facebook.cy.j2",
        "Rhowch wybod: https://www.northwales.police.uk/cy/adrodd {{ campaign.hashtag }}\n",
    )
    write(
        week,
        "facebook.en.j2",
        "Report it: HTTPS://WWW.NorthWales.police.uk/en/adrodd/ {{ campaign.hashtag }}\n",
    )
    assert findings(week, "language-facts") == []
    write(
        week,
        "facebook.en.j2",
        "Report it: https://www.northwales.police.uk/en/report {{ campaign.hashtag }}\n",
    )
    [finding] = findings(week, "language-facts")
    assert "leaves out https://www.northwales.police.uk/cy/adrodd" in finding.message


def test_a_welsh_dialling_word_makes_a_short_code_a_number(week):
    # "ffoniwch 101" is dialled as much as "call 101": an unconfigured short code in either
    # language is an error, and both texts give it
    write(week, "x.cy.j2", "Ffoniwch 101. {{ campaign.hashtag }}\n")
    write(week, "x.en.j2", "Call 101. {{ campaign.hashtag }}\n")
    unknown = findings(week, "phone-unknown")
    assert sorted(f.template for f in unknown) == ["day1/x.cy.j2", "day1/x.en.j2"]
    assert findings(week, "language-facts") == []


# --- readability for English only -----------------------------------------------------------


def test_welsh_text_is_not_scored_and_never_warned_about(week, run):
    write(week, "x.cy.j2", WELSH_PROSE + " {{ campaign.hashtag }}\n")
    write(week, "facebook.cy.j2", WELSH_PROSE + " {{ campaign.hashtag }}\n")
    checked = check_plan(load_config(week / "config.toml"))
    welsh = next(post for post in checked.posts if post.key == "2026-10-12-x-cy")
    # what the English formula would have said of it
    assert (
        flesch_reading_ease(welsh.text) < load_config(week / "config.toml").checks.min_reading_ease
    )
    checked = checked.report
    assert [f for f in checked.findings if f.rule == "readability"] == []
    assert "2026-10-12-x-cy" not in checked.reading_ease
    assert "2026-10-12-facebook" not in checked.reading_ease  # not one score for two languages
    assert checked.reading_ease["2026-10-12-x-en"] > 50
    assert checked.reading_ease_by_language["2026-10-12-x-cy"] == {"cy": None}
    scores = checked.reading_ease_by_language["2026-10-12-facebook"]
    assert list(scores) == ["cy", "en"] and scores["cy"] is None and scores["en"] is not None
    data = json.loads(run("check", "--json", config=week / "config.toml").output)
    posts = {post["key"]: post for post in data["posts"]}
    assert posts["2026-10-12-x-cy"]["reading_ease"] is None
    assert posts["2026-10-12-facebook"]["reading_ease_by_language"]["cy"] is None
    table = run("check", config=week / "config.toml").output
    assert "cy not scored" in table


def test_dense_english_in_a_bilingual_post_is_warned_about_at_its_template(week):
    write(week, "facebook.en.j2", DENSE_ENGLISH + " Call 999. {{ campaign.hashtag }}\n")
    [warning] = findings(week, "readability")
    assert warning.key == "2026-10-12-facebook" and warning.template == "day1/facebook.en.j2"
    assert "of the English text" in warning.message


def test_a_campaign_written_in_welsh_alone_is_not_scored(week):
    # no [languages]: every post in the campaign's one language, Welsh
    text = (week / "config.toml").read_text(encoding="utf-8")
    start, end = text.index("[languages]"), text.index("[accounts.x-cymraeg]")
    text = text[:start] + text[end:]
    text = text.replace('timezone = "Europe/London"', 'timezone = "Europe/London"\nlanguage = "cy"')
    text = text.replace(
        'templates = { cy = "day1/x.cy.j2", en = "day1/x.en.j2" }', 'template = "day1/x.cy.j2"'
    ).replace('{ channel = "x",', '{ channel = "x-cymraeg",')
    text = text.replace(
        'templates = { cy = "day1/facebook.cy.j2", en = "day1/facebook.en.j2" }',
        'template = "day1/facebook.cy.j2"',
    )
    (week / "config.toml").write_text(text, encoding="utf-8")
    write(week, "x.cy.j2", WELSH_PROSE + " {{ campaign.hashtag }}\n")
    checked = report(week)
    assert [f for f in checked.findings if f.rule == "readability"] == []
    assert checked.reading_ease == {}


# --- the other rules on each language's text ------------------------------------------------


def test_a_placeholder_in_one_language_is_found_at_its_template_line(week):
    write(week, "facebook.en.j2", "Call 999.\n[[the local team's name]] {{ campaign.hashtag }}\n")
    [finding] = findings(week, "placeholder")
    assert (finding.template, finding.line) == ("day1/facebook.en.j2", 2)
    assert finding.message.startswith("the English text still holds")


def test_markup_in_the_welsh_text_is_found_there(week):
    write(week, "facebook.cy.j2", "Ffoniwch <b>999</b>. {{ campaign.hashtag }}\n")
    [finding] = findings(week, "markup")
    assert finding.template == "day1/facebook.cy.j2" and "Cymraeg (Welsh) text" in finding.message


def test_an_empty_text_in_one_language_is_an_error(week):
    write(week, "facebook.en.j2", "\n")
    [finding] = findings(week, "empty")
    assert finding.template == "day1/facebook.en.j2"
    assert finding.message == "the English text of the post is empty"


def test_a_closed_helpline_is_found_in_each_languages_text(week):
    # Monday 11:00 is open; Wednesday is not a day the line opens
    edit_config(week, "date = 2026-10-12", "date = 2026-10-14")
    write(week, "facebook.cy.j2", "Ffoniwch 0808 802 0300. {{ campaign.hashtag }}\n")
    write(week, "facebook.en.j2", "Call 0808 802 0300. {{ campaign.hashtag }}\n")
    closed = findings(week, "helpline-closed")
    assert sorted(f.template for f in closed) == ["day1/facebook.cy.j2", "day1/facebook.en.j2"]
    edit_config(week, "date = 2026-10-14", "date = 2026-10-12")
    assert findings(week, "helpline-closed") == []


def test_a_pairs_two_posts_are_not_duplicates_but_a_repeat_on_one_account_is(week):
    # one hashtag for both languages: the pair's two texts are word for word the same
    edit_config(week, f'hashtags = {{ cy = "{CY_TAG}", en = "{EN_TAG}" }}\n', "")
    write(week, "x.cy.j2", "Call 999. {{ campaign.hashtag }}\n")
    write(week, "x.en.j2", "Call 999. {{ campaign.hashtag }}\n")
    assert findings(week, "duplicate-text") == []
    edit_config(
        week,
        '.en.j2" } },\n]\n',
        '.en.j2" } },\n  { channel = "x", time = "15:00", key = "2026-10-12-x-later", '
        'templates = { cy = "day1/x.cy.j2", en = "day1/x.en.j2" } },\n]\n',
    )
    repeats = findings(week, "duplicate-text")
    assert sorted((f.channel, f.template) for f in repeats) == [
        ("x-cymraeg", "day1/x.cy.j2"),
        ("x-english", "day1/x.en.j2"),
    ]


def test_alt_text_is_wanted_in_every_language_of_a_bilingual_post(week):
    image = week / "posts" / "images" / "card.png"
    image.parent.mkdir()
    Image.new("RGB", (1200, 675), "white").save(image)
    edit_config(
        week,
        'templates = { cy = "day1/facebook.cy.j2", en = "day1/facebook.en.j2" } }',
        'templates = { cy = "day1/facebook.cy.j2", en = "day1/facebook.en.j2" }, '
        'images = [{ file = "images/card.png", alts = { cy = "Cerdyn gyda rhif 999" } }] }',
    )
    [missing] = findings(week, "alt-text-missing")
    assert missing.key == "2026-10-12-facebook" and "no alt text in English" in missing.message
    assert missing.template == "config.toml" and missing.line is not None
    edit_config(
        week,
        'alts = { cy = "Cerdyn gyda rhif 999" }',
        ('alts = { cy = "Cerdyn gyda rhif 999", en = "A card giving 999" }'),
    )
    assert findings(week, "alt-text-missing") == []
    # what is sent is both: 600 + 500 characters go over the house limit of 1,000
    edit_config(
        week,
        'alts = { cy = "Cerdyn gyda rhif 999", en = "A card giving 999" }',
        f'alts = {{ cy = "{"c" * 600}", en = "{"e" * 500}" }}',
    )
    [long] = findings(week, "alt-text-length")
    assert "is 1102 characters (limit 1000): Cymraeg (Welsh) 600 + English 500" in long.message


def test_the_shipped_example_posts_folder_is_unaffected(tmp_path):
    """A campaign in one language (the shipped week) still scores each post as one."""
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    shutil.copytree(REPO / "posts", tmp_path / "posts")
    checked = report(tmp_path)
    assert checked.errors == [] and len(checked.reading_ease) == 23
    assert all(list(scores) == ["en-GB"] for scores in checked.reading_ease_by_language.values())


# --- the composer's live check scores as `campaign check` does ------------------------------


@pytest.mark.parametrize(("language", "warned"), [("en-GB", True), ("cy", False)])
def test_the_composers_live_check_scores_english_only(shipped_config, store, language, warned):
    info = shipped_config.campaign.model_copy(update={"language": language})
    store_plan(shipped_config.model_copy(update={"campaign": info}), store, "olly")
    content = store.content("stalking-awareness-week-2020")
    source = content.sources["2020-04-21-x"]
    prose = DENSE_ENGLISH if warned else WELSH_PROSE
    live = check_draft(content, replace(source, text=prose + " {{ campaign.hashtag }}"))
    assert ("readability" in {f.rule for f in live.findings}) is warned
    assert (live.reading_ease is not None) is warned


def test_a_finding_on_text_of_one_language_points_at_that_languages_template(week):
    # Threads counts the unique links of the whole post: three pages, each in Welsh and in
    # English, are six; the sixth stands in the English text
    edit_config(
        week,
        "[helplines.emergency]",
        '[accounts.threads]\nplatform = "threads"\nname = "Heddlu Gogledd Cymru"\n'
        'handle = "@heddlugogcymru"\nuser_id = "17841400000000000"\n'
        '[accounts.threads.credentials]\naccess_token = "TT"\n\n[helplines.emergency]',
    )
    edit_config(
        week,
        '.en.j2" } },\n]\n',
        '.en.j2" } },\n  { channel = "threads", time = "12:00", templates = { cy = '
        '"day1/threads.cy.j2", en = "day1/threads.en.j2" } },\n]\n',
    )
    pages = ("adrodd", "cymorth", "cyswllt")
    for tag in ("cy", "en"):
        links = "\n".join(f"https://www.northwales.police.uk/{tag}/{page}" for page in pages)
        write(week, f"threads.{tag}.j2", f"999\n{links}\n{{{{ campaign.hashtag }}}}\n")
    [finding] = findings(week, "threads-links")
    assert finding.key == "2026-10-12-threads" and "6 different links" in finding.message
    assert (finding.template, finding.line) == ("day1/threads.en.j2", 4)
    assert findings(week, "language-facts") == []


def test_instagrams_hashtag_cap_is_on_the_whole_bilingual_post(week):
    image = week / "posts" / "images" / "card.jpg"
    image.parent.mkdir()
    Image.new("RGB", (1080, 1080), "white").save(image)
    edit_config(
        week,
        "[helplines.emergency]",
        '[accounts.instagram]\nplatform = "instagram"\nname = "Heddlu Gogledd Cymru"\n'
        'handle = "@heddlugogcymru"\nuser_id = "17841400000000001"\n'
        'media_base_url = "https://www.northwales.police.uk/media"\n'
        '[accounts.instagram.credentials]\naccess_token = "IGT"\n\n[helplines.emergency]',
    )
    edit_config(
        week,
        '.en.j2" } },\n]\n',
        '.en.j2" } },\n  { channel = "instagram", time = "12:00", templates = { cy = '
        '"day1/ig.cy.j2", en = "day1/ig.en.j2" }, images = [{ file = "images/card.jpg", '
        'alts = { cy = "Cerdyn: ffoniwch 999", en = "A card: call 999" } }] },\n]\n',
    )
    # 15 tags in each language: within 30 for the post (house style warns, the platform takes it)
    for tag in ("cy", "en"):
        tags = " ".join(f"#{tag.upper()}{n}" for n in range(14))
        write(week, f"ig.{tag}.j2", f"999\n{tags} {{{{ campaign.hashtag }}}}\n")
    assert findings(week, "hashtag-limit") == []
    write(
        week,
        "ig.en.j2",
        "999\n" + " ".join(f"#Tag{n}" for n in range(15)) + " {{ campaign.hashtag }}\n",
    )
    [limit] = findings(week, "hashtag-limit")
    assert limit.key == "2026-10-12-instagram"
    assert limit.message.startswith("31 hashtags (Cymraeg (Welsh) 15 + English 16)")
    assert "send instagram as a pair" in limit.fix
