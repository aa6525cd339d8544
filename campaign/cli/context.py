"""What every command shares: the console, the common options, one `CliContext` that loads the
config and opens the store only when a command asks, and the one place our errors become exit
codes.

This module is imported for every command, `--help` included, so it imports only click, rich
and our exception tree; the config, the store and the tables are imported where they are used.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.text import Text

from campaign.errors import CampaignError, CheckFailed

if TYPE_CHECKING:
    from campaign.config import CampaignConfig
    from campaign.past import PastPosts
    from campaign.store import Store

F = TypeVar("F", bound=Callable[..., Any])
CONFIG_ENV = "CAMPAIGN_CONFIG"
USER_ENV = "CAMPAIGN_USER"


def make_console(*, stderr: bool = False) -> Console:
    """Every console prints text as written: brackets and colons in our messages, templates
    and the database are never read as rich markup or emoji codes; styles are given as `Text`.
    """
    stream = sys.stderr if stderr else sys.stdout
    return Console(
        stderr=stderr,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
        width=None if stream.isatty() else 160,
    )


def warn(message: str | None) -> None:
    """A warning on stderr: worth reading, but the command goes on and its exit code stands."""
    if message:
        make_console(stderr=True).print(Text.assemble(("warning:", "bold yellow"), " ", message))


def warn_if_past(past: PastPosts, noun: str = "post") -> None:
    warn(past.message(noun))


def config_option(func: F) -> F:
    """`--config` on every command (default ./config.toml, or $CAMPAIGN_CONFIG)."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default="config.toml",
        envvar=CONFIG_ENV,
        show_default=True,
        help="The campaign's config.toml.",
    )(func)


def actor_option(func: F) -> F:
    return click.option(
        "--by",
        "actor",
        envvar=USER_ENV,
        default=lambda: getpass.getuser(),
        show_default="$CAMPAIGN_USER or your login",
        help="Who is doing this, for the audit log.",
    )(func)


class CliContext:
    """The config and store a command works on, each made the first time it is asked for.

    `store` opens an existing database as it is, for commands that only read: they refuse a
    missing database with "no plan stored yet" and write nothing into being. Commands that
    store a plan ask for `open_store(create=True)` (which also migrates); commands that write
    to an existing database ask for `open_store(upgrade=True)` (migrating one an older version
    made).
    """

    def __init__(self, config_path: Path) -> None:
        self.config_path = config_path

    @cached_property
    def config(self) -> CampaignConfig:
        from campaign.config import load_config

        return load_config(self.config_path)

    @cached_property
    def store(self) -> Store:
        return self.open_store()

    def open_store(self, *, create: bool = False, upgrade: bool = False) -> Store:
        from campaign.clock import SystemClock
        from campaign.store import Store

        if create:
            return Store.open(self.config.database_url(), SystemClock())
        return Store.open_existing(self.config.database_url(), SystemClock(), upgrade=upgrade)


def pass_cli(func: F) -> F:
    """Give the command a `CliContext` for its `--config` (the option is added here): put it
    first under the command's decorator so `--config` leads the options, as on every command.
    """

    @wraps(func)
    def wrapper(*args: Any, config_path: Path, **kwargs: Any) -> Any:
        return func(CliContext(config_path), *args, **kwargs)

    return config_option(wrapper)  # type: ignore[return-value]


@contextmanager
def exit_codes() -> Iterator[None]:
    """Turn our errors into a clear message on stderr and the family's exit code (0 ok, 1
    checks failed, 2 bad input, 3 database trouble); a failed check lists its errors first.
    """
    try:
        yield
    except CheckFailed as exc:
        from campaign.cli.overview import findings_overview

        err = make_console(stderr=True)
        errors = [f for f in exc.findings if f.severity == "error"]
        err.print(findings_overview(errors, every=False))
        err.print(Text.assemble(("error:", "bold red"), " ", str(exc)))
        sys.exit(exc.exit_code)
    except CampaignError as exc:
        make_console(stderr=True).print(Text.assemble(("error:", "bold red"), " ", str(exc)))
        sys.exit(exc.exit_code)
