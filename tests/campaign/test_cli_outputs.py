"""Output files end to end: an unusable folder is bad input, and files are replaced whole."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import main

# Every output file: a missing or unusable folder is bad input named with what to do, and
# nothing is created or half-written.
OUTPUT_COMMANDS = {
    "export": ("export", "--ics"),
    "preview": ("preview", "-o"),
    "report": ("report", "--format", "csv", "-o"),
    "audit": ("audit", "--export"),
}


@pytest.mark.parametrize("command", OUTPUT_COMMANDS.values(), ids=OUTPUT_COMMANDS.keys())
def test_an_output_file_in_a_missing_folder_is_bad_input(run, tmp_path, command):
    run("plan")
    target = tmp_path / "no" / "such" / "dir" / "out.file"
    result = run(*command, str(target))
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert f"{target.parent} does not exist" in text and "mkdir -p" in text
    assert "Traceback" not in result.output
    assert not (tmp_path / "no").exists()  # nothing created silently


@pytest.mark.parametrize("command", OUTPUT_COMMANDS.values(), ids=OUTPUT_COMMANDS.keys())
def test_an_output_file_under_a_file_is_bad_input(run, campaign_dir, command):
    run("plan")
    target = campaign_dir / "config.toml" / "out.file"
    result = run(*command, str(target))
    assert result.exit_code == 2, result.output
    assert "is a file, not a folder" in " ".join(result.output.split())


@pytest.fixture
def unwritable_folder(tmp_path):
    """A folder we may not write in: read-only for a user; /sys (no new files) for root."""
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o500)
        yield folder
        folder.chmod(0o700)
    elif Path("/sys").is_dir():
        yield Path("/sys")
    else:  # pragma: no cover
        pytest.skip("no folder that root cannot write in")


@pytest.mark.parametrize("command", OUTPUT_COMMANDS.values(), ids=OUTPUT_COMMANDS.keys())
def test_an_output_file_in_an_unwritable_folder_is_bad_input(run, unwritable_folder, command):
    run("plan")
    before = sorted(unwritable_folder.iterdir())
    result = run(*command, str(unwritable_folder / "out.file"))
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert f"cannot write in {unwritable_folder}" in text and "choose" in text
    assert sorted(unwritable_folder.iterdir()) == before


def test_output_files_are_replaced_whole_with_no_temporary_files_left(run, tmp_path):
    run("plan")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "week.ics"
    target.write_text("old calendar")
    target.chmod(0o640)
    assert run("export", "--ics", str(target)).exit_code == 0
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert [p.name for p in out.iterdir()] == ["week.ics"]
    assert target.stat().st_mode & 0o777 == 0o640  # the file keeps its permissions


def test_init_in_a_missing_parent_folder_is_bad_input(tmp_path):
    target = tmp_path / "no" / "such" / "week"
    result = CliRunner().invoke(
        main,
        ["init", str(target), "--name", "Fraud Week 2099", "--hashtag", "#StopFraud"]
        + ["--start", "2099-03-02", "--organisation", "Anyshire Police"],
    )
    assert result.exit_code == 2, result.output
    assert f"{target.parent} does not exist" in " ".join(result.output.split())
    assert not (tmp_path / "no").exists()


def test_a_rehearsal_database_in_a_missing_folder_is_bad_input(run, tmp_path):
    database = tmp_path / "no" / "such" / "rehearsal.db"
    result = run("rehearse", "--database", f"sqlite:///{database}")
    assert result.exit_code == 2, result.output
    assert f"{database.parent} does not exist" in " ".join(result.output.split())
    assert not (tmp_path / "no").exists()


def test_the_check_count_line_says_one_of_a_thing_in_the_singular():
    from campaign.checks import CheckReport
    from campaign.checks.findings import Finding
    from campaign.cli.plan import _counts

    one = Finding("error", "length", "too long", "shorten it", key="2020-04-20-x")
    assert _counts(1, CheckReport(findings=[one])).plain == "1 post, 1 error, 0 warnings."
    assert _counts(14, CheckReport(findings=[])).plain == "14 posts, 0 errors, 0 warnings."
