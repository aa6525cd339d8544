"""Reports across the campaigns of one database: a campaign beside last year's, by campaign day
and platform with the report's own definitions, and engagement per account over every campaign.

Real SQLite; both campaigns planned, approved and published through the store's daemon API, and
snapshots written through `store.publishing.save_snapshots`, as the metrics collector does.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta

import pytest

from campaign.clock import ManualClock
from campaign.config import CampaignConfig, load_config
from campaign.planning import store_plan
from campaign.report.accounts import engagement_by_account
from campaign.report.compare import compare
from campaign.report.dataset import load_campaign, load_dataset
from campaign.store import Store
from campaign.store.daemon_api import Published, Snapshot

THIS = "stalking-awareness-week-2020"
LAST = "stalking-awareness-week-2019"
LAST_YEAR = timedelta(days=-364)  # the same weekday a year before: Mon 22 Apr 2019

# One snapshot per post, the same for every post of a platform in a campaign.
X_2020 = {"impression_count": 1000, "like_count": 40, "retweet_count": 5, "reply_count": 3,
          "quote_count": 2, "bookmark_count": 0}  # fmt: skip  # engagements 50, rate 5 %
FB_2020 = {"post_media_view": 2000, "reactions": 60, "comments": 10, "shares": 10,
           "post_clicks": 20}  # fmt: skip  # engagements 100, rate 5 %
X_2019 = {"impression_count": 500, "like_count": 45, "retweet_count": 5, "reply_count": 0,
          "quote_count": 0, "bookmark_count": 0}  # fmt: skip  # engagements 50, rate 10 %
FB_2019 = {"reactions": 30, "comments": 5, "shares": 5, "post_clicks": 10}  # no views: unavailable


def _x_and_facebook(config: CampaignConfig) -> CampaignConfig:
    """The shipped week's X and Facebook posts only: these reports' figures are built on them."""
    week = tuple(
        day.model_copy(
            update={
                "posts": tuple(
                    p for p in day.posts if config.accounts[p.channel].platform in ("x", "facebook")
                )
            }
        )
        for day in config.days
    )
    return config.model_copy(update={"days": week})


def _last_year(config: CampaignConfig, *, days: int, handle: str | None = None) -> CampaignConfig:
    """The same week a year before, `days` long, optionally on another X account."""
    info = config.campaign.model_copy(
        update={
            "slug": LAST,
            "name": "Stalking Awareness Week 2019",
            "start": config.campaign.start + LAST_YEAR,
            "end": config.campaign.start + LAST_YEAR + timedelta(days=days - 1),
        }
    )
    week = tuple(day.model_copy(update={"date": day.date + LAST_YEAR}) for day in config.days)
    accounts = dict(config.accounts)
    if handle:
        accounts["x"] = accounts["x"].model_copy(update={"handle": handle})
    return config.model_copy(update={"campaign": info, "days": week[:days], "accounts": accounts})


def _publish_and_measure(store: Store, slug: str, values: dict[str, dict[str, int]]) -> None:
    """Publish every post at its time and take one 24h snapshot of each."""
    api = store.publishing
    store.approve(slug, "inspector")
    scope = api.campaign_id(slug)
    end = datetime(2022, 1, 1, tzinfo=UTC)  # after every campaign here
    api.schedule_approved(end, scope=scope)
    claimed = api.acquire_due("d1", end, 100, scope=scope)
    api.record_outcomes(
        "d1", [Published(p.id, (f"{slug}-{p.id}",), None, p.scheduled_at) for p in claimed]
    )
    snapshots = []
    for post in store.posts(slug):
        assert post.published_at is not None
        taken = values[post.account.platform]
        has_views = "post_media_view" in taken or "impression_count" in taken
        refused = {} if has_views else {"post_media_view": "no longer offered"}
        at = post.published_at + timedelta(hours=24)
        snapshots.append(
            Snapshot(
                post.id,
                post.platform_post_id or "",
                at,
                "24h",
                "ok",
                "2",
                tuple(taken),
                dict(taken),
                refused,
            )
        )
    api.save_snapshots(snapshots)


@pytest.fixture
def two_years(campaign_dir) -> tuple[CampaignConfig, Store]:
    """This year's week (7 days) and a 5-day week the year before, on the same accounts."""
    config = _x_and_facebook(load_config(campaign_dir / "config.toml"))
    store = Store.open(config.database_url(), ManualClock(datetime(2020, 5, 1, tzinfo=UTC)))
    for each in (_last_year(config, days=5), config):
        store_plan(each, store, "officer")
    _publish_and_measure(store, THIS, {"x": X_2020, "facebook": FB_2020})
    _publish_and_measure(store, LAST, {"x": X_2019, "facebook": FB_2019})
    yield config, store
    store.engine.dispose()


