"""The analysts' dataset: one tidy row per post and snapshot, with metrics made comparable
across platforms. A metric the platform no longer offers, or the token may not read, is None
(unavailable), never 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from campaign.config import CampaignConfig, Metrics
from campaign.errors import CampaignNotFound
from campaign.platforms import PLATFORMS, facts
from campaign.present.threads import progress
from campaign.present.times import weekday
from campaign.render import stored_variants
from campaign.store import Store
from campaign.store.models import CampaignRow, MetricSnapshotRow, PostRow, PostState
from campaign.store.partial import LOUD_THREAD_STATES
from campaign.words import all_of

_X_AND_FACEBOOK = {
    "impressions": "X: impression_count. Facebook: the configured views metric "
    "([metrics] facebook_impressions, post_media_view since November 2025).",
    "engagements": "X: likes + reposts + replies + quotes + bookmarks, plus link and profile "
    "clicks where the token may read them. Facebook: reactions + comments + shares + clicks.",
    "engagement_rate": "engagements ÷ impressions, as a percentage of impressions.",
    "link_clicks": "X: url_link_clicks (needs user-context auth, posts under 30 days old). "
    "Facebook: the configured clicks metric ([metrics] facebook_clicks).",
    "shares": "X: reposts + quotes. Facebook: shares.",
}
# What each comparable metric is on each platform (the later platforms' from their modules).
DEFINITIONS = {
    name: " ".join(
        [text]
        + [
            platform.metric_definitions[name]
            for platform in PLATFORMS.values()
            if name in platform.metric_definitions
        ]
    )
    for name, text in _X_AND_FACEBOOK.items()
}
DEFINITIONS["link_clicks"] += (
    " "
    + all_of(
        [
            p.display
            for p in PLATFORMS.values()
            if p.metric_map and "link_clicks" not in p.metric_map
        ]
    )
    + ": not offered (unavailable)."
)
DEFAULT_LANGUAGE = "en-GB"  # `[campaign] language` when a stored campaign does not say
METRICS = ("impressions", "engagements", "engagement_rate", "link_clicks", "shares")
THREAD_PART_BREAK = "\n---\n"  # between a thread's parts in `Row.text`


@dataclass(frozen=True)
class LangText:
    """One language's text of a post, for pages that mark it with its `lang`."""

    lang: str  # BCP 47
    text: str


@dataclass(frozen=True)
class Row:
    """One post at one snapshot (or a post with no snapshot yet, with status saying why).

    `lang` is the post's language (BCP 47; a bilingual post's languages in order, "cy, en", as
    HTTP's Content-Language lists them) and `unit` the key of the pair it belongs to, or its own
    key when it goes out alone, so analysts can group a pair's posts by one column. `texts` (each
    language's text) and `position` (its place in the pair) serve the pages, not the exports.
    """

    campaign: str
    post_key: str
    day: date
    weekday: str
    theme: str
    channel: str
    platform: str
    state: str
    scheduled_at: datetime
    published_at: datetime | None
    platform_post_id: str | None
    snapshot: str | None  # the offset label, "on-demand", or None
    collected_at: datetime | None
    hours_since_published: float | None
    status: str  # ok | deleted | unreachable | no snapshot yet | not published (<state>)
    impressions: int | None
    engagements: int | None
    engagement_rate: float | None
    link_clicks: int | None
    shares: int | None
    unavailable: str  # metric names the platform refused or no longer offers
    api_version: str
    text: str
    lang: str = ""  # "" only for a row built by hand without one
    unit: str = ""
    texts: tuple[LangText, ...] = ()
    position: int = 0

    @property
    def unit_key(self) -> str:
        """The unit this post is reported in: its pair's key, or its own."""
        return self.unit or self.post_key

    @property
    def languages(self) -> tuple[str, ...]:
        """Its texts' languages, in order (() when not known)."""
        if self.texts:
            return tuple(text.lang for text in self.texts)
        return tuple(tag.strip() for tag in self.lang.split(",") if tag.strip())

    @property
    def shown_texts(self) -> tuple[LangText, ...]:
        """Each language's text to show (the whole text, language unknown, for a row without)."""
        return self.texts or (LangText(self.lang if "," not in self.lang else "", self.text),)

    def as_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in EXPORTED}
        for name, value in data.items():
            if isinstance(value, date | datetime):
                data[name] = value.isoformat()
        return data


