"""`campaign plan` meets the dashboard's edits: kept, listed as conflicts, or settled by --take."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from campaign.cli import main
from campaign.clock import ManualClock
from campaign.store import Store

SLUG = "stalking-awareness-week-2020"
KEY = "2020-04-20-x"


@pytest.fixture
def run(campaign_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    monkeypatch.setenv("CAMPAIGN_USER", "pc.tester")

    def _run(*args: str) -> Result:
        config = campaign_dir / "config.toml"
        return CliRunner().invoke(main, [*args, "--config", str(config)], catch_exceptions=False)

    return _run


@pytest.fixture
def planned(run: Callable[..., Result], campaign_dir: Path, clock: ManualClock):
    """The shipped week planned with the CLI, and a store on the same database."""
    assert run("plan").exit_code == 0
    store = Store.open_existing(f"sqlite:///{campaign_dir / 'campaign.db'}", clock)
    yield store
    store.engine.dispose()


def edit_in_dashboard(store: Store, old: str, new: str, time: str | None = None) -> None:
    content = store.content(SLUG)
    source = content.sources[KEY]
    changed = source.with_changes(text=source.text.replace(old, new, 1), time=time or source.time)
    store.edit_post(SLUG, KEY, changed, "officer.ana", base_revision=content.revisions[KEY].number)


def test_a_plan_keeps_a_dashboard_edit_and_says_so(run, planned: Store) -> None:
    edit_in_dashboard(planned, "Stalking is a crime.", "Stalking is a crime, always.")
    result = run("plan")
    assert result.exit_code == 0, result.output
    assert "kept as edited in the dashboard" in result.output
    assert KEY in result.output


def test_a_post_changed_in_both_places_is_listed_exit_1_and_nothing_is_stored(
    run, planned: Store, edit
) -> None:
    edit_in_dashboard(planned, "Stalking is a crime.", "Stalking is a crime, always.", "10:30")
    edit("posts/what-stalking-is/x.j2", "Stalking is a crime.", "Stalking is a serious crime.")
    edit(
        "config.toml",
        'time = "12:00", template = "what-stalking-is/f',
        'time = "12:15", template = "what-stalking-is/f',
    )
    before = [(p.key, p.content_hash, p.scheduled_at) for p in planned.posts(SLUG)]

    for command in (("plan",), ("plan", "--dry-run")):
        result = run(*command)
        assert result.exit_code == 1, result.output
        out = result.stdout
        assert "Changed both in the files and in the dashboard" in out
        row = next(line for line in out.splitlines() if KEY in line)
        # When it goes as stored (10:30 BST, the dashboard's move), who edited it, what differs.
        assert "Mon 20 Apr 10:30 BST" in row and "officer.ana" in row and "text, time" in row
        assert "--take files" in result.stderr and "Nothing was stored" in result.stderr
        assert "Traceback" not in result.output

    after = [(p.key, p.content_hash, p.scheduled_at) for p in planned.posts(SLUG)]
    assert after == before  # not even the Facebook post the files alone moved
    assert len(planned.revisions(SLUG, KEY)) == 2


def test_plan_json_lists_the_conflicts(run, planned: Store, edit) -> None:
    edit_in_dashboard(planned, "Stalking is a crime.", "Stalking is a crime, always.")
    edit("posts/what-stalking-is/x.j2", "Stalking is a crime.", "Stalking is a serious crime.")
    result = run("plan", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["stored"] is False
    [conflict] = data["conflicts"]
    assert conflict["key"] == KEY and conflict["kind"] == "edited"
    assert conflict["edited_by"] == "officer.ana" and conflict["differs"] == ["text"]
    assert conflict["local_time"] == "2020-04-20T10:00:00+01:00"


def test_take_files_or_browser_settles_the_conflict_and_audits_the_choice(
    run, planned: Store, edit
) -> None:
    edit_in_dashboard(planned, "Stalking is a crime.", "Stalking is a crime, always.")
    edit("posts/what-stalking-is/x.j2", "Stalking is a crime.", "Stalking is a serious crime.")

    browser = run("plan", "--take", "browser")
    assert browser.exit_code == 0, browser.output
    assert f"--take browser: the dashboard's version won for {KEY}" in browser.output
    post = planned.posts(SLUG, keys=[KEY])[0]
    assert "always." in post.parts[0]

    data = json.loads(run("plan", "--json").stdout)  # the choice holds without --take
    assert data["changes"]["kept"] == [KEY] and data["conflicts"] == []

    files = run("plan", "--take", "files", "--json")
    assert files.exit_code == 0, files.output
    assert json.loads(files.stdout)["changes"]["resolved"] == {KEY: "files"}
    post = planned.posts(SLUG, keys=[KEY])[0]
    assert "serious crime" in post.parts[0]

    audit = [
        (entry.action, entry.details.get("take"))
        for entry in planned.audit_log(SLUG)
        if entry.details.get("post") == KEY and entry.action == "plan-conflict-resolved"
    ]
    assert audit == [("plan-conflict-resolved", "browser"), ("plan-conflict-resolved", "files")]


def test_a_post_edited_here_and_removed_from_the_files_is_listed_as_removed(
    run, planned: Store, edit
) -> None:
    edit_in_dashboard(planned, "Stalking is a crime.", "Stalking is a crime, always.")
    edit(
        "config.toml",
        '{ channel = "x", time = "10:00", template = "what-stalking-is/x.j2"',
        '{ channel = "x", time = "10:00", template = "what-stalking-is/x.j2", key = "monday-x"',
    )
    result = run("plan")
    assert result.exit_code == 1
    assert "removed from the files" in next(
        line for line in result.stdout.splitlines() if KEY in line
    )


def test_the_plan_sentence_and_table_say_how_many_dashboard_edits_were_kept() -> None:
    from rich.console import Console

    from campaign.cli import tables
    from campaign.present.plan import changes_sentence
    from campaign.store import PlanChanges

    changes = PlanChanges(edited=["a"], kept=["b", "c"])
    assert changes_sentence(changes) == (
        "Plan updated: 1 edited (need approval again); kept 2 edits made in the dashboard."
    )
    assert changes_sentence(PlanChanges(kept=["b"])) == (
        "Plan updated: nothing had changed; kept 1 edit made in the dashboard."
    )
    console = Console(width=200, record=True)
    console.print(tables.changes_table(changes))
    row = next(line for line in console.export_text().splitlines() if "dashboard" in line)
    assert "kept as edited in the dashboard" in row and "2" in row and "b, c" in row
