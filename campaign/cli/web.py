"""Web commands: `serve` (the dashboard) and `users` (who may sign in)."""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click
from click.decorators import FC
from rich.text import Text

from campaign.cli.context import CliContext, make_console, pass_cli, pass_database
from campaign.present.times import record_time
from campaign.roles import ROLES

if TYPE_CHECKING:
    from campaign.config import CampaignConfig
    from campaign.store import Store

SECRET_ENV = "CAMPAIGN_WEB_SECRET"


def role_option(help: str) -> Callable[[FC], FC]:
    """The --role option of `users add` and `users role`: one required choice of the roles."""
    return click.option("--role", type=click.Choice(ROLES), required=True, help=help)


@click.command()
@pass_database
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@click.option(
    "--secret-env",
    default=SECRET_ENV,
    show_default=True,
    metavar="VAR",
    help="Environment variable holding the key that signs session cookies (at least 16 random "
    "characters). If it is unset a random key is made at start, and every session then ends "
    "when the server restarts.",
)
@click.option(
    "--session-hours",
    type=click.FloatRange(0.1, 24 * 7),
    default=8.0,
    show_default=True,
    help="Sessions end this long after sign-in.",
)
@click.option(
    "--https",
    "secure_cookies",
    is_flag=True,
    help="The dashboard is reached over HTTPS (behind a TLS proxy): mark cookies Secure, send "
    "HSTS, and check that forms come from this site's own https pages.",
)
@click.option(
    "--trusted-proxy",
    metavar="ADDRESS",
    callback=lambda ctx, param, value: _proxy_address(value),
    help="IP address of the reverse proxy in front of the dashboard. Its X-Forwarded-For, "
    "-Proto, -Host and -Port headers are believed (from it only): sign-in throttling and the "
    "sign-in record then see each client's own address, and the https check sees https.",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Requests served at once.",
)
def serve(
    cli: CliContext,
    host: str,
    port: int,
    secret_env: str,
    session_hours: float,
    secure_cookies: bool,
    trusted_proxy: str | None,
    threads: int,
) -> None:
    """Serve the web dashboard: every campaign in the database, the month calendar, sign-off,
    pause / resume, live status, results.

    Sign-in is required; create users first with `campaign users add`. Served by waitress (a
    production WSGI server) on 127.0.0.1 unless --host says otherwise. The database is
    --database, else the config's, or $CAMPAIGN_DATABASE_URL (e.g. the one `make demo` leaves
    in build/demo/). The config's campaign is the one shown first; without a config file the
    campaign running now is. While it serves it also raises and sends alerts ([alerts] in the
    config): among them, a post due soon while no publishing daemon is running.
    """
    from waitress import serve as waitress_serve

    from campaign.alerts.service import AlertLoop, owner_name
    from campaign.store.users import list_users
    from campaign.web import create_app

    config, store = _config_and_store(cli)
    console = make_console()
    secret = os.environ.get(secret_env, "")
    if len(secret) < 16:
        if secret:
            console.print(f"{secret_env} is shorter than 16 characters: ignored.", style="yellow")
        secret = secrets.token_urlsafe(32)
        console.print(
            f"No {secret_env} set: using a random session key, so everyone must sign in again "
            "after a restart.",
            style="yellow",
        )
    app = create_app(
        config,
        store,
        secret_key=secret,
        session_hours=session_hours,
        secure_cookies=secure_cookies,
    )
    if not list_users(store):
        console.print(
            Text.assemble(
                ("No users yet:", "bold yellow"),
                " create one with `campaign users add NAME --role approver` (roles: officer, "
                "approver, analyst).",
            )
        )
    if not _loopback(host) and not secure_cookies:
        console.print(
            Text.assemble(
                (f"Listening on {host}, beyond this machine, without --https:", "bold yellow"),
                " put the dashboard behind an HTTPS proxy so passwords and sessions are encrypted.",
            )
        )
    if secure_cookies and trusted_proxy is None:
        console.print(
            "[yellow]--https without --trusted-proxy: every request counts as https, and every "
            "client seems to come from the proxy's address, so sign-in throttling by address "
            "treats them all as one.[/]"
        )
    logging.basicConfig(  # failed and throttled sign-ins are warnings: the operator sees them
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    shown = f"[{host}]" if ":" in host else host
    count = len(store.campaigns())
    what = config.campaign.name if config and count == 1 else f"{count} campaigns"
    console.print(f"Dashboard for {what} on http://{shown}:{port}/ – Ctrl-C to stop.")
    # The dead man's switch runs here too, so it still runs when every daemon is dead.
    with AlertLoop(store, store.clock, os.environ, owner=owner_name("serve")):
        waitress_serve(app, **waitress_options(host, port, threads, secure_cookies, trusted_proxy))


def _config_and_store(cli: CliContext) -> tuple[CampaignConfig | None, Store]:
    """The database to serve, and the config of its default campaign: the `--config` given
    (which must be stored there), or ./config.toml when its campaign is stored there."""
    from campaign.errors import NoPlanStored

    store = cli.open_store(upgrade=True)
    slugs = {row.slug for row in store.campaigns()}
    if not slugs:
        raise NoPlanStored("the database holds no campaign")
    if cli.config_given:
        store.campaign(cli.config.campaign.slug)  # fails clearly if it was never planned here
        return cli.config, store
    if cli.config_path.is_file() and cli.config.campaign.slug in slugs:
        return cli.config, store
    return None, store


PROXY_HEADERS = "x-forwarded-for x-forwarded-proto x-forwarded-host x-forwarded-port"


def waitress_options(
    host: str, port: int, threads: int, https: bool, trusted_proxy: str | None
) -> dict[str, Any]:
    """How waitress serves the dashboard: behind a trusted proxy, believe its forwarded headers
    (the client's address and scheme); with --https and no proxy named, every request is https.
    The main loop waits with poll(), not select(): a connection a worker thread closes just as
    the loop is about to wait on it is then dropped alone, where select() would stop the whole
    server (waitress issues #374 and #468).
    """
    options: dict[str, object] = {"host": host, "port": port, "threads": threads}
    options["asyncore_use_poll"] = True
    options["ident"] = "campaign"
    if https:
        options["url_scheme"] = "https"
    if trusted_proxy is not None:
        options["trusted_proxy"] = trusted_proxy
        options["trusted_proxy_headers"] = PROXY_HEADERS
        options["trusted_proxy_count"] = 1
    return options


def _proxy_address(value: str | None) -> str | None:
    if value is None or value == "localhost":
        return value
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an IP address (e.g. 127.0.0.1 for a proxy on this machine)"
        ) from None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.group()
