"""Which campaign a page is about: the one its address names (`/c/<slug>/week`), else the
default one (the old addresses `/week`, `/results`... keep working for it).

Every campaign in the database can be shown. Cards need a campaign's config (templates, checks,
accounts); it is read from the campaign's own files when first asked for. A campaign whose
files cannot be read is still shown from what is stored (its posts, their states and times),
with a note in plain words, never an error page.

Routes that work on one campaign are declared with `route(bp, "/week")`: the same view answers
`/week` (the default campaign) and `/c/<slug>/week`. Links made on a page keep the campaign its
address named, so a bookmark or a shared link opens the same campaign.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, abort, current_app, g, request, url_for

from campaign.config import CampaignConfig, load_config
from campaign.errors import CampaignError, NoPlanStored
from campaign.store import Store
from campaign.store.models import CampaignRow

F = TypeVar("F", bound=Callable[..., Any])
PREFIX = "/c/<slug>"
API = re.compile(r"^(/c/[^/]+)?/api/")
log = logging.getLogger("campaign.web")
ConfigLoader = Callable[[Path], CampaignConfig]


@dataclass(frozen=True)
class CampaignPage:
    """One campaign as a page shows it: its stored row, and its config when its files load."""

    row: CampaignRow
    store: Store
    config: CampaignConfig | None
    problem: str | None = None  # why the files could not be read, in plain words

    @property
    def slug(self) -> str:
        return self.row.slug

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.row.timezone)


@dataclass(frozen=True)
class Placeholder:
    """What the page header shows before any campaign is stored."""

    slug: str = ""
    name: str = "Campaign dashboard"
    organisation: str = ""
    hashtag: str = ""
    timezone: str = "UTC"


class Campaigns:
    """Every campaign in the store, with configs read from their files once and kept.

    `default` is the config `campaign serve --config` was given (its campaign is the default
    one); without it the default is the campaign running now, else the next, else the latest.
    """

    def __init__(
        self,
        store: Store,
        default: CampaignConfig | None = None,
        loader: ConfigLoader = load_config,
    ) -> None:
        self.store = store
        self.default_config = default
        self._loader = loader
        self._configs: dict[str, CampaignConfig] = {}
        if default is not None:
            self._configs[default.campaign.slug] = default
        self._lock = threading.Lock()

    def rows(self) -> list[CampaignRow]:
        return self.store.campaigns()

    def default_slug(self, rows: Iterable[CampaignRow], now: datetime) -> str | None:
        if self.default_config is not None:
            return self.default_config.campaign.slug
        return pick_default(list(rows), now)

    def page(self, row: CampaignRow) -> CampaignPage:
        config, problem = self._config(row)
        return CampaignPage(row, self.store, config, problem)

    def _config(self, row: CampaignRow) -> tuple[CampaignConfig | None, str | None]:
        with self._lock:
            known = self._configs.get(row.slug)
        path = config_path(row)
        # The config `serve` was given stands; another is read again once planned from elsewhere.
        if known is not None and (known is self.default_config or _same(known.path, path)):
            return known, None
        if path is None:
            return None, (
                "This server was not told where this campaign's files are, so its posts are "
                "shown as stored. To see them as cards, plan the campaign again from its files."
            )
        if not path.is_file():
            return None, (
                f"This campaign's files are no longer at {path}, so its posts are shown as "
                "stored. Whoever runs the server can put them back there, or plan the campaign "
                "again from where they are now."
            )
        try:
            config = self._loader(path)
        except CampaignError as exc:
            log.warning("campaign %s: its config %s could not be read: %s", row.slug, path, exc)
            return None, (
                f"This campaign's files at {path} could not be read, so its posts are shown as "
                "stored. Whoever runs the server can check them with `campaign check`."
            )
        if config.campaign.slug != row.slug:
            return None, (
                f"The files at {path} are now for another campaign, so this campaign's posts "
                "are shown as stored."
            )
        with self._lock:
            self._configs[row.slug] = config
        return config, None


def config_path(row: CampaignRow) -> Path | None:
    """Where the campaign was planned from, if the database says."""
    return Path(row.config_path) if row.config_path else None


def _same(loaded: Path, stored: Path | None) -> bool:
    return stored is not None and loaded.resolve() == stored.resolve()


def pick_default(rows: list[CampaignRow], now: datetime) -> str | None:
    """The campaign running today, else the next to start, else the one that ended last."""
    if not rows:
        return None
    for row in rows:
        today = now.astimezone(ZoneInfo(row.timezone)).date()
        if row.start <= today <= row.end:
            return row.slug
    upcoming = [row for row in rows if row.start > now.date()]
    if upcoming:
        return min(upcoming, key=lambda row: row.start).slug
    return max(rows, key=lambda row: row.end).slug


def campaigns() -> Campaigns:
    found: Campaigns = current_app.extensions["campaign"].campaigns
    return found


def listed() -> list[CampaignRow]:
    """Every campaign, read once per request."""
    if "campaign_rows" not in g:
        g.campaign_rows = campaigns().rows()
    rows: list[CampaignRow] = g.campaign_rows
    return rows


def current() -> CampaignPage:
    """The campaign of this request; 404 in plain words for an address naming none we hold."""
    if "campaign_page" in g:
        page: CampaignPage = g.campaign_page
        return page
    rows = {row.slug: row for row in listed()}
    slug = g.get("url_slug") or campaigns().default_slug(rows.values(), _now())
    if g.get("url_slug") and slug not in rows:
        abort(
            404,
            description="There is no campaign at this address. Choose one from the list of "
            "campaigns at the top of the page.",
        )
    if slug is None or slug not in rows:  # nothing planned yet: the store says so plainly
        raise NoPlanStored(f"campaign {slug!r} is not in the database" if slug else "no campaign")
    g.campaign_page = campaigns().page(rows[slug])
    return g.campaign_page  # type: ignore[no-any-return]


def shown_campaign() -> CampaignRow | Placeholder:
    """What the header names: this request's campaign, else the default one; never an error."""
    rows = {row.slug: row for row in listed()}
    slug = g.get("url_slug")
    if slug not in rows:
        slug = campaigns().default_slug(rows.values(), _now())
    return rows.get(slug or "") or Placeholder()