def test_a_campaign_beside_last_year_by_campaign_day_and_platform(two_years):
    config, store = two_years
    comparison = compare(load_dataset(store, config), load_campaign(store, LAST))
    assert (comparison.this.days, comparison.other.days) == (7, 5)

    overall = comparison.overall
    assert (overall.this.posts, overall.other.posts) == (14, 10)
    assert overall.this.engagements == 7 * 50 + 7 * 100
    assert overall.other.engagements == 5 * 50 + 5 * 50
    # Rates over the posts with both numbers only: 2019's Facebook posts have no impressions.
    assert (overall.this.engagement_rate, overall.other.engagement_rate) == (5.0, 10.0)
    assert overall.change("engagement_rate") == -5.0  # percentage points
    assert overall.change("engagements") == round(100 * (1050 - 500) / 500, 1)
    # 2019's impressions cover its X posts only: a change against 2020's X and Facebook would
    # compare unlike sets of posts, so none is given.
    assert overall.this.impressions == 21000 and overall.other.impressions == 2500
    assert overall.change("impressions") is None

    days = {pair.label: pair for pair in comparison.by_day}
    assert list(days) == [f"Day {n}" for n in range(1, 8)]
    assert (days["Day 1"].this_date.isoformat(), days["Day 1"].other_date.isoformat()) == (
        "2020-04-20",
        "2019-04-22",
    )
    day_six = days["Day 6"]  # after the shorter campaign's end: no posts, nothing made up
    assert day_six.other_date is None and day_six.other.posts == 0
    assert day_six.other.engagements is None and day_six.change("engagements") is None

    platforms = {pair.label: pair for pair in comparison.by_platform}
    assert list(platforms) == ["facebook", "x"]
    facebook = platforms["facebook"]
    assert facebook.other.impressions is None  # unavailable, never 0
    assert facebook.other.engagement_rate is None and facebook.change("impressions") is None
    assert facebook.this.impressions == 7 * 2000
    assert platforms["x"].change("engagement_rate") == 5.0 - 10.0
    notes = " ".join(comparison.notes)
    assert "by campaign day" in notes and "differ in length" in notes
    assert "impressions: measured on 0 of 10 posts" not in notes  # per platform, not a sum
    assert "Stalking Awareness Week 2019: impressions: measured on 5 of 10 posts" in notes
    assert "no change is given for it" in notes


