"""Metrics through the real clients against the sandbox, whose numbers grow deterministically:
snapshots at the configured offsets, batched reads, report totals equal to the sandbox's own
numbers, and unavailable metrics reported as unavailable (never 0).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import select

from campaign.report.dataset import load_dataset
from campaign.report.summary import summarise
from scheduler.sandbox import facebook_metrics, x_metrics

WEEK_SLUG = "stalking-awareness-week-2020"


def _expected_latest(week, dataset) -> dict[str, int]:
    """Totals computed straight from the sandbox's engagement functions, by our definitions."""
    seed = week.sandbox.settings.seed
    tweets = {t.id: t for t in week.sandbox.x.tweets}
    pages = {p.id: p for p in week.sandbox.facebook.posts}
    totals: Counter[str] = Counter()
    for row in dataset.latest:
        if row.platform == "x":
            tweet = tweets[row.platform_post_id]
            m = x_metrics(seed, tweet.id, row.collected_at - tweet.created_at)
            public, private = m["public_metrics"], m["non_public_metrics"]
            totals["impressions"] += public["impression_count"]
            totals["engagements"] += sum(
                public[k]
                for k in (
                    "like_count",
                    "retweet_count",
                    "reply_count",
                    "quote_count",
                    "bookmark_count",
                )
            )
            totals["engagements"] += private["url_link_clicks"] + private["user_profile_clicks"]
            totals["link_clicks"] += private["url_link_clicks"]
            totals["shares"] += public["retweet_count"] + public["quote_count"]
        elif row.platform == "facebook":
            post = pages[row.platform_post_id]
            m = facebook_metrics(seed, post.id, row.collected_at - post.created_at)
            totals["impressions"] += m["post_media_view"]
            totals["engagements"] += m["reactions"] + m["comments"] + m["shares"] + m["post_clicks"]
            totals["link_clicks"] += m["post_clicks"]
            totals["shares"] += m["shares"]
    return totals


def test_snapshots_at_each_offset_and_totals_equal_the_sandbox_numbers(week_factory):
    week = week_factory()
    week.store.approve(WEEK_SLUG, "inspector")
    week.run(week.daemon())
    dataset = load_dataset(week.store, week.config)
    by_post: dict[str, list] = {}
    for row in dataset.rows:
        by_post.setdefault(row.post_key, []).append(row)
    assert len(by_post) == 23
    for rows in by_post.values():
        assert [r.snapshot for r in rows] == ["1h", "24h", "72h", "7d"]
        assert [r.hours_since_published for r in rows] == [1, 24, 72, 168]
        engagements = [r.engagements for r in rows]
        assert engagements == sorted(engagements) and engagements[-1] > 0  # growth, never down
    summary = summarise(dataset)
    # X's and Facebook's totals, straight from the sandbox's engagement functions (the later
    # platforms' figures are checked against their doubles in tests/platforms/).
    expected = _expected_latest(week, dataset)
    channels = [t for t in summary.by_channel if t.label in ("x", "facebook")]
    assert len(channels) == 2
    for name in ("impressions", "engagements", "link_clicks", "shares"):
        assert sum(getattr(t, name) for t in channels) == expected[name], name
    total = summary.campaign
    assert sum(t.engagements for t in summary.by_channel) == total.engagements
    # Only what a platform does not count is missing: Bluesky's and Mastodon's views.
    viewless = {"bluesky", "mastodon"}
    assert sorted(dataset.missing) == sorted(
        f"{key}: unavailable: views"
        for key, rows in by_post.items()
        if rows[0].platform in viewless
    )


def test_a_sweep_reads_in_batches_not_one_call_per_post(week_factory):
    week = week_factory()
    week.store.approve(WEEK_SLUG, "inspector")
    daemon = week.daemon()
    week.run(daemon, until=datetime(2020, 4, 28, tzinfo=UTC))
    x_before = len(week.sandbox.x.requests)
    fb_before = len(week.sandbox.facebook.requests)
    report = daemon.metrics.collect_now()
    assert report.snapshots == 23
    x_calls = [r for r in week.sandbox.x.requests[x_before:] if r.path.startswith("/2/tweets")]
    fb_calls = week.sandbox.facebook.requests[fb_before:]
    assert len(x_calls) == 1 and len(fb_calls) == 1  # 7 posts each: one batch per platform


def test_unavailable_metrics_are_reported_as_unavailable_not_zero(week_factory):
    week = week_factory(private_metrics_days=0)  # X refuses private metrics (link clicks)
    metrics = week.config.metrics.model_copy(
        update={"facebook": ("post_media_view", "post_impressions", "post_clicks")}
    )  # one retired name
    week.config = week.config.model_copy(update={"metrics": metrics})
    week.store.approve(WEEK_SLUG, "inspector", keys=["2020-04-20-x", "2020-04-20-facebook"])
    week.run(week.daemon())
    dataset = load_dataset(week.store, week.config)
    latest = {row.post_key: row for row in dataset.latest}
    x, facebook = latest["2020-04-20-x"], latest["2020-04-20-facebook"]
    assert x.link_clicks is None and "non_public_metrics" in x.unavailable
    assert x.impressions and x.engagements  # public metrics still there
    assert "post_impressions" in facebook.unavailable and facebook.impressions
    assert latest["2020-04-21-x"].status == "not published (draft)"
    summary = summarise(dataset)
    [x_total] = [t for t in summary.by_channel if t.label == "x"]
    assert x_total.link_clicks is None  # unavailable, not 0
    assert any("unavailable" in note for note in dataset.missing)
    assert any("not published" in note for note in dataset.missing)


