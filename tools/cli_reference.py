"""Write docs/cli.md from the CLI's own --help (a test keeps the two equal).

.venv/bin/python tools/cli_reference.py > docs/cli.md
"""

from __future__ import annotations

import click
from click.testing import CliRunner

from campaign.cli import main


def _commands(group: click.Group, prefix: list[str]) -> list[list[str]]:
    found = [prefix]
    for name in sorted(group.list_commands(click.Context(group))):
        command = group.get_command(click.Context(group), name)
        if command is None or command.hidden:
            continue
        if isinstance(command, click.Group):
            found += _commands(command, [*prefix, name])
        else:
            found.append([*prefix, name])
    return found


def reference() -> str:
    runner = CliRunner()
    parts = [
        "# `campaign` command reference",
        "",
        "Generated from `--help` by `tools/cli_reference.py`; do not edit by hand.",
        "",
    ]
    for path in _commands(main, []):
        result = runner.invoke(main, [*path, "--help"], prog_name="campaign", terminal_width=100)
        parts += [
            f"## campaign {' '.join(path)}".rstrip(),
            "",
            "```",
            result.output.rstrip(),
            "```",
            "",
        ]
    return "\n".join(parts)


if __name__ == "__main__":
    click.echo(reference(), nl=False)
