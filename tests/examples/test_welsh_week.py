"""The shipped bilingual example: North Wales Police's Hate Crime Awareness Week, Welsh first.

It is what a Welsh force copies, so it must stay what the README says it is: checked clean,
X as a pair of accounts (Welsh, then English), Facebook and Instagram as one bilingual post,
both languages giving the same numbers and links, and a rehearsal that publishes every post
once, each pair's Welsh post before its English one.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.checks.readability import flesch_reading_ease
from campaign.cli import main
from campaign.config import load_config
from campaign.phones import find_numbers, number_key
from campaign.render import RenderedPost, render_plan
from campaign.store import Store
from campaign.store.models import PostRow

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hate-crime-awareness-week-cymru"
CONFIG = EXAMPLE / "config.toml"
WELSH_HASHTAG = "#WythnosYmwybyddiaethTroseddauCasineb"
ENGLISH_HASHTAG = "#HateCrimeAwarenessWeek"
LINK = re.compile(r"(?:https?://|www\.)\S+")


@pytest.fixture(scope="module")
def posts() -> list[RenderedPost]:
    return render_plan(load_config(CONFIG))


def test_the_welsh_week_checks_clean():
    result = CliRunner().invoke(main, ["check", "--config", str(CONFIG), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["findings"] == [], report["findings"]
    assert report["ok"] and report["errors"] == report["warnings"] == 0


def test_x_is_a_pair_and_facebook_and_instagram_are_bilingual(posts):
    config = load_config(CONFIG)
    assert config.languages is not None and config.languages.order == ("cy", "en")
    by_platform: dict[str, list[RenderedPost]] = defaultdict(list)
    for post in posts:
        by_platform[post.platform].append(post)
    assert set(by_platform) == {"x", "facebook", "instagram"}
    # X: one Welsh post on the Welsh account and one English post on the English account a
    # day, the Welsh one first in its pair.
    for post in by_platform["x"]:
        assert post.unit is not None and not post.bilingual
        assert (post.lang, post.channel, post.position) in {
            ("cy", "x-cymraeg", 0),
            ("en", "x-english", 1),
        }
    units = {post.unit for post in by_platform["x"]}
    assert len(units) == len(config.days) == 7 and len(by_platform["x"]) == 14
    # Facebook and Instagram: one post holding both texts, Welsh first.
    for post in by_platform["facebook"] + by_platform["instagram"]:
        assert post.unit is None and post.bilingual and post.languages == ("cy", "en")
        assert post.text.startswith(post.variants[0].text)
    assert len(by_platform["facebook"]) == 7 and len(by_platform["instagram"]) == 2
    # Each Instagram image has its alt text in both languages, Welsh first.
    for post in by_platform["instagram"]:
        (image,) = post.images
        welsh, english = image.alt.split("\n\n")
        assert "Cerdyn" in welsh and "card" in english


def test_every_text_ends_with_its_own_languages_hashtag(posts):
    for post in posts:
        for variant in post.variants:
            own, other = (
                (WELSH_HASHTAG, ENGLISH_HASHTAG)
                if variant.lang == "cy"
                else (ENGLISH_HASHTAG, WELSH_HASHTAG)
            )
            assert variant.parts[0].rstrip().endswith(own), (post.key, variant.lang)
            assert other not in variant.text, (post.key, variant.lang)


def test_both_languages_give_the_same_numbers_and_links(posts):
    config = load_config(CONFIG)
    region = config.checks.phone_region
    known = {number_key(line.number, region) for line in config.helplines.values()}

    def facts(text: str) -> tuple[set[str], set[str]]:
        numbers = {found.key for found in find_numbers(text, region, known)}
        return numbers, set(LINK.findall(text))

    texts_of: dict[str, dict[str, str]] = defaultdict(dict)
    for post in posts:
        if post.unit is not None:
            texts_of[post.unit][post.lang] = post.text
        else:
            texts_of[post.key] = {variant.lang: variant.text for variant in post.variants}
    for key, texts in texts_of.items():
        assert set(texts) == {"cy", "en"}, key
        welsh, english = facts(texts["cy"]), facts(texts["en"])
        assert welsh == english, key
        assert welsh[0] <= known, key  # only configured lines (the checks hold to it too)
    every = {number for texts in texts_of.values() for number in facts(texts["en"])[0]}
    assert every == known  # 999, 101 and the Wales Hate Support Centre all used


def test_the_english_texts_are_plain_english(posts):
    """Readability is scored on English only: each English text clears the config's bar."""
    floor = load_config(CONFIG).checks.min_reading_ease
    for post in posts:
        for variant in post.variants:
            if variant.lang == "en":
                ease = flesch_reading_ease(variant.text)
                assert ease is not None and ease >= floor, (post.key, ease)


@pytest.mark.slow
def test_the_welsh_week_rehearses_once_each_welsh_before_english(tmp_path):
    database = f"sqlite:///{tmp_path / 'rehearsal.db'}"
    result = CliRunner().invoke(
        main,
        [
            "rehearse",
            "--config",
            str(CONFIG),
            "--speed",
            "1e9",
            "--faults",
            "0.3",
            "--database",
            database,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["states"] == {"published": 23}
    assert summary["duplicates"] == 0 and summary["retries"] > 0
    assert set(summary["platforms"]) == {"x", "facebook", "instagram"}
    for tally in summary["platforms"].values():
        assert tally["once"] == tally["expected"] > 0 and tally["duplicates"] == 0
    store = Store.open(database)
    try:
        rows = store.posts(load_config(CONFIG).campaign.slug)
    finally:
        store.engine.dispose()
    pairs: dict[str, dict[str | None, PostRow]] = defaultdict(dict)
    for row in rows:
        assert row.platform_post_id and row.published_at >= row.scheduled_at
        if row.unit_key is not None:
            pairs[row.unit_key][row.lang] = row
    assert len(pairs) == 7
    for unit, pair in pairs.items():
        welsh, english = pair["cy"], pair["en"]
        # X's ids grow with the moment the platform created the post: the Welsh post was on
        # X before the English one was sent.
        assert int(welsh.platform_post_id) < int(english.platform_post_id), unit
        assert welsh.published_at <= english.published_at, unit
