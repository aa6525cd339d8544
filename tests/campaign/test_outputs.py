"""Output files and new campaign folders are written whole, with ordinary permissions."""

from __future__ import annotations

import os

import pytest

from campaign.errors import BadInput
from campaign.outputs import write_folder, write_output


@pytest.fixture
def umask():
    old = os.umask(0o022)
    yield 0o022
    os.umask(old)


def test_a_new_file_gets_the_usual_permissions(tmp_path, umask):
    target = tmp_path / "report.csv"
    write_output(target, "a,b\n")
    assert target.read_text() == "a,b\n" and target.stat().st_mode & 0o777 == 0o644
    assert os.listdir(tmp_path) == ["report.csv"]


def test_the_default_folder_is_created_only_when_asked(tmp_path):
    target = tmp_path / "build" / "preview.html"
    with pytest.raises(BadInput, match="does not exist"):
        write_output(target, "x")
    assert not target.parent.exists()
    write_output(target, "x", create_folder=True)
    assert target.read_text() == "x"


def test_a_new_campaign_folder_appears_whole_with_the_usual_permissions(tmp_path, umask):
    directory = tmp_path / "week"
    write_folder(directory, {directory / "config.toml": "a", directory / "posts" / "x.j2": "b"})
    assert (directory / "config.toml").read_text() == "a"
    assert (directory / "posts" / "x.j2").read_text() == "b"
    assert directory.stat().st_mode & 0o777 == 0o755
    assert os.listdir(tmp_path) == ["week"]


def test_an_existing_empty_folder_receives_the_files_and_no_staging_is_left(tmp_path):
    directory = tmp_path / "week"
    directory.mkdir()
    (directory / "notes.txt").write_text("mine")
    write_folder(directory, {directory / "config.toml": "a", directory / "posts" / "x.j2": "b"})
    assert sorted(os.listdir(directory)) == ["config.toml", "notes.txt", "posts"]
