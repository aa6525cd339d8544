"""`campaign`: the command line, a thin face over the core.

Each command parses its options, takes the config and store from its `CliContext`, calls the
core and formats the answer; the group maps our errors to exit codes once (0 ok, 1 checks
failed, 2 bad input, 3 database trouble). Commands live one family to a module and are imported
only when asked for, so start-up stays quick.
"""

from __future__ import annotations

from typing import Any

import click

from campaign.cli.context import exit_codes
from campaign.cli.lazy import LazyGroup

COMMANDS = {
    "init": "campaign.cli.init:init",
    "check": "campaign.cli.plan:check",
    "plan": "campaign.cli.plan:plan",
    "preview": "campaign.cli.plan:preview",
    "export": "campaign.cli.export:export",
    "list": "campaign.cli.campaigns:list_campaigns",
    "status": "campaign.cli.status:status",
    "preflight": "campaign.cli.preflight:preflight",
    "approve": "campaign.cli.approve:approve",
    "pause": "campaign.cli.publish:pause",
    "resume": "campaign.cli.publish:resume",
    "abandon": "campaign.cli.publish:abandon",
    "daemon": "campaign.cli.publish:daemon",
    "sandbox": "campaign.cli.publish:sandbox",
    "rehearse": "campaign.cli.publish:rehearse",
    "metrics": "campaign.cli.report:metrics",
    "report": "campaign.cli.report:report",
    "audit": "campaign.cli.report:audit",
    "serve": "campaign.cli.web:serve",
    "users": "campaign.cli.web:users",
    "alerts": "campaign.cli.alerts:alerts",
}


class CampaignGroup(LazyGroup):
    """The `campaign` group: every command, however deep, runs inside `exit_codes()`."""

    def invoke(self, ctx: click.Context) -> Any:
        with exit_codes():
            return super().invoke(ctx)


@click.group(
    cls=CampaignGroup,
    lazy_subcommands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="awareness-campaign")
def main() -> None:
    """Plan, check, approve, publish and measure an awareness-week campaign."""


if __name__ == "__main__":  # pragma: no cover
    main()
