"""`PlatformSandbox`: every platform double behind one object, and `run_sandbox` for the CLI."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from types import TracebackType
from typing import Any

from campaign.clock import Clock, SystemClock
from campaign.config import Account
from scheduler.sandbox.bluesky_api import BlueskyApi
from scheduler.sandbox.double import DoubleFactory, PlatformDouble
from scheduler.sandbox.faults import FaultInjector, SandboxSettings, replace_settings
from scheduler.sandbox.graph_api import GraphApi
from scheduler.sandbox.graph_model import PageInfo
from scheduler.sandbox.instagram_api import InstagramApi
from scheduler.sandbox.mastodon_api import MastodonApi
from scheduler.sandbox.public_media import PublicMedia
from scheduler.sandbox.server import LoopbackServer
from scheduler.sandbox.threads_api import ThreadsApi
from scheduler.sandbox.x_api import XApi

log = logging.getLogger(__name__)

# The doubles of the platforms after X and Facebook, in the order `run_sandbox` gives them
# ports (after X's and Graph's): platform -> its double's class.
DOUBLES: dict[str, DoubleFactory] = {
    "instagram": InstagramApi,
    "bluesky": BlueskyApi,
    "mastodon": MastodonApi,
    "threads": ThreadsApi,
}


class PlatformSandbox:
    """A local double of every platform on loopback, each on its own port, and the public
    address Instagram and Threads fetch images from (`media`).

    Use as a context manager, or `start()` / `stop()`. `x.tweets` and `facebook.posts` show
    what was published; `x.requests` and `facebook.requests` what was asked; `double(name)`
    gives any other platform's double.
    """

    def __init__(
        self,
        settings: SandboxSettings | None = None,
        clock: Clock | None = None,
        *,
        accounts: Iterable[Account] = (),
        host: str = "127.0.0.1",
        x_port: int = 0,
        graph_port: int = 0,
    ) -> None:
        self._settings = settings or SandboxSettings()
        self.clock: Clock = clock or SystemClock()
        self._faults = {
            "x": FaultInjector(self._settings, "x"),
            "facebook": FaultInjector(self._settings, "facebook"),
        }
        self.x = XApi(self.clock, self._faults["x"])
        self.facebook = GraphApi(self.clock, self._faults["facebook"])
        self._x_server = LoopbackServer(
            self.x, self._faults["x"], self.clock, host=host, port=x_port
        )
        self._graph_server = LoopbackServer(
            self.facebook, self._faults["facebook"], self.clock, host=host, port=graph_port
        )
        self.doubles: dict[str, PlatformDouble] = {}
        self._servers: dict[str, LoopbackServer] = {}
        for index, (platform, factory) in enumerate(DOUBLES.items(), 2):
            self._faults[platform] = FaultInjector(self._settings, platform)
            self.doubles[platform] = factory(self.clock, self._faults[platform])
            self._servers[platform] = LoopbackServer(
                self.doubles[platform],
                self._faults[platform],
                self.clock,
                host=host,
                port=x_port + index if x_port else 0,
            )
        # The force's public image address: no faults (it is the force's own web server).
        self.media = PublicMedia()
        self._media_server = LoopbackServer(
            self.media, FaultInjector(SandboxSettings(), "media"), self.clock, host=host
        )
        self.credentials(accounts)

    @property
    def settings(self) -> SandboxSettings:
        return self._settings

    def update(self, **changes: Any) -> SandboxSettings:
        """Change settings on the fly (e.g. `update(rate_5xx=0)`); returns the new settings."""
        self._settings = replace_settings(self._settings, **changes)
        for faults in self._faults.values():
            faults.update(self._settings)
        return self._settings

    def double(self, platform: str) -> PlatformDouble:
        """The double of a platform after X and Facebook ("bluesky", "instagram"...)."""
        return self.doubles[platform]

    def base_url(self, platform: str) -> str:
        """Where the double of `platform` listens."""
        if platform == "x":
            return self.x_base_url
        if platform == "facebook":
            return self.graph_base_url
        return self._servers[platform].base_url

    @property
    def media_base_url(self) -> str:
        return self._media_server.base_url

    def published_texts(self) -> dict[str, list[str]]:
        """Every text created on each platform (platform -> texts), for counting posts and
        duplicates as the platforms themselves would."""
        texts = {
            "x": [t.text for t in self.x.tweets],
            "facebook": [p.message for p in self.facebook.posts],
        }
        for platform, double in self.doubles.items():
            texts[platform] = double.published_texts()
        return texts

    def land_late(self, platform: str, count: int = 1) -> None:
        """The next `count` creates on `platform` ("x", "facebook"...) are accepted but land
        `late_create_seconds` later, answered only then (the late-create fault, on demand)."""
        self._faults[platform].land_late(count)

    def credentials(self, accounts: Iterable[Account]) -> dict[str, str]:
        """Register accounts; return ENV VAR NAME -> fake secret the sandbox accepts.

        The values are stable for a given seed, so a rehearsal can export them once.
        """
        environ: dict[str, str] = {}
        for account in accounts:
            values = {name: self._fake(var) for name, var in account.credentials.items()}
            if account.platform == "x":
                username = _username(account)
                self.x.add_user(username, values["consumer_key"], values["access_token"])
            elif account.platform != "facebook":
                self.double(account.platform).register(account, values)
            else:
                assert account.page_id is not None  # the config model guarantees it
                self.facebook.add_page(
                    account.page_id,
                    values["page_access_token"],
                    name=account.name,
                    app_secret=values.get("app_secret"),
                )
            environ.update({account.credentials[n]: value for n, value in values.items()})
        return environ

    def expire_token(
        self,
        account: Account,
        at: datetime | None,
        *,
        data_access_at: datetime | None = None,
    ) -> None:
        """Say when a Facebook Page token expires (None: never), as `debug_token` then
        reports it; from `at` on (sandbox clock) Graph refuses it as expired (code 190,
        subcode 463). X user tokens do not expire: use `revoke_token` for X."""
        if account.platform not in ("x", "facebook"):
            self.double(account.platform).expire(account, at)
            return
        if account.platform != "facebook":
            raise ValueError(f"{account.name}: X user tokens do not expire; revoke it instead")
        page = self._page(account)
        page.expires_at, page.data_access_expires_at = at, data_access_at

    def revoke_token(self, account: Account, revoked: bool = True) -> None:
        """The platform now refuses (or, with False, accepts again) this account's token:
        X answers 401, Graph code 190 subcode 460 (session invalidated)."""
        if account.platform == "x":
            try:
                self.x.user(_username(account)).revoked = revoked
            except StopIteration:
                raise ValueError(f"{account.name}: not registered: call credentials()") from None
        elif account.platform != "facebook":
            self.double(account.platform).revoke(account, revoked)
        else:
            self._page(account).revoked = revoked

    def _page(self, account: Account) -> PageInfo:
        page = self.facebook.pages.get(str(account.page_id))
        if page is None:
            raise ValueError(f"{account.name}: not registered: call credentials() first")
        return page

    def _fake(self, variable: str) -> str:
        digest = hashlib.sha256(f"sandbox:{self._settings.seed}:{variable}".encode()).hexdigest()
        return f"sbx{digest[:29]}"

    @property
    def x_base_url(self) -> str:
        return self._x_server.base_url

    @property
    def graph_base_url(self) -> str:
        return self._graph_server.base_url

    def start(self) -> PlatformSandbox:
        for server in self._all_servers():
            server.start()
        return self

    def stop(self) -> None:
        for server in self._all_servers():
            server.stop()

    def _all_servers(self) -> list[LoopbackServer]:
        return [self._x_server, self._graph_server, *self._servers.values(), self._media_server]

    def __enter__(self) -> PlatformSandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _username(account: Account) -> str:
    return re.sub(r"\W", "", (account.handle or account.name).lstrip("@"))


def run_sandbox(
    host: str,
    port: int,
    settings: SandboxSettings,
    accounts: Iterable[Account],
    *,
    clock: Clock | None = None,
    ready: Callable[[PlatformSandbox], None] | None = None,
    stop: threading.Event | None = None,
) -> dict[str, str]:
    """Serve every double until interrupted (Ctrl-C) or `stop` is set; print nothing.

    X listens on `port`, Graph on `port + 1` and the later platforms on the ports after (all
    on free ports when `port` is 0). `ready(sandbox)` runs once all listen, so a CLI can show
    the URLs and the credentials to export. Returns {platform: url}.
    """
    sandbox = PlatformSandbox(
        settings,
        clock,
        accounts=accounts,
        host=host,
        x_port=port,
        graph_port=port + 1 if port else 0,
    )
    with sandbox:
        urls = {name: sandbox.base_url(name) for name in ("x", "facebook", *DOUBLES)}
        log.info("sandbox serving %s", ", ".join(f"{k} at {v}" for k, v in urls.items()))
        if ready is not None:
            ready(sandbox)
        try:
            (stop or threading.Event()).wait()
        except KeyboardInterrupt:
            log.info("sandbox interrupted; stopping")
    return urls