def test_report_exports_and_audit_through_the_cli(week_factory, tmp_path, monkeypatch):
    import csv
    import json

    from campaign.cli import main

    week = week_factory()
    week.store.approve(WEEK_SLUG, "inspector")
    week.run(week.daemon())
    config_path = tmp_path / "report-config.toml"
    config_path.write_text(week.config_path.read_text())
    (tmp_path / "posts").symlink_to(week.config_path.parent / "posts")
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", str(week.store.engine.url))
    runner = CliRunner()
    terminal = runner.invoke(main, ["report", "--config", str(config_path)])
    assert terminal.exit_code == 0, terminal.output
    assert "Engagement" in terminal.output and "2020-04-20-x" in terminal.output
    out = runner.invoke(
        main, ["report", "--config", str(config_path), "--format", "csv", "--output", "-"]
    )
    rows = list(csv.DictReader(out.output.splitlines()))
    assert len(rows) == 92 and {r["snapshot"] for r in rows} == {"1h", "24h", "72h", "7d"}
    data = json.loads(
        runner.invoke(
            main, ["report", "--config", str(config_path), "--format", "json", "--output", "-"]
        ).output
    )
    assert len(data["rows"]) == 92 and "engagement_rate" in data["definitions"]
    target = tmp_path / "audit.csv"
    result = runner.invoke(main, ["audit", "--config", str(config_path), "--export", str(target)])
    assert result.exit_code == 0
    audit = list(csv.DictReader(target.read_text().splitlines()))
    published = [a for a in audit if a["action"] == "published"]
    assert len(published) == 23 and all(a["platform_id"] for a in published)
    assert {a["action"] for a in audit} >= {"planned", "approved", "scheduled", "claimed"}


def _published_on_facebook(week, count: int, at: datetime) -> list[int]:
    """`count` Page posts published at `at`: on the sandbox and in the store."""
    from sqlalchemy import insert

    from campaign.store import PostRow, PostState

    page_id = week.config.accounts["facebook"].page_id
    [source] = week.store.posts(WEEK_SLUG, keys=["2020-04-20-facebook"])
    rows = []
    for n in range(count):
        platform_id = week.sandbox.facebook.add_post(page_id, f"post {n}", created_at=at).id
        rows.append(
            {
                "campaign_id": source.campaign_id,
                "account_id": source.account_id,
                "channel": source.channel,
                "key": f"bulk-{n:04d}",
                "day": source.day,
                "day_slug": source.day_slug,
                "theme": source.theme,
                "template": source.template,
                "scheduled_at": at,
                "parts": [f"post {n}"],
                "media": [],
                "content_hash": "h",
                "approved_hash": "h",
                "state": PostState.PUBLISHED,
                "attempts": 1,
                "updated_at": at,
                "published_at": at,
                "platform_post_id": platform_id,
                "platform_part_ids": [platform_id],
                "in_doubt": False,
            }
        )
    with week.store.transaction() as session:
        session.execute(insert(PostRow), rows)
    return [row["platform_post_id"] for row in rows]


def test_a_page_call_limit_part_way_keeps_every_batch_read_and_continues_after_the_reset(
    week_factory,
):
    from campaign.store.models import MetricSnapshotRow

    # Graph counts each operation of a batch as a call: two batches of 50 fill this Page's hour.
    week = week_factory(graph_calls_per_hour=100)
    published = datetime(2020, 4, 20, 9, tzinfo=UTC)
    _published_on_facebook(week, 230, published)
    week.clock.set(published + timedelta(hours=1, minutes=5))
    daemon = week.daemon()

    first = daemon.metrics.collect_due()

    assert first.snapshots == 100  # batches 1 and 2; the third hit the limit
    reset = first.retry_at["facebook"]
    assert reset > week.clock.now() and "130 post(s) not read" in first.skipped_accounts["facebook"]
    assert daemon.metrics.next_due() >= reset
    calls = len(week.sandbox.facebook.requests)
    assert daemon.metrics.collect_due().snapshots == 0  # before the reset: no call at all
    assert len(week.sandbox.facebook.requests) == calls

    for expected in (100, 30):  # one hour's calls after each reset
        week.clock.set(daemon.metrics.next_due())
        assert daemon.metrics.collect_due().snapshots == expected

    with week.store.transaction() as session:
        snapshots = session.scalars(select(MetricSnapshotRow)).all()
        per_post = Counter(s.post_id for s in snapshots)
    assert len(per_post) == 230 and set(per_post.values()) == {1}  # all read, none twice
    assert {(s.status, s.offset) for s in snapshots} == {("ok", "1h")}
