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

from campaign.errors import BadInput, CampaignError, CheckFailed

if TYPE_CHECKING:
    from campaign.clock import Clock
    from campaign.config import CampaignConfig
    from campaign.past import PastPosts
    from campaign.store import CampaignRow, Store
    from campaign.store.facts import CampaignFacts

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
    """The config, campaign and store a command works on, each made the first time it is asked.

    `store` opens an existing database as it is, for commands that only read: they refuse a
    missing database with "no plan stored yet" and write nothing into being. Commands that
    store a plan ask for `open_store(create=True)` (which also migrates); commands that write
    to an existing database ask for `open_store(upgrade=True)` (migrating one an older version
    made). Either becomes `store` for the rest of the command.

    With `--campaign SLUG` a command works on a campaign stored in the database (from
    `--database`, $CAMPAIGN_DATABASE_URL or the `--config` given) without its files: `facts`
    (name, timezone, dates, settings) come from the stored row, and `config` from the file the
    campaign was planned from, while it is still there.
    """

    def __init__(
        self,
        config_path: Path,
        *,
        campaign: str | None = None,
        database_url: str | None = None,
        config_given: bool = True,
        command: str = "campaign",
    ) -> None:
        self.config_path = config_path
        self.campaign_slug = campaign
        self.database_option = database_url
        self.config_given = config_given
        self.command = command
        self.whole_database = False  # the command is about every campaign, needs no config
        self.offers_campaign = False  # the command takes --campaign SLUG instead of a config

    @cached_property
    def config(self) -> CampaignConfig:
        if self.campaign_slug is None or self._given_config_is_the_campaign:
            return self._config_file
        return self._stored_config()

    @cached_property
    def facts(self) -> CampaignFacts:
        """Slug, name, timezone, dates and settings of the campaign the command works on."""
        from campaign.store.facts import CampaignFacts

        if self.campaign_slug is None or self._given_config_is_the_campaign:
            return CampaignFacts.from_config(self.config)
        return CampaignFacts.from_row(self.campaign_row)

    @property
    def slug(self) -> str:
        return self.facts.slug

    @cached_property
    def campaign_row(self) -> CampaignRow:
        """The stored campaign `--campaign` names; an unknown slug lists the known ones."""
        from campaign.errors import CampaignNotFound, NoPlanStored

        assert self.campaign_slug is not None
        campaigns = self.store.campaigns()
        for row in campaigns:
            if row.slug == self.campaign_slug:
                return row
        if not campaigns:
            raise NoPlanStored("the database holds no campaign")
        raise CampaignNotFound(self.campaign_slug, [row.slug for row in campaigns])

    @cached_property
    def database_url(self) -> str:
        """`--database`; else the config's (its `[database]`, or $CAMPAIGN_DATABASE_URL, as
        ever). A command that needs no config (`--campaign`, the whole database) without one
        takes $CAMPAIGN_DATABASE_URL, or the database of ./config.toml when there is one."""
        import os

        from campaign.config.settings import DATABASE_URL_ENV

        if self.database_option:
            return self.database_option
        needs_config = self.campaign_slug is None and not self.whole_database
        if self.config_given or needs_config or self.config_path.is_file():
            return self._config_file.database_url()
        url = os.environ.get(DATABASE_URL_ENV)
        if not url:
            what = f"--campaign {self.campaign_slug}" if self.campaign_slug else self.command
            raise BadInput(
                f"{what} needs a database: give --database URL, set ${DATABASE_URL_ENV}, or "
                "give --config of a campaign stored in it"
            )
        return url

    @cached_property
    def store(self) -> Store:
        return self.open_store()

    def open_store(self, *, create: bool = False, upgrade: bool = False) -> Store:
        from campaign.store import Store

        if create:
            store = Store.open(self.database_url, command_clock())
        else:
            store = Store.open_existing(self.database_url, command_clock(), upgrade=upgrade)
        self.__dict__["store"] = store  # the rest of the command uses the store it opened
        return store

    @cached_property
    def _config_file(self) -> CampaignConfig:
        from campaign.config import load_config

        if self._missing_default_config:
            raise BadInput(
                f"{self.config_path}: file not found: give --config PATH, or --campaign SLUG "
                "for a campaign stored in the database (`campaign list` shows them), or run "
                "`campaign init DIR` to start a campaign"
            )
        return load_config(self.config_path)

    @property
    def _missing_default_config(self) -> bool:
        """No --config, no ./config.toml, on a command that could have been given --campaign."""
        return (
            self.offers_campaign
            and not self.config_given
            and self.campaign_slug is None
            and not self.config_path.is_file()
        )

    @property
    def _given_config_is_the_campaign(self) -> bool:
        return self.config_given and self._config_file.campaign.slug == self.campaign_slug

    def _stored_config(self) -> CampaignConfig:
        """The config the stored campaign was planned from, while that file is still there."""
        from campaign.config import load_config

        planned_from = self.campaign_row.config_path
        where = ""
        if planned_from and Path(planned_from).is_file():
            config = load_config(Path(planned_from))
            if config.campaign.slug == self.campaign_slug:
                return config
            where = f"; {planned_from}, which it was planned from, now holds another campaign"
        elif planned_from:
            where = f"; it was planned from {planned_from}, which is no longer there"
        raise BadInput(
            f"`{self.command}` needs the files of campaign {self.campaign_slug!r} (config.toml "
            f"and its templates), which the database does not hold: give --config PATH{where}"
        )


