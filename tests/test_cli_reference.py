"""docs/cli.md must say exactly what `--help` says (regenerate with tools/cli_reference.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current():
    spec = importlib.util.spec_from_file_location(
        "cli_reference", REPO / "tools" / "cli_reference.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == module.reference(), (
        "docs/cli.md is out of date: run `.venv/bin/python tools/cli_reference.py > docs/cli.md`"
    )