def users() -> None:
    """Who may sign in to the web dashboard, and with which role.

    \b
    officer   see the week and publishing status; update the stored plan from the templates
    approver  also approve / withdraw approval, pause / resume publishing
    analyst   see results and download the exports
    admin     also manage users in the browser (add, disable, role, password)
    """


@users.command("add")
@pass_cli
@click.argument("username")
@role_option("What the user may do (`campaign users --help` lists the roles).")
@click.option(
    "--password-env",
    metavar="VAR",
    help="Read the password from this environment variable instead of asking for it.",
)
def users_add(cli: CliContext, username: str, role: str, password_env: str | None) -> None:
    """Create USERNAME with a role; the password is asked for twice (hidden) and only hashed."""
    from campaign.store.users import add_user

    password = _password(password_env)
    user = add_user(cli.open_store(create=True), username, password, role, by=_cli_by())
    make_console().print(f"Created {user.username} ({user.role}).")


@users.command("password")
@pass_cli
@click.argument("username")
@click.option("--password-env", metavar="VAR", help="Read the new password from this variable.")
def users_password(cli: CliContext, username: str, password_env: str | None) -> None:
    """Set a new password for USERNAME."""
    from campaign.store.users import set_password

    password = _password(password_env)
    set_password(cli.open_store(upgrade=True), username, password, by=_cli_by())
    make_console().print(f"New password set for {username}.")


@users.command("disable")
@pass_cli
@click.argument("username")
@click.option("--enable", is_flag=True, help="Re-enable instead.")
def users_disable(cli: CliContext, username: str, enable: bool) -> None:
    """Stop USERNAME signing in (their open sessions end at their next click)."""
    from campaign.store.users import set_disabled

    set_disabled(cli.open_store(upgrade=True), username, not enable, by=_cli_by())
    make_console().print(f"{'Enabled' if enable else 'Disabled'} {username}.")


@users.command("role")
@pass_cli
@click.argument("username")
@role_option("The new role.")
def users_role(cli: CliContext, username: str, role: str) -> None:
    """Give USERNAME another role; their open sessions end (they sign in again)."""
    from campaign.store.users import set_role

    set_role(cli.store, username, role, by=_cli_by())
    make_console().print(f"{username} is now {role}.")


@users.command("unlock")
@pass_cli
@click.argument("username")
def users_unlock(cli: CliContext, username: str) -> None:
    """Let USERNAME try to sign in again now, after too many wrong passwords."""
    from campaign.store.sign_ins import unlock

    store = cli.store
    unlock(store, username, store.clock.now(), by=_operator())
    make_console().print(f"{username} may sign in again now.")


@users.command("sign-ins")
@pass_cli
@click.option("--user", "username", help="Only this user's sign-ins.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
def users_sign_ins(cli: CliContext, username: str | None, limit: int) -> None:
    """The latest sign-ins, failures, throttled attempts and sign-outs, newest first."""
    from rich.table import Table

    from campaign.store.sign_ins import recent

    config = cli.config
    table = Table(title="Dashboard sign-ins")
    for column in ("When", "Event", "User", "Address", "Detail"):
        table.add_column(column)
    for row in recent(cli.store, limit=limit, username=username):
        table.add_row(
            record_time(row.at, config.zone),
            row.event,
            row.username or "(not a user)",
            row.address or "",
            row.detail or "",
        )
    make_console().print(table)


def _cli_by() -> str:
    """Who made a change to a user from the command line, for the record."""
    return f"{_operator()} on the command line"


def _operator() -> str:
    try:
        return os.getlogin()
    except OSError:
        return os.environ.get("USER", "the command line")


@users.command("list")
@pass_cli
def users_list(cli: CliContext) -> None:
    """Show every user, their role and whether they may sign in."""
    from rich.table import Table

    from campaign.store.users import list_users

    config = cli.config
    table = Table(title="Dashboard users")
    for column in ("Username", "Role", "Created", "Status"):
        table.add_column(column)
    for user in list_users(cli.store):
        table.add_row(
            user.username,
            user.role,
            record_time(user.created_at, config.zone),
            "disabled" if user.disabled else "active",
        )
    make_console().print(table)


def _password(env_name: str | None) -> str:
    if env_name:
        value = os.environ.get(env_name)
        if not value:
            raise click.UsageError(f"environment variable {env_name} is not set or empty")
        return value
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)