def command_clock() -> Clock:
    """The wall clock; or the clock whoever called `main` gave it as `obj={"clock": ...}` (a
    test stepping through a week, as the daemon and sandbox take theirs)."""
    from campaign.clock import SystemClock

    ctx = click.get_current_context(silent=True)
    given = ctx.find_root().obj if ctx is not None else None
    if isinstance(given, dict) and given.get("clock") is not None:
        clock: Clock = given["clock"]
        return clock
    return SystemClock()


def pass_cli(func: F) -> F:
    """Give the command a `CliContext` for its `--config` (the option is added here): put it
    first under the command's decorator so `--config` leads the options, as on every command.
    """

    @wraps(func)
    def wrapper(*args: Any, config_path: Path, **kwargs: Any) -> Any:
        return func(CliContext(config_path), *args, **kwargs)

    return config_option(wrapper)  # type: ignore[return-value]


def pass_campaign(func: F) -> F:
    """As `pass_cli`, for a command on one stored campaign: adds `--campaign SLUG` and
    `--database URL`, so it also works with only the database (see `CliContext`)."""

    @wraps(func)
    def wrapper(*args: Any, campaign_slug: str | None, **kwargs: Any) -> Any:
        return _with_context(func, args, kwargs, campaign=campaign_slug)

    return config_option(campaign_option(database_option(wrapper)))  # type: ignore[return-value]


def pass_database(func: F) -> F:
    """For a command about every campaign in a database: `--database URL`, or the config's."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return _with_context(func, args, kwargs, campaign=None, whole_database=True)

    return config_option(database_option(wrapper))  # type: ignore[return-value]


def _with_context(
    func: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    campaign: str | None,
    whole_database: bool = False,
) -> Any:
    ctx = click.get_current_context()
    source = ctx.get_parameter_source("config_path")
    cli = CliContext(
        kwargs.pop("config_path"),
        campaign=campaign,
        database_url=kwargs.pop("database_url"),
        config_given=source is not click.core.ParameterSource.DEFAULT,
        command=" ".join(["campaign", *ctx.command_path.split()[1:]]),
    )
    cli.whole_database = whole_database
    cli.offers_campaign = not whole_database
    return func(cli, *args, **kwargs)


def campaign_option(func: F) -> F:
    return click.option(
        "--campaign",
        "campaign_slug",
        metavar="SLUG",
        help="Work on this campaign as stored in the database, without its config "
        "(`campaign list` shows them).",
    )(func)


def database_option(func: F) -> F:
    return click.option(
        "--database",
        "database_url",
        metavar="URL",
        help="The database [default: $CAMPAIGN_DATABASE_URL, else the config's].",
    )(func)


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
