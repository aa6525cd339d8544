"""`campaign export --pack`: the campaign as stored, back to files that plan to the same posts."""

from __future__ import annotations

import io
import json
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from campaign.cli import main
from campaign.clock import ManualClock
from campaign.config import load_config
from campaign.content.source import ImageRef
from campaign.packs.export import export_pack
from campaign.planning import check_plan, store_plan
from campaign.store import PostState, Store

SLUG = "stalking-awareness-week-2020"
KEY = "2020-04-20-x"
NEW = "2020-04-22-x-extra"


def png() -> bytes:
    """A small real picture, as an officer would upload."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 40, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def edit_and_add(store: Store, slug: str = SLUG) -> None:
    """In the dashboard: a post's text changed and moved half an hour; a new post with an
    uploaded image."""
    content = store.content(slug)
    source = content.sources[KEY]
    store.edit_post(
        slug,
        KEY,
        source.with_changes(
            text=source.text.replace("Stalking is a crime.", "Stalking is a crime, always.", 1),
            time="10:30",
        ),
        "officer.ana",
        base_revision=content.revisions[KEY].number,
    )
    upload = store.add_media(png(), "our card.png")
    other = content.sources["2020-04-22-x"]
    store.create_post(
        slug,
        other.with_changes(
            key=NEW,
            time="16:00",
            template="written in the dashboard",
            text="Stalking happens online too.\n{{ campaign.hashtag }}\n---\nYou are not alone.\n",
            images=(ImageRef(upload.file, "A blue card", upload.sha256),),
        ),
        "officer.ana",
    )


def export(store: Store, folder: Path, **options: bool):
    return export_pack(store.content(SLUG), store.media_bytes, folder, **options)


def live(store: Store, slug: str = SLUG) -> dict[str, tuple[str, object]]:
    return {
        post.key: (post.content_hash, post.scheduled_at)
        for post in store.posts(slug)
        if post.state != PostState.CANCELLED
    }


@pytest.fixture
def edited(campaign_dir: Path, store: Store) -> Store:
    store_plan(load_config(campaign_dir / "config.toml"), store, "planner")
    edit_and_add(store)
    return store


def test_planning_the_export_into_a_fresh_database_gives_the_same_posts(
    edited: Store, tmp_path: Path, clock: ManualClock
) -> None:
    folder = tmp_path / "exported"
    pack = export(edited, folder)

    assert set(pack.own) == {KEY, NEW}  # the edited and the new post have their own templates
    upload = next(i for i in edited.content(SLUG).sources[NEW].images)
    assert (folder / "posts" / upload.file).read_bytes() == png()
    assert (folder / "posts" / "_partials" / "footer.j2").is_file()  # partials too

    config = load_config(folder / "config.toml")
    checked = check_plan(config)
    assert checked.report.errors == []
    fresh = Store.open(f"sqlite:///{tmp_path / 'fresh.db'}", clock)
    try:
        store_plan(config, fresh, "planner")
        assert live(fresh) == live(edited)
        assert len(live(fresh)) == 24
    finally:
        fresh.engine.dispose()
    result = CliRunner().invoke(main, ["check", "--config", str(folder / "config.toml")])
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output


def test_an_entry_names_its_own_template_and_key_only_where_needed(
    edited: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "exported"
    export(edited, folder)
    days = tomllib.loads((folder / "config.toml").read_text(encoding="utf-8"))["days"]
    entries = {post.get("key") or post["template"]: post for day in days for post in day["posts"]}
    assert entries[KEY]["template"] == "what-stalking-is/2020-04-20-x.j2"
    assert entries[KEY]["time"] == "10:30"
    assert entries[NEW]["template"] == "online-stalking/2020-04-22-x-extra.j2"
    untouched = entries["what-stalking-is/facebook.j2"]
    assert "key" not in untouched  # its template's name still gives its key
    text = (folder / "posts" / "what-stalking-is" / "2020-04-20-x.j2").read_text()
    assert "Stalking is a crime, always." in text
    original = (folder / "posts" / "what-stalking-is" / "x.j2").read_text()
    assert "Stalking is a crime, always." not in original  # the shared template is as stored


def test_a_plan_right_after_the_export_changes_nothing(
    edited: Store, tmp_path: Path, clock: ManualClock
) -> None:
    folder = tmp_path / "exported"
    export(edited, folder)
    before = live(edited)
    clock.advance(timedelta(minutes=5))
    _, changes = store_plan(load_config(folder / "config.toml"), edited, "planner")
    assert not changes.changed and changes.kept == [] and changes.resolved == {}
    assert live(edited) == before
    # The export is now what the files say: a second plan is as quiet.
    _, again = store_plan(load_config(folder / "config.toml"), edited, "planner")
    assert not again.changed and again.kept == []
    assert [r.origin for r in edited.revisions(SLUG, KEY)] == ["files", "browser"]


# The CLI face.


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def cli_planned(campaign_dir: Path, clock: ManualClock) -> Path:
    """The shipped week planned with the CLI and edited in the dashboard: its config."""
    config = campaign_dir / "config.toml"
    assert run("plan", "--config", str(config)).exit_code == 0
    store = Store.open_existing(f"sqlite:///{campaign_dir / 'campaign.db'}", clock)
    edit_and_add(store)
    store.engine.dispose()
    return config


def test_export_pack_writes_the_folder_and_json_says_what(cli_planned: Path, tmp_path) -> None:
    folder = tmp_path / "pack"
    result = run("export", "--pack", str(folder), "--json", "--config", str(cli_planned))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["pack"]
    assert data["folder"] == str(folder) and "config.toml" in data["files"]
    assert data["own_templates"][KEY] == "posts/what-stalking-is/2020-04-20-x.j2"
    assert all((folder / name).is_file() for name in data["files"])
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) == sorted(
        data["files"]
    )
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftovers

    text = run("export", "--pack", str(tmp_path / "other"), "--config", str(cli_planned))
    words = " ".join(text.output.split())
    assert text.exit_code == 0 and "2 of posts edited or written in the dashboard" in words


def test_export_pack_refuses_a_folder_that_is_not_empty_unless_forced(
    cli_planned: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "repo"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (folder / "posts" / "old").mkdir(parents=True)
    (folder / "posts" / "old" / "gone.j2").write_text("last year's post\n")

    result = run("export", "--pack", str(folder), "--config", str(cli_planned))
    assert result.exit_code == 2, result.output
    assert "is not empty" in result.output and "--force" in result.output
    assert "Traceback" not in result.output
    assert not (folder / "config.toml").exists()  # nothing written

    forced = run("export", "--pack", str(folder), "--force", "--config", str(cli_planned))
    assert forced.exit_code == 0, forced.output
    assert (folder / "config.toml").is_file()
    assert not (folder / "posts" / "old").exists()  # posts/ is the stored campaign's alone
    assert (folder / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"  # kept
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_export_needs_to_be_told_what(cli_planned: Path) -> None:
    result = run("export", "--config", str(cli_planned))
    assert result.exit_code == 2 and "--ics FILE" in result.output and "--pack DIR" in result.output


def test_export_pack_before_any_plan_says_so(campaign_dir: Path, tmp_path: Path) -> None:
    result = run(
        "export", "--pack", str(tmp_path / "p"), "--config", str(campaign_dir / "config.toml")
    )
    assert result.exit_code == 3, result.output
    assert not (tmp_path / "p").exists()


def test_a_campaign_planned_with_an_organisation_file_exports_standing_alone(
    campaign_dir: Path, store: Store, tmp_path: Path, clock: ManualClock
) -> None:
    """The force's shared facts are written into the export's config.toml, which says so."""
    shipped = (campaign_dir / "config.toml").read_text(encoding="utf-8")
    head, days = shipped.split("[[days]]", 1)
    shared = head[head.index("[database]") :]
    (tmp_path / "organisation.toml").write_text(
        '[organisation]\nname = "Derbyshire Constabulary"\ntimezone = "Europe/London"\n\n' + shared,
        encoding="utf-8",
    )
    own = (
        head[: head.index("[database]")]
        .replace('organisation = "Derbyshire Constabulary"\n', "")
        .replace('timezone = "Europe/London"\n', 'organisation_file = "../organisation.toml"\n')
    )
    (campaign_dir / "config.toml").write_text(own + "[[days]]" + days, encoding="utf-8")
    config = load_config(campaign_dir / "config.toml")
    assert config.campaign.organisation_file == "../organisation.toml"
    store_plan(config, store, "planner")
    edit_and_add(store)

    folder = tmp_path / "exported"
    pack = export(store, folder)
    text = (folder / "config.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert "organisation_file" not in data["campaign"]
    assert data["campaign"]["organisation"] == "Derbyshire Constabulary"
    assert data["accounts"]["x"]["credentials"]["access_token"] == "DERBYSHIRE_X_ACCESS_TOKEN"
    assert set(data["helplines"]) == {"stalking", "emergency", "police"}
    assert "database" not in data  # an absolute path (from organisation.toml) is not written
    header = " ".join(line.lstrip("# ") for line in text.splitlines() if line.startswith("#"))
    assert "organisation file ../organisation.toml" in header and "[database] is left out" in header
    assert len(pack.notes) == 2

    exported = load_config(folder / "config.toml")
    assert exported.accounts == config.accounts and exported.helplines == config.helplines
    assert check_plan(exported).report.errors == []
    fresh = Store.open(f"sqlite:///{tmp_path / 'fresh.db'}", clock)
    try:
        store_plan(exported, fresh, "planner")
        assert live(fresh) == live(store)
    finally:
        fresh.engine.dispose()


def test_a_template_file_named_otherwise_than_a_slug_plans_and_exports(
    campaign_dir: Path, store: Store, tmp_path: Path, clock: ManualClock
) -> None:
    """A post's key comes from its template's file name ("Monday_X.j2" gives
    "2020-04-21-x-Monday_X"), which config.toml could not write as a `key`: such a post is
    stored, rebuilt from the database and exported without one."""
    posts = campaign_dir / "posts" / "know-the-signs"
    (posts / "x.j2").rename(posts / "Monday_X.j2")
    config_path = campaign_dir / "config.toml"
    config_path.write_text(
        config_path.read_text(encoding="utf-8").replace(
            "know-the-signs/x.j2", "know-the-signs/Monday_X.j2"
        ),
        encoding="utf-8",
    )
    store_plan(load_config(config_path), store, "planner")
    content = store.content(SLUG)
    assert "2020-04-21-x-Monday_X" in content.sources

    export(store, tmp_path / "exported")
    fresh = Store.open(f"sqlite:///{tmp_path / 'fresh.db'}", clock)
    try:
        store_plan(load_config(tmp_path / "exported" / "config.toml"), fresh, "planner")
        assert live(fresh) == live(store)
    finally:
        fresh.engine.dispose()


def test_an_export_that_cannot_be_complete_writes_nothing(edited: Store, tmp_path: Path) -> None:
    from campaign.errors import BadInput

    folder = tmp_path / "exported"
    with pytest.raises(BadInput, match="the image .* is not in the database"):
        export_pack(edited.content(SLUG), lambda sha256: None, folder)
    assert not folder.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder


def test_a_relative_sqlite_database_is_kept_and_the_rest_left_to_their_defaults(
    campaign_dir: Path, store: Store, edit, tmp_path: Path
) -> None:
    edit("config.toml", 'url = "sqlite:///campaign.db"', 'url = "sqlite:///week.db"')
    store_plan(load_config(campaign_dir / "config.toml"), store, "planner")
    export(store, tmp_path / "exported")
    data = tomllib.loads((tmp_path / "exported" / "config.toml").read_text(encoding="utf-8"))
    assert data["database"] == {"url": "sqlite:///week.db"}
    assert "checks" not in data  # the shipped settings are the defaults
    assert "publishing" not in data


@pytest.mark.postgres
@pytest.mark.slow
def test_a_campaign_edited_on_postgresql_exports_to_the_same_posts(
    postgres_url: str, campaign_dir: Path, edit, tmp_path: Path, clock: ManualClock
) -> None:
    slug = "export-round-trip"
    edit("config.toml", 'slug = "stalking-awareness-week-2020"', f'slug = "{slug}"')
    store = Store.open(postgres_url, clock)
    fresh = Store.open(f"sqlite:///{tmp_path / 'fresh.db'}", clock)
    try:
        store_plan(load_config(campaign_dir / "config.toml"), store, "planner")
        edit_and_add(store, slug)
        export_pack(store.content(slug), store.media_bytes, tmp_path / "exported")
        store_plan(load_config(tmp_path / "exported" / "config.toml"), fresh, "planner")
        assert live(fresh, slug) == live(store, slug) and len(live(store, slug)) == 24
    finally:
        store.engine.dispose()
        fresh.engine.dispose()
