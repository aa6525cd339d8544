"""Posts as sources in the database: revisions, dashboard edits, and plans that meet them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from campaign.config import load_config
from campaign.errors import CheckFailed, PlanConflict, RevisionConflict
from campaign.planning import check_plan, store_plan
from campaign.store import PostState, Store

KEY = "2020-04-20-x"


def plan(campaign_dir: Path, store: Store, **options: object):
    return store_plan(load_config(campaign_dir / "config.toml"), store, "planner", **options)


def edited(store: Store, key: str, old: str, new: str, who: str = "officer.ana"):
    content = store.content("stalking-awareness-week-2020")
    source = content.sources[key]
    assert old in source.text
    changed = source.with_changes(text=source.text.replace(old, new, 1))
    return store.edit_post(
        content.row.slug, key, changed, who, base_revision=content.revisions[key].number
    )


def test_a_plan_stores_each_post_as_its_source_and_renders_the_same_without_the_files(
    campaign_dir: Path, store: Store, tmp_path: Path
) -> None:
    config = load_config(campaign_dir / "config.toml")
    expected = {post.key: post.content_hash for post in check_plan(config).posts}
    plan(campaign_dir, store)
    shutil.rmtree(campaign_dir / "posts")  # the database alone must be enough

    content = store.content(config.campaign.slug)
    from campaign.planning import check_sources

    again = check_sources(content.config, content.sources.values(), content.library)
    assert {post.key: post.content_hash for post in again.posts} == expected
    assert again.report.ok
    revisions = store.revisions(config.campaign.slug, KEY)
    assert [(r.number, r.origin, r.author) for r in revisions] == [(1, "files", "planner")]
    image = content.sources[KEY].images[0]
    assert store.media(image.sha256 or "") is not None  # the picture's bytes are stored too


def test_an_edit_in_the_dashboard_is_a_new_revision_and_clears_the_approval(
    campaign_dir: Path, store: Store
) -> None:
    plan(campaign_dir, store)
    slug = "stalking-awareness-week-2020"
    store.approve(slug, "approver.bo", keys=[KEY])

    result = edited(store, KEY, "Stalking is a crime.", "Stalking is a crime, always.")

    assert result.changed and result.revision == 2
    post = next(p for p in store.posts(slug) if p.key == KEY)
    assert post.state == PostState.DRAFT and post.approved_hash is None
    assert "Stalking is a crime, always." in post.parts[0]
    history = store.revisions(slug, KEY)
    assert [(r.number, r.origin, r.author) for r in history] == [
        (1, "files", "planner"),
        (2, "browser", "officer.ana"),
    ]
    assert history[0].parts != history[1].parts


def test_a_save_started_from_an_older_revision_is_refused(campaign_dir: Path, store: Store) -> None:
    plan(campaign_dir, store)
    content = store.content("stalking-awareness-week-2020")
    first = content.sources[KEY]
    edited(store, KEY, "Stalking is a crime.", "Stalking is a crime (one).")
    with pytest.raises(RevisionConflict, match="officer.ana"):
        store.edit_post(
            content.row.slug,
            KEY,
            first.with_changes(text=first.text.replace("crime.", "crime (two).", 1)),
            "officer.cy",
            base_revision=1,
        )
    assert len(store.revisions(content.row.slug, KEY)) == 2


def test_an_edit_the_checks_refuse_is_not_saved(campaign_dir: Path, store: Store) -> None:
    plan(campaign_dir, store)
    with pytest.raises(CheckFailed) as refused:
        edited(store, KEY, "Stalking is a crime.", "Call 0800 123 4567 now.")
    assert [f.rule for f in refused.value.findings if f.severity == "error"] == ["phone-unknown"]
    assert len(store.revisions("stalking-awareness-week-2020", KEY)) == 1


def test_a_plan_keeps_a_dashboard_edit_when_the_files_did_not_change(
    campaign_dir: Path, store: Store
) -> None:
    plan(campaign_dir, store)
    edited(store, KEY, "Stalking is a crime.", "Stalking is a crime, always.")
    _, changes = plan(campaign_dir, store)
    assert changes.kept == [KEY]
    post = next(p for p in store.posts("stalking-awareness-week-2020") if p.key == KEY)
    assert "always." in post.parts[0]


def test_a_post_changed_in_both_places_is_a_listed_conflict_until_a_side_is_chosen(
    campaign_dir: Path, store: Store, edit
) -> None:
    plan(campaign_dir, store)
    edited(store, KEY, "Stalking is a crime.", "Stalking is a crime, always.")
    edit("posts/what-stalking-is/x.j2", "Stalking is a crime.", "Stalking is a serious crime.")

    with pytest.raises(PlanConflict) as conflict:
        plan(campaign_dir, store)
    assert [(c.key, c.kind, c.author, c.differs) for c in conflict.value.conflicts] == [
        (KEY, "edited", "officer.ana", ("text",))
    ]
    assert len(store.revisions("stalking-awareness-week-2020", KEY)) == 2  # nothing stored

    _, changes = plan(campaign_dir, store, take="browser")
    assert changes.kept == [KEY]
    _, again = plan(campaign_dir, store)  # the choice holds: no conflict next time
    assert again.kept == [KEY]

    plan_files = plan(campaign_dir, store, take="files")[1]
    post = next(p for p in store.posts("stalking-awareness-week-2020") if p.key == KEY)
    assert "serious crime" in post.parts[0] and plan_files.edited == [KEY]


def test_a_post_made_in_the_dashboard_survives_a_plan(
    campaign_dir: Path, store: Store, edit
) -> None:
    plan(campaign_dir, store)
    slug = "stalking-awareness-week-2020"
    content = store.content(slug)
    base = content.sources[KEY]
    new = base.with_changes(
        key="2020-04-20-x-extra",
        time="15:00",
        template="extra.j2",
        text="Stalking can happen to anyone.\n{{ campaign.hashtag }}\n",
    )
    store.create_post(slug, new, "officer.ana")
    _, changes = plan(campaign_dir, store)
    assert "2020-04-20-x-extra" not in changes.cancelled
    assert any(
        p.key == "2020-04-20-x-extra" and p.state == PostState.DRAFT for p in store.posts(slug)
    )


def test_a_post_edited_here_and_removed_from_the_files_is_a_conflict(
    campaign_dir: Path, store: Store, edit
) -> None:
    plan(campaign_dir, store)
    edited(store, KEY, "Stalking is a crime.", "Stalking is a crime, always.")
    edit(
        "config.toml",
        '{ channel = "x", time = "10:00", template = "what-stalking-is/x.j2"',
        '{ channel = "x", time = "10:00", template = "what-stalking-is/x.j2", key = "monday-x"',
    )
    with pytest.raises(PlanConflict) as conflict:
        plan(campaign_dir, store)
    assert [(c.key, c.kind) for c in conflict.value.conflicts] == [(KEY, "removed")]
    _, changes = plan(campaign_dir, store, take="files")
    assert KEY in changes.cancelled


def test_posts_planned_before_the_upgrade_get_their_sources_at_the_next_plan(
    campaign_dir: Path, tmp_path: Path, clock
) -> None:
    from campaign.errors import NoPlanStored
    from campaign.store.database import downgrade, make_engine

    url = f"sqlite:///{tmp_path / 'older.db'}"
    store = Store.open(url, clock)
    plan(campaign_dir, store)
    store.approve("stalking-awareness-week-2020", "inspector", keys=[KEY])
    store.engine.dispose()
    engine = make_engine(url)
    downgrade(engine, "0008")  # as an older version left it: no sources stored
    engine.dispose()

    upgraded = Store.open(url, clock)
    with pytest.raises(NoPlanStored, match="plan it again"):
        upgraded.content("stalking-awareness-week-2020")
    _, changes = plan(campaign_dir, upgraded)
    assert not changes.changed  # the same content: the approval stands
    post = next(p for p in upgraded.posts("stalking-awareness-week-2020") if p.key == KEY)
    assert post.state == PostState.APPROVED
    assert upgraded.content("stalking-awareness-week-2020").revisions[KEY].number == 1
    upgraded.engine.dispose()


def test_a_post_moved_to_another_day_takes_that_days_theme(
    campaign_dir: Path, store: Store
) -> None:
    plan(campaign_dir, store)
    content = store.content("stalking-awareness-week-2020")
    source = content.sources[KEY]
    saturday = content.sources["2020-04-25-x"]
    moved = source.with_changes(date=saturday.date, time="08:00")  # first of its new day
    store.edit_post(content.row.slug, KEY, moved, "officer.ana", base_revision=1)

    after = store.content(content.row.slug)
    assert (after.sources[KEY].day_slug, after.sources[KEY].theme) == (
        saturday.day_slug,
        saturday.theme,
    )
    [day] = [d for d in after.config.days if d.date == saturday.date]
    assert day.theme == saturday.theme


def test_a_post_kept_as_edited_in_the_dashboard_is_counted_once_in_the_plan_changes(
    campaign_dir: Path, store: Store
) -> None:
    _, first = plan(campaign_dir, store)
    edited(store, KEY, "Stalking is a crime.", "Stalking is a crime, always.")
    _, changes = plan(campaign_dir, store)
    assert changes.kept == [KEY]
    assert KEY not in changes.unchanged
    assert len(changes.unchanged) + len(changes.kept) == len(first.added)


def test_an_edit_overtaken_by_a_plan_says_the_files_changed_it(
    campaign_dir: Path, store: Store
) -> None:
    plan(campaign_dir, store)
    content = store.content("stalking-awareness-week-2020")
    opened = content.sources[KEY]
    template = campaign_dir / "posts" / opened.template
    template.write_text(
        template.read_text(encoding="utf-8").replace("crime.", "crime, always.", 1),
        encoding="utf-8",
    )
    plan(campaign_dir, store)  # version 2, from the files
    with pytest.raises(RevisionConflict) as refused:
        store.edit_post(
            content.row.slug,
            KEY,
            opened.with_changes(text=opened.text.replace("crime.", "crime (two).", 1)),
            "officer.cy",
            base_revision=1,
        )
    said = str(refused.value)
    assert "changed by a plan of the campaign's files" in said and "planner" in said, said