def header(signed_in: bool) -> dict[str, Any]:
    """The page header's campaign and switcher. Error pages use it too, so a database that
    does not answer leaves a plain header rather than a second error."""
    try:
        return {"campaign": shown_campaign(), "campaigns": listed() if signed_in else []}
    except CampaignError:
        return {"campaign": Placeholder(), "campaigns": []}


def named_in_url() -> bool:
    return bool(g.get("url_slug"))


def zone() -> ZoneInfo:
    """The timezone times on this page are shown in: the campaign's."""
    shown = shown_campaign()
    return ZoneInfo(shown.timezone)


def _now() -> datetime:
    return campaigns().store.clock.now()


def route(bp: Blueprint, rule: str, methods: list[str] | None = None) -> Callable[[F], F]:
    """Serve a view at `rule` (the default campaign) and at `/c/<slug>` + `rule`."""

    def decorate(view: F) -> F:
        bp.add_url_rule(rule, view_func=view, methods=methods or ["GET"])
        bp.add_url_rule(PREFIX + rule, view_func=view, methods=methods or ["GET"])
        return view

    return decorate


# Pages that exist for every campaign: switching campaigns on one of them stays on it.
SWITCHABLE = ("week.week", "calendar.month", "analytics.results", "review.queue")


def switch_url(slug: str) -> str:
    """The same page for another campaign (its week, for pages that are about one thing)."""
    endpoint = request.endpoint if request.endpoint in SWITCHABLE else "week.week"
    user = g.get("user")
    if endpoint == "week.week" and user is not None and not user.can("view"):
        endpoint = "analytics.results"
    return url_for(endpoint, slug=slug)


def is_api(path: str) -> bool:
    return API.match(path) is not None


def init_app(app: Flask) -> None:
    """Take the slug out of the address for `current()`, and put it back into every link."""

    app.jinja_env.globals["switch_url"] = switch_url

    @app.url_value_preprocessor
    def take_slug(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values and "slug" in values:
            g.url_slug = values.pop("slug")

    @app.url_defaults
    def keep_slug(endpoint: str, values: dict[str, Any]) -> None:
        slug = g.get("url_slug")
        if slug and "slug" not in values and app.url_map.is_endpoint_expecting(endpoint, "slug"):
            values["slug"] = slug