def test_compare_from_the_command_line_in_every_format(two_years, run, campaign_dir):
    result = run("report", "--compare", LAST, "--format", "json", "-o", "-")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["this"]["slug"], data["other"]["slug"]) == (THIS, LAST)
    assert data["definitions"]["engagement_rate"].startswith("engagements ÷ impressions")
    day_six = data["by_day"][5]
    assert day_six["group"] == "Day 6" and day_six["other"]["impressions"] is None
    assert day_six["other"]["posts"] == 0 and day_six["change"]["engagements"] is None
    [facebook] = [p for p in data["by_platform"] if p["group"] == "facebook"]
    assert facebook["other"]["impressions"] is None and facebook["this"]["impressions"] == 14000

    result = run("report", "--compare", LAST, "--format", "csv", "-o", "-")
    rows = list(csv.DictReader(result.output.splitlines()))
    assert len(rows) == 2 * (1 + 7 + 2)  # both campaigns, for the campaign, 7 days, 2 platforms
    fb_2019 = next(r for r in rows if r["group"] == "facebook" and r["campaign"] == LAST)
    assert fb_2019["impressions"] == "" and fb_2019["engagements"] == "250"
    day_one = [r for r in rows if r["section"] == "day" and r["group"] == "Day 1"]
    assert [r["date"] for r in day_one] == ["2020-04-20", "2019-04-22"]

    result = run("report", "--compare", LAST)
    assert result.exit_code == 0
    for words in ("By campaign day", "By platform", "after its last day", "no posts", "-5.00 pts"):
        assert words in result.output

    result = run("report", "--compare", LAST, "--format", "html")
    target = campaign_dir / "build" / f"report-vs-{LAST}.html"
    assert result.exit_code == 0 and str(target) in result.output.replace("\n", "")
    page = target.read_text(encoding="utf-8")
    assert "Stalking Awareness Week 2019" in page and "after its last day" in page
    assert page.count('role="img"') == 4  # engagement and rate, by day and by platform
    assert (  # each chart in words, for screen readers
        "Bar chart of engagement rate by campaign day, Stalking Awareness Week 2020 beside "
        "Stalking Awareness Week 2019: Day 1 5.00 % and 10.00 %; "
    ) in page
    assert "Day 6 5.00 % and no posts" in page
    by_platform = page.split('id="table-platform"', 1)[1]
    # 2019's Facebook views and so its rate; X link clicks (no private metrics) in both years
    assert by_platform.count('<span class="na">unavailable</span>') == 4


def test_comparing_with_a_campaign_not_in_the_database_is_bad_input(two_years, run):
    result = run("report", "--compare", "stalking-awareness-week-2018")
    assert result.exit_code == 2
    assert "no campaign 'stalking-awareness-week-2018' in the database" in result.output
    assert LAST in result.output and "Traceback" not in result.output
    result = run("report", "--compare", THIS)
    assert result.exit_code == 2 and "compare it with another one" in result.output
    result = run("report", "--compare", LAST, "--by-account")
    assert result.exit_code == 2 and "give one of them" in result.output


def test_engagement_per_account_over_every_campaign(campaign_dir, run):
    """Two campaigns on the same Facebook page and different X accounts: the page is one
    account with both campaigns' posts; each X account has its own."""
    config = _x_and_facebook(load_config(campaign_dir / "config.toml"))
    store = Store.open(config.database_url(), ManualClock(datetime(2020, 5, 1, tzinfo=UTC)))
    store_plan(_last_year(config, days=5, handle="@DerbysPoliceOld"), store, "officer")
    store_plan(config, store, "officer")
    _publish_and_measure(store, THIS, {"x": X_2020, "facebook": FB_2020})
    _publish_and_measure(store, LAST, {"x": X_2019, "facebook": FB_2019})

    accounts = {a.name + " " + a.identity.split(":", 1)[1]: a for a in engagement_by_account(store)}
    assert len(accounts) == 3
    [page] = [a for a in accounts.values() if a.platform == "facebook"]
    assert (page.total.posts, page.total.engagements) == (12, 7 * 100 + 5 * 50)
    assert [(s.slug, s.totals.posts) for s in page.campaigns] == [(LAST, 5), (THIS, 7)]
    assert page.total.impressions == 7 * 2000  # 2019's are unavailable: summed over 2020's only
    assert page.total.engagement_rate == 5.0  # and the rate over posts with both
    assert any("impressions: measured on 7 of 12 posts" in note for note in page.notes)
    x_accounts = sorted((a.identity, a.total.posts) for a in accounts.values() if a.platform == "x")
    assert x_accounts == [("x:@derbyshirepolice", 7), ("x:@derbyspoliceold", 5)]
    store.engine.dispose()

    result = run("report", "--by-account", "--format", "csv", "-o", "-")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.output.splitlines()))
    page_rows = [r for r in rows if r["platform"] == "facebook"]
    assert [(r["campaign"], r["posts"], r["impressions"]) for r in page_rows] == [
        ("all", "12", "14000"),
        (LAST, "5", ""),
        (THIS, "7", "14000"),
    ]
    data = json.loads(run("report", "--by-account", "--format", "json", "-o", "-").output)
    assert len(data["accounts"]) == 3 and "engagement_rate" in data["definitions"]
    result = run("report", "--by-account")
    assert "x:@derbyspoliceold" in result.output and "all campaigns" in result.output
    assert run("report", "--by-account", "--format", "html").exit_code == 0
    page_html = (campaign_dir / "build" / "accounts.html").read_text(encoding="utf-8")
    assert "Stalking Awareness Week 2019" in page_html and "14,000" in page_html


