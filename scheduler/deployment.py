"""What a daemon publishes: the campaigns it serves with their own settings, and a channel for
each of the organisation's accounts, kept current while it runs.

From the database (`campaign daemon --database`): every campaign's stored settings and every
account's stored definition, the credentials read from the environment variables the
definitions name. From one campaign's config (`campaign daemon --config`, rehearsals, tests):
that campaign, with the config's settings and accounts, as before there were many campaigns.

Settings that belong to one post (grace, attempts, retries, settle, images, metric offsets and
Graph metric names, request timeout) come from the post's campaign. The few that belong to the
process are chosen across its campaigns when it starts, on the safe side (`DaemonSettings`).

A campaign planned while the daemon runs is picked up without a restart: every sweep asks the
database a tiny question (how many campaigns and account links, `deployment_version`) and reads
the deployment again only when the answer changed, when a post names a campaign or account it
does not know, or once every `REREAD` (an edited setting of a known campaign).

An account that cannot be built (its variables are not set, or the database holds no valid
definition for it) raises `AuthRejected` with the located message when a post needs it: the
publisher holds that account's posts (`needs new credentials`), and every other account and
campaign goes on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from campaign.config import Account, Metrics, Publishing
from campaign.errors import AuthRejected, CampaignError
from campaign.store.deployment import CampaignRuntime, Deployment, StoredAccount
from scheduler.channels import make_channel
from scheduler.channels.base import AccountHealth, Channel

if TYPE_CHECKING:
    from campaign.config import CampaignConfig
    from campaign.store import Store

log = logging.getLogger(__name__)
REREAD = 60.0  # seconds between full reads of the deployment while nothing visibly changed


class ChannelFactory(Protocol):
    """Builds the channel for an account (credentials from somewhere: the environment, or a
    rehearsal's sandbox)."""

    def __call__(
        self, account: Account, *, timeout: float, facebook_metrics: tuple[str, ...]
    ) -> Channel: ...


def environment_channels(environ: Mapping[str, str]) -> ChannelFactory:
    """Channels whose secrets come from `environ`, by the variable names the accounts give."""

    def build(account: Account, *, timeout: float, facebook_metrics: tuple[str, ...]) -> Channel:
        return make_channel(account, environ, timeout=timeout, facebook_metrics=facebook_metrics)

    return build


def given_channels(config: CampaignConfig, channels: Mapping[str, Channel]) -> ChannelFactory:
    """Channels already built for a config's account keys (tests, benchmarks)."""
    by_identity = {config.accounts[key].identity: channel for key, channel in channels.items()}

    def build(account: Account, *, timeout: float, facebook_metrics: tuple[str, ...]) -> Channel:
        channel = by_identity.get(account.identity)
        if channel is None:
            raise AuthRejected(f"{account.name}: no channel was given for this account")
        return channel

    return build


@dataclass(frozen=True)
class DaemonSettings:
    """Settings of the process, not of a post, chosen across its campaigns on the safe side:
    the most workers (no campaign is sent slower than it asked), the shortest poll (none is
    swept later than it asked) and the longest heartbeat timeout (no daemon is taken for dead,
    and its sends taken over, sooner than any campaign allows)."""

    workers: int
    poll_seconds: float
    heartbeat_timeout_seconds: float

    @classmethod
    def across(cls, settings: Iterable[Publishing]) -> DaemonSettings:
        every = list(settings) or [Publishing()]
        return cls(
            workers=max(s.workers for s in every),
            poll_seconds=min(s.poll_seconds for s in every),
            heartbeat_timeout_seconds=max(s.heartbeat_timeout_seconds for s in every),
        )

    @property
    def heartbeat_timeout(self) -> timedelta:
        return timedelta(seconds=self.heartbeat_timeout_seconds)


class LiveDeployment:
    """The campaigns and accounts a daemon serves, read again when they change; thread-safe
    (sends on the worker pool ask for settings and channels while a sweep refreshes)."""

    def __init__(
        self,
        read: Callable[[], Deployment],
        factory: ChannelFactory,
        *,
        scope: int | None,
        version: Callable[[], object] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.scope = scope
        self._read, self._version, self._factory = read, version, factory
        self._monotonic = monotonic
        self._lock = threading.RLock()
        self._channels: dict[tuple[int, float, tuple[str, ...]], Channel] = {}
        self._seen_version: object = version() if version else None
        self.current = read()
        self._read_at = monotonic()
        self.settings = DaemonSettings.across(c.publishing for c in self.campaigns.values())

    @classmethod
    def from_database(
        cls, store: Store, scope: int | None = None, *, factory: ChannelFactory
    ) -> LiveDeployment:
        """Every campaign in the database (or the one `scope` names), as planned."""
        api = store.publishing
        return cls(
            lambda: api.deployment(scope),
            factory,
            scope=scope,
            version=lambda: api.deployment_version(scope),
        )

    @classmethod
    def from_config(
        cls, store: Store, config: CampaignConfig, *, factory: ChannelFactory
    ) -> LiveDeployment:
        """One campaign as its config says now (settings, images, accounts); `campaign plan`
        must have stored it (NoPlanStored otherwise)."""
        campaign_id = store.publishing.campaign_id(config.campaign.slug)
        return cls(
            lambda: config_deployment(store, config, campaign_id), factory, scope=campaign_id
        )

    # -- what the daemon asks -----------------------------------------------------------------

    @property
    def campaigns(self) -> dict[int, CampaignRuntime]:
        return self.current.campaigns

    @property
    def posts_scope(self) -> int | tuple[int, ...]:
        """What the daemon's questions about posts name: its campaign, or every campaign it
        knows by id (so they read the (campaign, state, time) index, not every post in a
        state); a campaign planned since is known after the next `refresh`."""
        return self.scope if self.scope is not None else tuple(sorted(self.campaigns))

    def campaign(self, campaign_id: int) -> CampaignRuntime:
        """A campaign's settings; one planned since the last read is read now."""
        runtime = self.campaigns.get(campaign_id)
        if runtime is None and self.refresh(force=True):
            runtime = self.campaigns.get(campaign_id)
        if runtime is None:  # not in scope: never claimed, but answer safely
            log.warning("campaign %s is not in this daemon's deployment", campaign_id)
            return CampaignRuntime(campaign_id, "", "", "UTC", Publishing(), Metrics(), None)
        return runtime

    def channel(self, account_id: int, campaign_id: int) -> Channel:
        """The channel for an account, as the campaign sending through it configures it
        (request timeout, Graph metric names). AuthRejected, located, if it cannot be built."""
        runtime = self.campaign(campaign_id)
        stored = self.current.accounts.get(account_id)
        if stored is None and self.refresh(force=True):
            stored = self.current.accounts.get(account_id)
        account = _usable(stored, account_id)
        metrics = runtime.metrics.facebook if account.platform == "facebook" else ()
        key = (account_id, runtime.publishing.request_timeout_seconds, tuple(metrics))
        with self._lock:
            channel = self._channels.get(key)
            if channel is None:
                channel = self._factory(
                    account,
                    timeout=runtime.publishing.request_timeout_seconds,
                    facebook_metrics=tuple(metrics),
                )
                self._channels[key] = channel
            return channel

    def graces(self) -> dict[int, timedelta]:
        return {cid: c.publishing.grace for cid, c in self.campaigns.items()}

    def offsets(self) -> dict[int, dict[str, timedelta]]:
        return {cid: c.metrics.offset_deltas for cid, c in self.campaigns.items()}

    def probe(self, account_id: int, account: Account) -> AccountHealth:
        """Check an account's credentials with the channel its posts are sent through
        (AuthRejected, located, if it cannot even be built)."""
        return self.channel(account_id, _first_user(self.campaigns)).probe()

    def problems(self) -> dict[int, str]:
        """Accounts that cannot publish, and why (missing variables, no definition): what a
        starting daemon warns about. Their posts are held when they fall due."""
        found: dict[int, str] = {}
        users = _first_user(self.campaigns)
        for account_id in self.current.accounts:
            try:
                self.channel(account_id, users)
            except CampaignError as exc:
                found[account_id] = str(exc)
        return found

    # -- keeping it current -------------------------------------------------------------------

    def refresh(self, *, force: bool = False) -> bool:
        """Read the deployment again if it may have changed; True when it did change."""
        with self._lock:
            if not force:
                version = self._version() if self._version else None
                stale = self._monotonic() - self._read_at >= REREAD
                if version == self._seen_version and not stale:
                    return False
                self._seen_version = version
            elif self._version:
                self._seen_version = self._version()
            fresh = self._read()
            self._read_at = self._monotonic()
            if fresh.fingerprint == self.current.fingerprint:
                return False
            self._forget_changed(fresh)
            added = set(fresh.campaigns) - set(self.current.campaigns)
            self.current = fresh
        if added:
            names = ", ".join(fresh.campaigns[cid].name for cid in sorted(added))
            log.warning("now also publishing %s", names)
        return True

    def _forget_changed(self, fresh: Deployment) -> None:
        """Drop the channels of accounts whose definition changed or went (built anew when
        next needed; a send in flight keeps the one it holds)."""
        for key in list(self._channels):
            before = self.current.accounts.get(key[0])
            after = fresh.accounts.get(key[0])
            if before is None or after is None or before.account != after.account:
                del self._channels[key]


def _usable(stored: StoredAccount | None, account_id: int) -> Account:
    if stored is None:
        raise AuthRejected(
            f"account {account_id} is not one this daemon publishes for: run `campaign plan` "
            "for the campaign that uses it"
        )
    if stored.account is None:
        raise AuthRejected(stored.problem or f"{stored.key}: no stored settings")
    return stored.account


def _first_user(campaigns: Mapping[int, CampaignRuntime]) -> int:
    return min(campaigns, default=0)


def config_deployment(store: Store, config: CampaignConfig, campaign_id: int) -> Deployment:
    """One campaign as its config says now, with the database's ids for its accounts."""
    rows = {row.identity: row for row in store.accounts(config.campaign.slug)}
    accounts: dict[int, StoredAccount] = {}
    for key, account in config.accounts.items():
        row = rows.get(account.identity)
        if row is not None:  # not yet planned with this account: none of its posts exist
            accounts[row.id] = StoredAccount(row.id, key, account.platform, account)
    info = config.campaign
    runtime = CampaignRuntime(
        id=campaign_id,
        slug=info.slug,
        name=info.name,
        timezone=info.timezone,
        publishing=config.publishing,
        metrics=config.metrics,
        media_dir=config.posts_dir,
    )
    return Deployment({campaign_id: runtime}, accounts, fingerprint="config")