# The columns of the exports: every field but those only pages need.
EXPORTED = tuple(f.name for f in fields(Row) if f.name not in ("texts", "position"))


@dataclass(frozen=True)
class Source:
    """What a dataset needs of its campaign besides the stored posts: its names, dates and zone,
    and which Facebook metrics it counts as impressions and clicks. Built from the config when
    there is one, or from the stored campaign, so any campaign in the database can be reported
    on (and compared) with the same definitions."""

    slug: str
    name: str
    timezone: str
    start: date
    end: date
    metrics: Metrics
    language: str = DEFAULT_LANGUAGE  # of the posts written in one language
    order: tuple[str, ...] = ()  # `[languages] order`: how its languages are listed

    @classmethod
    def of_config(cls, config: CampaignConfig) -> Source:
        info = config.campaign
        order = config.languages.order if config.languages else ()
        return cls(
            info.slug, info.name, info.timezone, info.start, info.end, config.metrics,
            info.language, order,
        )  # fmt: skip

    @classmethod
    def of_row(cls, row: CampaignRow) -> Source:
        """A stored campaign, read with the metric names and languages it was planned with
        (the defaults for one planned before they were stored)."""
        metrics = Metrics.model_validate((row.settings or {}).get("metrics", {}))
        planned = row.source or {}
        language = (planned.get("campaign") or {}).get("language") or DEFAULT_LANGUAGE
        order = tuple((planned.get("languages") or {}).get("order") or ())
        return cls(row.slug, row.name, row.timezone, row.start, row.end, metrics, language, order)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass
class Dataset:
    campaign: str
    timezone: str
    rows: list[Row] = field(default_factory=list)
    source: Source | None = None  # the campaign it was loaded from (None: built by hand)

    @property
    def latest(self) -> list[Row]:
        """Each post's most recent row: what the totals are built from."""
        latest: dict[str, Row] = {}
        for row in self.rows:
            current = latest.get(row.post_key)
            if current is None or (
                row.collected_at
                and (current.collected_at is None or row.collected_at > current.collected_at)
            ):
                latest[row.post_key] = row
        return sorted(latest.values(), key=lambda r: (r.scheduled_at, r.post_key))

    @property
    def missing(self) -> list[str]:
        """What the report cannot show, in words."""
        notes = []
        for row in self.latest:
            if row.status != "ok":
                notes.append(f"{row.post_key}: {row.status}")
            elif row.unavailable:
                notes.append(f"{row.post_key}: unavailable: {row.unavailable}")
        return notes


def load_dataset(store: Store, config: CampaignConfig) -> Dataset:
    """The configured campaign's dataset."""
    return load_source(store, Source.of_config(config))


def load_campaign(store: Store, slug: str) -> Dataset:
    """Any stored campaign's dataset, by slug, without its config; an unknown slug is bad input
    that lists the campaigns there are."""
    stored = {row.slug: row for row in store.campaigns()}
    if slug not in stored:
        raise CampaignNotFound(slug, stored)
    return load_source(store, Source.of_row(stored[slug]))


def load_source(store: Store, source: Source) -> Dataset:
    posts, snapshots = store.posts_and_snapshots(source.slug)
    return build_dataset(source, posts, snapshots)


def build_dataset(
    source: Source, posts: list[PostRow], snapshots: list[MetricSnapshotRow]
) -> Dataset:
    """Rows for these posts and snapshots: each snapshot a row, a post with none one row."""
    dataset = Dataset(source.name, source.timezone, source=source)
    by_post: dict[int, list[MetricSnapshotRow]] = {}
    for snap in snapshots:
        by_post.setdefault(snap.post_id, []).append(snap)
    for post in posts:
        taken = by_post.get(post.id, [])
        if not taken:
            dataset.rows.append(_row(source, post, None))
        dataset.rows.extend(_row(source, post, snap) for snap in taken)
    return dataset


