"""Summary rules analysts rely on: honest rates, partial totals said out loud, no overlap."""

from __future__ import annotations

from datetime import UTC, date, datetime

from campaign.report.dataset import Dataset, Row
from campaign.report.summary import summarise


def _row(
    key: str,
    channel: str,
    impressions: int | None,
    engagements: int | None,
    link_clicks: int | None = 1,
) -> Row:
    at = datetime(2020, 4, 20, 9, tzinfo=UTC)
    rate = round(100 * engagements / impressions, 2) if impressions and engagements else None
    return Row(
        campaign="c",
        post_key=key,
        day=date(2020, 4, 20),
        weekday="Monday",
        theme="T",
        channel=channel,
        platform=channel,
        state="published",
        scheduled_at=at,
        published_at=at,
        platform_post_id=key,
        snapshot="24h",
        collected_at=at,
        hours_since_published=24.0,
        status="ok",
        impressions=impressions,
        engagements=engagements,
        engagement_rate=rate,
        link_clicks=link_clicks,
        shares=0,
        unavailable="" if impressions is not None else "post_media_view",
        api_version="",
        text=key,
    )


def test_rate_uses_only_posts_with_both_impressions_and_engagements():
    rows = [_row("a", "x", 1000, 50), _row("b", "facebook", None, 500)]
    summary = summarise(Dataset("c", "Europe/London", rows))
    assert summary.campaign.engagements == 550  # the total still counts every engagement
    assert summary.campaign.engagement_rate == 5.0  # but the rate is 50 / 1000, not 550 / 1000
    assert any(n.startswith("impressions: measured on 1 of 2 posts") for n in summary.missing)


def test_top_and_bottom_never_list_the_same_post():
    rows = [_row(k, "x", 1000, e) for k, e in zip("abcd", (10, 20, 30, 40), strict=True)]
    summary = summarise(Dataset("c", "Europe/London", rows))
    top = {r.post_key for r in summary.top}
    bottom = {r.post_key for r in summary.bottom}
    assert top == {"d", "c", "b"} and bottom == {"a"} and not top & bottom


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_defused():
    import csv
    import dataclasses

    from campaign.report.export import rows_csv

    row = dataclasses.replace(_row("a", "x", 1000, 50), text='=HYPERLINK("http://evil")')
    [parsed] = list(csv.DictReader(rows_csv(Dataset("c", "Europe/London", [row])).splitlines()))
    assert parsed["text"] == '\'=HYPERLINK("http://evil")' and parsed["impressions"] == "1000"
