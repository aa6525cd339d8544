"""Start-up: each command imports the libraries it uses and no others, so `campaign --help`,
`campaign check` and `campaign status` answer quickly (the database layer, the checks, the
charts and the dashboard are imported by the commands that need them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import main

PROBE = """
import json, sys
from campaign.cli import main
try:
    main(sys.argv[2:], prog_name="campaign")
except SystemExit:
    pass
with open(sys.argv[1], "w") as out:
    json.dump(sorted(sys.modules), out)
"""
DATABASE = {"sqlalchemy", "alembic"}
CHECKS = {"campaign.checks", "PIL"}  # phone numbers are read by the config too
FACES = {"matplotlib", "flask", "waitress", "apscheduler", "tweepy", "facebook"}


def _imported(tmp_path: Path, *args: str) -> set[str]:
    """The top-level packages (and our own modules) a fresh `campaign ARGS` process imported."""
    listing = tmp_path / "modules.json"
    env = {k: v for k, v in os.environ.items() if k != "CAMPAIGN_DATABASE_URL"}
    subprocess.run(
        [sys.executable, "-c", PROBE, str(listing), *args],
        check=True,
        capture_output=True,
        env=env,
        timeout=60,
    )
    names = json.loads(listing.read_text())
    return {n.split(".")[0] for n in names} | {n for n in names if n.startswith("campaign.")}


def test_help_imports_no_database_config_templates_checks_or_faces(tmp_path):
    imported = _imported(tmp_path, "--help")
    assert not imported & (DATABASE | CHECKS | FACES | {"pydantic", "jinja2", "phonenumbers"})


def test_check_imports_no_database_layer_and_no_face(tmp_path, campaign_dir):
    imported = _imported(tmp_path, "check", "--config", str(campaign_dir / "config.toml"))
    assert "campaign.checks" in imported  # it did check
    assert not imported & (DATABASE | FACES)


def test_status_imports_no_checks_and_no_face(tmp_path, campaign_dir):
    config = str(campaign_dir / "config.toml")
    assert CliRunner().invoke(main, ["plan", "--config", config]).exit_code == 0
    imported = _imported(tmp_path, "status", "--json", "--config", config)
    assert "sqlalchemy" in imported  # it did read the database
    assert not imported & (CHECKS | FACES)
    assert "alembic" not in imported  # a database at the newest schema needs no migration tool


def test_the_schema_head_read_without_alembic_is_the_newest_migration():
    from alembic.script import ScriptDirectory

    from campaign.store.database import SCHEMA_HEAD, _alembic

    assert SCHEMA_HEAD == ScriptDirectory.from_config(_alembic()).get_current_head()


@pytest.mark.parametrize("name", sorted(main.lazy_subcommands))  # type: ignore[attr-defined]
def test_every_command_loads_by_its_name(name):
    command = main.get_command(None, name)  # type: ignore[arg-type]
    assert command is not None and command.name == name