def test_each_campaign_is_read_with_the_metric_names_it_was_planned_with(campaign_dir, run):
    """Meta renamed Facebook's impressions (post_impressions, then post_media_view): last
    year's campaign is read with its own stored name, and the comparison says they differ."""
    config = _x_and_facebook(load_config(campaign_dir / "config.toml"))
    store = Store.open(config.database_url(), ManualClock(datetime(2020, 5, 1, tzinfo=UTC)))
    older = _last_year(config, days=5)
    metrics = older.metrics.model_copy(update={"facebook_impressions": "post_impressions"})
    store_plan(older.model_copy(update={"metrics": metrics}), store, "officer")
    store_plan(config, store, "officer")
    _publish_and_measure(store, THIS, {"x": X_2020, "facebook": FB_2020})
    _publish_and_measure(
        store, LAST, {"x": X_2019, "facebook": FB_2019 | {"post_impressions": 1000}}
    )
    store.engine.dispose()

    data = json.loads(run("report", "--compare", LAST, "--format", "json", "-o", "-").output)
    [facebook] = [pair for pair in data["by_platform"] if pair["group"] == "facebook"]
    assert facebook["other"]["impressions"] == 5 * 1000
    assert facebook["other"]["engagement_rate"] == 5.0  # 250 of 5,000
    assert any(
        "'post_media_view' in Stalking Awareness Week 2020 and 'post_impressions' in" in note
        for note in data["notes"]
    )
    rows = csv.DictReader(
        run("report", "--by-account", "--format", "csv", "-o", "-").output.splitlines()
    )
    page = next(row for row in rows if row["platform"] == "facebook" and row["campaign"] == "all")
    assert page["impressions"] == str(7 * 2000 + 5 * 1000)


def test_an_account_is_one_account_whatever_key_each_campaign_gives_it(
    campaign_dir, another_campaign, run
):
    """Next year's campaign calls the X account "twitter": its posts still add to the same
    account as this year's "x" posts, in the terminal and in the exports."""
    path = another_campaign("stalking-awareness-week-2021", name="Stalking Awareness Week 2021")
    text = path.read_text(encoding="utf-8")
    for old, new in (
        ("[accounts.x]", "[accounts.twitter]"),
        ("[accounts.x.credentials]", "[accounts.twitter.credentials]"),
        ('channel = "x"', 'channel = "twitter"'),
    ):
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    config = _x_and_facebook(load_config(campaign_dir / "config.toml"))
    store = Store.open(config.database_url(), ManualClock(datetime(2020, 5, 1, tzinfo=UTC)))
    store_plan(config, store, "officer")
    store_plan(_x_and_facebook(load_config(path)), store, "officer")
    _publish_and_measure(store, THIS, {"x": X_2020, "facebook": FB_2020})
    _publish_and_measure(store, "stalking-awareness-week-2021", {"x": X_2019, "facebook": FB_2020})
    [x_account] = [a for a in engagement_by_account(store) if a.platform == "x"]
    store.engine.dispose()
    assert x_account.identity == "x:@derbyshirepolice"
    assert x_account.total.posts == 14 and x_account.total.engagements == 7 * 50 + 7 * 50
    assert [s.totals.posts for s in x_account.campaigns] == [7, 7]

    data = json.loads(run("report", "--by-account", "--format", "json", "-o", "-").output)
    assert [a["account"] for a in data["accounts"]] == [
        "facebook:104857361209584",
        "x:@derbyshirepolice",
    ]
    assert [c["campaign"] for c in data["accounts"][1]["campaigns"]] == [
        THIS,
        "stalking-awareness-week-2021",
    ]
