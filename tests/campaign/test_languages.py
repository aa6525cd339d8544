"""Posts in several languages: `[languages]` read and refused as officers would write it, each
language's template rendered in its own language, a bilingual post holding both texts in order,
a pair going out as one post per language on its own account, and all of it stored and read
back (sample: a Welsh force's bilingual day in tests/campaign/languages_sample)."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from campaign.clock import ManualClock
from campaign.config import language_name, load_config
from campaign.content.library import Library
from campaign.content.render import render_sources, sources_from_config
from campaign.errors import ConfigError, TemplateError
from campaign.render import render_plan
from campaign.store import Store
from campaign.store.models import PostRow

SAMPLE = Path(__file__).parent / "languages_sample"
WELSH_TAG = "#WythnosYmwybyddiaethTroseddauCasineb"
ENGLISH_TAG = "#HateCrimeAwarenessWeek"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    target = tmp_path / "cymru"
    shutil.copytree(SAMPLE, target)
    return target


def _edit(folder: Path, old: str, new: str) -> Path:
    path = folder / "config.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return path


def test_a_pair_goes_out_as_one_post_per_language_on_its_own_account_welsh_first(sample):
    posts = {post.key: post for post in render_plan(load_config(sample / "config.toml"))}
    welsh, english = posts["2026-10-12-x-cy"], posts["2026-10-12-x-en"]
    assert (welsh.channel, english.channel) == ("x-cymraeg", "x-english")
    assert welsh.unit == english.unit == "2026-10-12-x"
    assert (welsh.position, english.position) == (0, 1)
    assert welsh.text == f"Mewn argyfwng, ffoniwch 999. {WELSH_TAG}"
    assert english.text == f"In an emergency, call 999. {ENGLISH_TAG}"
    assert (welsh.languages, english.languages) == (("cy",), ("en",))


def test_a_bilingual_post_holds_both_texts_in_the_configured_order(sample):
    config = load_config(sample / "config.toml")
    [post] = [p for p in render_plan(config) if p.channel == "facebook"]
    assert post.unit is None and post.bilingual and post.languages == ("cy", "en")
    assert post.text == (
        f"Mewn argyfwng, ffoniwch 999. {WELSH_TAG}\n\nIn an emergency, call 999. {ENGLISH_TAG}"
    )
    _edit(sample, 'order = ["cy", "en"]', 'order = ["en", "cy"]')
    [first_english] = [
        p for p in render_plan(load_config(sample / "config.toml")) if p.channel == "facebook"
    ]
    assert first_english.text.startswith("In an emergency") and first_english.lang == "en"
    assert first_english.content_hash != post.content_hash  # the order is part of what is sent


def test_a_bilingual_thread_joins_the_languages_part_by_part(sample):
    (sample / "posts/day1/facebook.cy.j2").write_text("Rhan un.\n---\nRhan dau.\n")
    (sample / "posts/day1/facebook.en.j2").write_text("Part one.\n---\nPart two.\n")
    [post] = [
        p for p in render_plan(load_config(sample / "config.toml")) if p.channel == "facebook"
    ]
    assert post.parts == ("Rhan un.\n\nPart one.", "Rhan dau.\n\nPart two.")


def test_a_bilingual_post_whose_languages_have_different_thread_parts_is_refused(sample):
    (sample / "posts/day1/facebook.cy.j2").write_text("Rhan un.\n---\nRhan dau.\n")
    with pytest.raises(TemplateError, match="same number of thread parts") as caught:
        render_plan(load_config(sample / "config.toml"))
    assert "day1/facebook.cy.j2 has 2" in str(caught.value)
    assert "day1/facebook.en.j2 has 1" in str(caught.value)


def test_each_image_gives_its_alt_text_in_the_post_s_language(sample):
    image = sample / "posts/card.png"
    image.write_bytes((Path(__file__).parents[2] / "posts/images/helpline-card.png").read_bytes())
    alts = '{ cy = "Cerdyn: ffoniwch 999.", en = "Card: call 999." }'
    images = 'images = [ { file = "card.png", alts = ' + alts + " } ] }"
    _edit(
        sample,
        'templates = { cy = "day1/x.cy.j2", en = "day1/x.en.j2" } }',
        'templates = { cy = "day1/x.cy.j2", en = "day1/x.en.j2" }, ' + images,
    )
    _edit(sample, 'en = "day1/facebook.en.j2" } }', 'en = "day1/facebook.en.j2" }, ' + images)
    posts = {p.key: p for p in render_plan(load_config(sample / "config.toml"))}
    assert posts["2026-10-12-x-cy"].images[0].alt == "Cerdyn: ffoniwch 999."
    assert posts["2026-10-12-x-en"].images[0].alt == "Card: call 999."
    assert posts["2026-10-12-facebook"].images[0].alt == "Cerdyn: ffoniwch 999.\n\nCard: call 999."


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('order = ["cy", "en"]', 'order = ["cy", "english"]', "'english' is not a language tag"),
        ('order = ["cy", "en"]', 'order = ["cy", "cy"]', "names a language twice"),
        (
            'pairs = { x = { cy = "x-cymraeg", en = "x-english" } }',
            'pairs = { x = { cy = "x-cymraeg" } }',
            "give one account for each language",
        ),
        (
            'pairs = { x = { cy = "x-cymraeg", en = "x-english" } }',
            'pairs = { x = { cy = "x-cymraeg", en = "x-cymru" } }',
            "languages.pairs.x.en 'x-cymru' is not an account",
        ),
        (
            'pairs = { x = { cy = "x-cymraeg", en = "x-english" } }',
            'pairs = { x = { cy = "x-cymraeg", en = "x-cymraeg" } }',
            "sends two languages to one account",
        ),
        (
            'en = "day1/facebook.en.j2" }',
            'pl = "day1/facebook.en.j2" }',
            "templates gives ['cy', 'pl'] but [languages] order is ['cy', 'en']",
        ),
        (
            'templates = { cy = "day1/x.cy.j2", en = "day1/x.en.j2" }',
            'template = "day1/x.en.j2"',
            "channel 'x' is a pair of accounts, one per language: give `templates`",
        ),
        (
            'templates = { cy = "day1/x.cy.j2", en = "day1/x.en.j2" }',
            'template = "day1/x.en.j2", templates = { cy = "day1/x.cy.j2", en = "day1/x.en.j2" }',
            "give `template` (a post in one language) or `templates`",
        ),
    ],
)
def test_bad_language_settings_name_the_field_and_what_to_do(sample, old, new, said):
    path = _edit(sample, old, new)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert said in str(caught.value)
    assert str(path) in str(caught.value) or caught.value.path == path


def test_language_names_are_given_in_the_language_and_in_english():
    assert language_name("cy") == "Cymraeg (Welsh)"
    assert language_name("en") == "English"


def test_stored_with_each_text_s_language_and_read_back_for_a_plan_from_the_database(
    sample, tmp_path
):
    config = load_config(sample / "config.toml")
    store = Store.open(
        f"sqlite:///{tmp_path / 'cy.db'}", ManualClock(datetime(2026, 10, 1, tzinfo=UTC))
    )
    store.sync_plan(config, render_plan(config), "olly")
    with store.transaction() as session:
        rows = {row.key: row for row in session.query(PostRow)}
        assert rows["2026-10-12-x-cy"].lang == "cy"
        assert rows["2026-10-12-x-cy"].unit_key == rows["2026-10-12-x-en"].unit_key
        assert [rows[k].unit_position for k in ("2026-10-12-x-cy", "2026-10-12-x-en")] == [0, 1]
        assert [v["lang"] for v in rows["2026-10-12-facebook"].variants] == ["cy", "en"]
        assert rows["2026-10-12-facebook"].unit_key is None
    library = Library.from_folder(config.posts_dir)
    merge = store.merge_plan(config.campaign.slug, sources_from_config(config, library), None)
    again = {p.key: p.content_hash for p in render_sources(config, merge.sources.values(), library)}
    assert again == {p.key: p.content_hash for p in render_plan(config)}
    changes = store.sync_plan(config, render_plan(config), "olly")
    assert not changes.changed


def test_an_edit_to_one_language_clears_the_approval_of_the_whole_pair(sample, tmp_path):
    config = load_config(sample / "config.toml")
    store = Store.open(
        f"sqlite:///{tmp_path / 'cy.db'}", ManualClock(datetime(2026, 10, 1, tzinfo=UTC))
    )
    store.sync_plan(config, render_plan(config), "olly")
    with store.transaction() as session:
        for row in session.query(PostRow):
            row.approved_hash, row.approved_by, row.state = row.content_hash, "alice", "approved"
    (sample / "posts/day1/x.en.j2").write_text(
        "In an emergency, dial 999. {{ campaign.hashtag }}\n"
    )
    config = load_config(sample / "config.toml")
    changes = store.sync_plan(config, render_plan(config), "olly")
    assert set(changes.approvals_cleared) == {"2026-10-12-x-en", "2026-10-12-x-cy"}
    with store.transaction() as session:
        states = {row.key: row.state for row in session.query(PostRow)}
    assert states["2026-10-12-x-cy"] == states["2026-10-12-x-en"] == "draft"
    assert states["2026-10-12-facebook"] == "approved"


def test_a_post_in_one_language_keeps_its_source_hash(shipped_config):
    """Planned databases keep their hashes: the language fields count only where given."""
    library = Library.from_folder(shipped_config.posts_dir)
    source = sources_from_config(shipped_config, library)[0]
    payload = asdict(source)
    for name in ("key", "template", "lang", "unit", "others"):
        payload.pop(name)
    for image in payload["images"]:
        image.pop("alts")
    payload["date"] = source.date.isoformat()
    text = json.dumps(payload, sort_keys=True, default=str)
    assert source.source_hash == hashlib.sha256(text.encode()).hexdigest()