def normalise(platform: str, values: dict[str, int], metrics: Metrics) -> dict[str, Any]:
    """Comparable metrics from a platform's own names (see DEFINITIONS)."""
    get = values.get
    if platform not in ("x", "facebook"):
        return _mapped(facts(platform).metric_map, values)
    if platform == "x":
        clicks = [
            get("non_public_metrics.url_link_clicks"),
            get("non_public_metrics.user_profile_clicks"),
        ]
        public = [
            get(k)
            for k in ("like_count", "retweet_count", "reply_count", "quote_count", "bookmark_count")
        ]
        impressions = get("impression_count")
        link_clicks = get("non_public_metrics.url_link_clicks")
        shares = _sum([get("retweet_count"), get("quote_count")])
        engagements = _sum(public + [c for c in clicks if c is not None])
    else:
        impressions = get(metrics.facebook_impressions)
        link_clicks = get(metrics.facebook_clicks)
        shares = get("shares")
        engagements = _sum([get("reactions"), get("comments"), get("shares"), link_clicks or 0])
    rate = (
        round(100 * engagements / impressions, 2)
        if engagements is not None and impressions
        else None
    )
    return {
        "impressions": impressions,
        "engagements": engagements,
        "engagement_rate": rate,
        "link_clicks": link_clicks,
        "shares": shares,
    }


def _mapped(names: Mapping[str, tuple[str, ...]], values: dict[str, int]) -> dict[str, Any]:
    """Comparable metrics summed from the platform's own names; unavailable stays None."""
    found: dict[str, Any] = {
        metric: _sum([values.get(name) for name in names.get(metric, ())])
        for metric in ("impressions", "engagements", "link_clicks", "shares")
    }
    impressions, engagements = found["impressions"], found["engagements"]
    found["engagement_rate"] = (
        round(100 * engagements / impressions, 2)
        if engagements is not None and impressions
        else None
    )
    return found


def _sum(parts: list[int | None]) -> int | None:
    known = [p for p in parts if p is not None]
    return sum(known) if known else None


def _row(source: Source, post: PostRow, snap: MetricSnapshotRow | None) -> Row:
    zone = source.zone
    local_day = post.scheduled_at.astimezone(zone)
    if snap is None:
        if post.state == PostState.PUBLISHED:
            status = "no snapshot yet"
        elif post.state in LOUD_THREAD_STATES:
            status = f"partly published ({post.state}: {progress(post)}); not measured"
        else:
            status = f"not published ({post.state})"
        metrics: dict[str, Any] = dict.fromkeys(METRICS)
    else:
        status = snap.status
        metrics = (
            normalise(post.account.platform, snap.values, source.metrics)
            if status == "ok"
            else dict.fromkeys(METRICS)
        )
    variants = stored_variants(post.variants)
    texts = tuple(LangText(v.lang, THREAD_PART_BREAK.join(v.parts)) for v in variants) or (
        LangText(source.language, THREAD_PART_BREAK.join(post.parts)),
    )
    hours = None
    if snap is not None and post.published_at is not None:
        hours = round((snap.collected_at - post.published_at).total_seconds() / 3600, 2)
    return Row(
        campaign=source.slug,
        post_key=post.key,
        day=post.day,
        weekday=weekday(local_day),
        theme=post.theme,
        channel=post.channel,
        platform=post.account.platform,
        state=str(post.state),
        scheduled_at=post.scheduled_at,
        published_at=post.published_at,
        platform_post_id=post.platform_post_id,
        snapshot=snap.offset if snap else None,
        collected_at=snap.collected_at if snap else None,
        hours_since_published=hours,
        status=status,
        unavailable=", ".join(sorted(snap.unavailable)) if snap else "",
        api_version=snap.api_version if snap else "",
        text=THREAD_PART_BREAK.join(post.parts),
        lang=", ".join(text.lang for text in texts),
        unit=post.unit_key or post.key,
        texts=texts,
        position=post.unit_position,
        **metrics,
    )
