"""`campaign export --pack` of a campaign written in Welsh and English: each post keeps its
template per language and its images their alt text per language, and a text edited in the
dashboard gets a template of its own in its language, so planning the export gives the same
posts."""

from __future__ import annotations

import tomllib
from pathlib import Path

from campaign.clock import ManualClock
from campaign.config import load_config
from campaign.content.source import TextSource
from campaign.packs.export import export_pack
from campaign.planning import store_plan
from campaign.store import PostState, Store

SLUG = "hate-crime-awareness-week-cymru-2027"
BILINGUAL = "2027-10-11-facebook"


def live(store: Store) -> dict[str, tuple[str, object]]:
    return {
        post.key: (post.content_hash, post.scheduled_at)
        for post in store.posts(SLUG)
        if post.state != PostState.CANCELLED
    }


def test_a_bilingual_campaign_exports_to_files_that_plan_the_same_posts(
    welsh_week: Path, tmp_path: Path, clock: ManualClock
) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'first.db'}", clock)
    store_plan(load_config(welsh_week / "config.toml"), store, "planner")
    # In the dashboard: the English text of a bilingual post.
    content = store.content(SLUG)
    bilingual = content.sources[BILINGUAL]
    (english,) = bilingual.others
    changed = TextSource(english.lang, english.template, english.text.replace("Many", "So many"))
    store.edit_post(
        SLUG,
        BILINGUAL,
        bilingual.with_changes(others=(changed,)),
        "officer.ana",
        base_revision=content.revisions[BILINGUAL].number,
    )

    folder = tmp_path / "exported"
    pack = export_pack(store.content(SLUG), store.media_bytes, folder)

    days = tomllib.loads((folder / "config.toml").read_text(encoding="utf-8"))["days"]
    entries = {(day["date"].isoformat(), p["channel"]): p for day in days for p in day["posts"]}
    assert "template" not in entries[("2027-10-11", "x")]
    assert entries[("2027-10-11", "x")]["templates"] == {
        "cy": "report-it/x.cy.j2",
        "en": "report-it/x.en.j2",
    }
    assert entries[("2027-10-11", "facebook")]["templates"] == {
        "cy": "report-it/facebook.cy.j2",
        "en": "report-it/2027-10-11-facebook-en.j2",  # edited: a template of its own
    }
    (image,) = entries[("2027-10-09", "instagram")]["images"]
    assert image["alts"]["cy"].startswith("Cerdyn glas tywyll")
    assert image["alts"]["en"].startswith("Dark blue card")
    assert set(pack.own) == {f"{BILINGUAL}-en"}
    own = (folder / "posts" / "report-it" / "2027-10-11-facebook-en.j2").read_text()
    assert "So many people" in own
    shared = (folder / "posts" / "report-it" / "facebook.en.j2").read_text()
    assert "So many" not in shared  # the template file stays as it was

    fresh = Store.open(f"sqlite:///{tmp_path / 'fresh.db'}", clock)
    try:
        store_plan(load_config(folder / "config.toml"), fresh, "planner")
        assert live(fresh) == live(store) and len(live(fresh)) == 23
    finally:
        fresh.engine.dispose()
        store.engine.dispose()
