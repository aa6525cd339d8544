"""The analysts' report on a campaign in Welsh and English: a pair's posts (one per language on
separate accounts) reported together as one unit and per language; a bilingual post as one post
in "Cymraeg + English"; `lang` and `unit` in the exports; each text marked with its `lang`.

Real SQLite: the sample day (tests/campaign/languages_sample: X as a pair of accounts, Facebook
as one bilingual post) with one English-only Facebook post added, planned, approved and published
through the store's daemon API, and snapshots written as the metrics collector writes them.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import main
from campaign.clock import ManualClock
from campaign.config import CampaignConfig, load_config
from campaign.render import render_plan
from campaign.report.dataset import Dataset, Row, load_campaign, load_dataset
from campaign.report.export import rows_csv, rows_json
from campaign.report.html import render_report_html
from campaign.report.summary import summarise
from campaign.store import Store
from campaign.store.daemon_api import Published, Snapshot
from tests.campaign.test_report_html import Page, row

SAMPLE = Path(__file__).parent / "languages_sample"
SLUG = "hate-crime-awareness-week-2026"
PAIR, FB, FB_EN = "2026-10-12-x", "2026-10-12-facebook", "2026-10-12-facebook-english"

# The Welsh X post's token may not read link clicks; the English one's may.
X_CY = {"impression_count": 400, "like_count": 20, "retweet_count": 3, "reply_count": 1,
        "quote_count": 1, "bookmark_count": 0}  # fmt: skip  # engagements 25, shares 4
X_EN = {"impression_count": 1000, "like_count": 40, "retweet_count": 5, "reply_count": 3,
        "quote_count": 2, "bookmark_count": 0, "non_public_metrics.url_link_clicks": 7,
        "non_public_metrics.user_profile_clicks": 3}  # fmt: skip  # engagements 60, shares 7
FB_BOTH = {"post_media_view": 2000, "reactions": 60, "comments": 10, "shares": 10,
           "post_clicks": 20}  # fmt: skip  # engagements 100
FB_ENGLISH = {"post_media_view": 500, "reactions": 5, "comments": 0, "shares": 1,
              "post_clicks": 4}  # fmt: skip  # engagements 10
REFUSED = {"non_public_metrics.url_link_clicks": "needs user-context auth"}


def sample_week(tmp_path: Path) -> Path:
    """The sample copied, with an English-only Facebook post (one template: the campaign's
    language, en-GB) in the afternoon."""
    folder = tmp_path / "cy-week"
    shutil.copytree(SAMPLE, folder)
    (folder / "posts" / "day1" / "english.j2").write_text(
        "Hate crime is never acceptable. Call {{ helplines.emergency.number }}. "
        "{{ campaign.hashtag }}\n",
        encoding="utf-8",
    )
    config = folder / "config.toml"
    text = config.read_text(encoding="utf-8")
    last = '  { channel = "facebook", time = "11:00",'
    assert last in text
    extra = '  { channel = "facebook", time = "15:00", template = "day1/english.j2" },\n'
    config.write_text(text.replace(last, extra + last), encoding="utf-8")
    return folder


def plan(config: CampaignConfig, store: Store) -> None:
    """Store the week as drafts (the sample's Page id is a placeholder `campaign check` would
    refuse: these tests are about the report, not the checks)."""
    store.sync_plan(config, render_plan(config), "officer")


def publish_and_measure(store: Store) -> None:
    """Approve the planned week, publish every post and take one 24h snapshot of each."""
    store.approve(SLUG, "inspector")
    api = store.publishing
    scope = api.campaign_id(SLUG)
    end = datetime(2026, 10, 20, tzinfo=UTC)
    api.schedule_approved(end, scope=scope)
    # Claimed until none is left: a pair's later language may be claimed only once the
    # earlier one is recorded.
    while claimed := api.acquire_due("d1", end, 100, scope=scope):
        api.record_outcomes(
            "d1", [Published(p.id, (f"id-{p.key}",), None, p.scheduled_at) for p in claimed]
        )
    values = {f"{PAIR}-cy": X_CY, f"{PAIR}-en": X_EN, FB: FB_BOTH, FB_EN: FB_ENGLISH}
    snapshots = []
    for post in store.posts(SLUG):
        assert post.published_at is not None, post.key
        taken = values[post.key]
        refused = REFUSED if post.key == f"{PAIR}-cy" else {}
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
            )  # fmt: skip
        )
    api.save_snapshots(snapshots)


@pytest.fixture
def week(tmp_path: Path) -> Path:
    return sample_week(tmp_path)


@pytest.fixture
def published(week: Path) -> Iterator[tuple[CampaignConfig, Store]]:
    config = load_config(week / "config.toml")
    store = Store.open(config.database_url(), ManualClock(datetime(2026, 10, 1, tzinfo=UTC)))
    plan(config, store)
    publish_and_measure(store)
    yield config, store
    store.engine.dispose()


def test_the_pair_is_one_unit_with_both_languages_figures(published):
    config, store = published
    summary = summarise(load_dataset(store, config))
    units = {unit.key: unit for unit in summary.units}
    assert list(units) == [PAIR, FB, FB_EN]  # three lines for four posts on the platforms
    pair = units[PAIR]
    assert [(r.post_key, r.lang, r.channel) for r in pair.members] == [
        (f"{PAIR}-cy", "cy", "x-cymraeg"),  # Welsh first, as [languages] order says
        (f"{PAIR}-en", "en", "x-english"),
    ]
    assert [r.engagements for r in pair.members] == [25, 60]
    assert (pair.impressions, pair.engagements, pair.shares) == (1400, 85, 11)
    assert pair.engagement_rate == round(100 * 85 / 1400, 2)
    # The Welsh post has no link clicks: the pair's total is not 7 (that would count its as 0).
    assert [r.link_clicks for r in pair.members] == [None, 7]
    assert pair.link_clicks is None and pair.why_not_summed("link_clicks") == (
        "none from the Cymraeg (Welsh) post"
    )
    assert f"{PAIR}: link_clicks not summed for the pair: none from the Cymraeg (Welsh) post" in (
        summary.missing
    )
    bilingual = units[FB]
    assert not bilingual.pair and bilingual.language == "Cymraeg + English"
    assert bilingual.first.lang == "cy, en" and bilingual.engagements == 100
    assert units[FB_EN].language == "English (United Kingdom)"  # the campaign's language


def test_by_language_counts_a_bilingual_post_once_on_its_own_line(published):
    config, store = published
    summary = summarise(load_dataset(store, config))
    lines = {line.label: line for line in summary.by_language}
    assert list(lines) == ["Cymraeg (Welsh)", "English", "Cymraeg + English (bilingual)"]
    welsh, english, both = lines.values()
    assert (welsh.lang, welsh.posts, welsh.impressions, welsh.engagements) == ("cy", 1, 400, 25)
    assert welsh.link_clicks is None and welsh.in_bilingual == 1
    # English: the pair's English post (en) and the English-only post (en-GB), one language.
    assert (english.lang, english.posts, english.impressions) == ("en", 2, 1500)
    assert (english.engagements, english.link_clicks, english.shares) == (70, 7 + 4, 7 + 1)
    assert english.engagement_rate == round(100 * 70 / 1500, 2)
    assert (both.lang, both.bilingual, both.posts, both.engagements) == ("cy, en", True, 1, 100)
    # The lines add up to the campaign: nothing is counted twice.
    for name in ("posts", "impressions", "engagements"):
        assert sum(getattr(line, name) for line in lines.values()) == getattr(
            summary.campaign, name
        ), name
    assert summary.campaign.engagements == 25 + 60 + 100 + 10


def test_csv_and_json_carry_lang_and_unit(published):
    config, store = published
    dataset = load_dataset(store, config)
    rows = {r["post_key"]: r for r in csv.DictReader(rows_csv(dataset).splitlines())}
    assert {k: (r["lang"], r["unit"]) for k, r in rows.items()} == {
        f"{PAIR}-cy": ("cy", PAIR),
        f"{PAIR}-en": ("en", PAIR),
        FB: ("cy, en", FB),
        FB_EN: ("en-GB", FB_EN),
    }
    assert rows[f"{PAIR}-cy"]["link_clicks"] == ""  # unavailable: empty, never 0
    data = json.loads(rows_json(dataset))
    assert {r["post_key"]: r["lang"] for r in data["rows"]}[f"{PAIR}-en"] == "en"
    assert "lang" in data["definitions"] and "unit" in data["definitions"]
    by_lang = {line["lang"]: line for line in data["by_language"]}
    assert by_lang["cy"]["engagements"] == 25 and by_lang["cy"]["link_clicks"] is None
    assert by_lang["en"]["posts"] == 2 and by_lang["cy, en"]["bilingual"] is True
    assert by_lang["cy"]["also_in_bilingual_posts"] == 1
    pair = next(unit for unit in data["units"] if unit["unit"] == PAIR)
    assert pair["posts"] == [f"{PAIR}-cy", f"{PAIR}-en"] and pair["lang"] == ["cy", "en"]
    assert (pair["engagements"], pair["link_clicks"]) == (85, None)
    assert pair["not_summed"] == {"link_clicks": ["cy"]}


def test_html_marks_each_text_with_its_language_and_shows_the_pair_together(published):
    config, store = published
    dataset = load_dataset(store, config)
    page = Page(render_report_html(dataset, summarise(dataset)))
    assert page.mismatched == []
    root = page.root
    table = root.table("Post by post, at the latest snapshot")
    # The pair's line first, then each language's post beneath it, then the other posts.
    in_pair = f"(in pair {PAIR})"  # said to screen readers; the indent shows it to the eye
    assert [r["Post"] for r in table] == [
        PAIR, f"{PAIR}-cy {in_pair}", f"{PAIR}-en {in_pair}", FB, FB_EN
    ]  # fmt: skip
    pair, cy, en = table[:3]
    assert pair["Language"] == "Pair: Cymraeg (Welsh), English"
    assert (pair["Impressions"], pair["Engagements"], pair["Shares"]) == ("1,400", "85", "11")
    assert pair["Link clicks"] == "not summed: none from the Cymraeg (Welsh) post"
    assert (cy["Engagements"], cy["Link clicks"], en["Link clicks"]) == ("25", "unavailable", "7")
    assert table[3]["Language"] == "Cymraeg + English"

    def openings(key: str) -> list[tuple[str | None, str]]:
        (line,) = root.find_all("tr", id=f"post-{key}")
        (cell,) = line.find_all("td", **{"class": "opening"})
        return [(span.attrs.get("lang"), span.text()) for span in cell.find_all("span")]

    welsh = "Mewn argyfwng, ffoniwch 999. #WythnosYmwybyddiaethTroseddauCasineb"
    english = "In an emergency, call 999. #HateCrimeAwarenessWeek"
    assert openings(f"{PAIR}-cy") == [("cy", welsh)]
    assert openings(f"{PAIR}-en") == [("en", english)]
    assert openings(FB) == [("cy", welsh), ("en", english)]  # each text in its own element
    assert openings(FB_EN)[0][0] == "en-GB"
    # Every post text shown anywhere on the page sits in an element marked with its language.
    for cell in root.find_all("td", **{"class": "opening"}):
        assert all(span.attrs.get("lang") for span in cell.find_all("span"))

    lines = {r["Language"]: r for r in root.table("By language")}
    assert list(lines) == ["Cymraeg (Welsh)", "English", "Cymraeg + English (bilingual)"]
    assert lines["Cymraeg (Welsh)"]["Link clicks"] == "unavailable"
    assert lines["English"]["Engagements"] == "70" and lines["English"]["Tag"] == "en"
    assert lines["Cymraeg (Welsh)"]["Also in bilingual posts"] == "1"
    figure = root.find_all("figure", id="chart-by-language")[0]
    label = figure.find_all("div", role="img")[0].attrs["aria-label"] or ""
    assert "Cymraeg (Welsh): 1 post, 400 impressions, 25 engagements" in label
    definitions = root.find_all("dl", **{"class": "definitions"})[0].text()
    assert "counted once, under its own line" in definitions


def test_a_campaign_read_from_the_database_keeps_its_language(published):
    """Without its config (another campaign in the database, or its files gone), a post in one
    language still has the campaign's language, and the order is the one planned."""
    _, store = published
    dataset = load_campaign(store, SLUG)
    assert dataset.source is not None and dataset.source.order == ("cy", "en")
    assert {r.post_key: r.lang for r in dataset.rows}[FB_EN] == "en-GB"


def test_the_terminal_report_shows_the_pair_and_each_language(published, week):
    result = CliRunner().invoke(
        main, ["report", "--config", str(week / "config.toml")], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "By language" in out and "Cymraeg + English (bilingual)" in out
    pair_line = next(line for line in out.splitlines() if f" {PAIR} " in line)
    assert "Pair: Cymraeg" in pair_line and "1,400" in pair_line and " 85 " in pair_line
    assert "not summed" in pair_line  # its link clicks: the Welsh post has none
    assert f"└ {PAIR}-cy" in out and f"└ {PAIR}-en" in out


def _pair_rows(english: dict[str, object]) -> list[Row]:
    """A pair's two posts built by hand: the Welsh one measured, the English one as given."""
    at = datetime(2026, 10, 12, 9, tzinfo=UTC)
    welsh = row(f"{PAIR}-cy", "x-cymraeg", at, "Report it", lang="cy", unit=PAIR, position=0)
    return [welsh, row(f"{PAIR}-en", "x-english", at, "Report it", lang="en", unit=PAIR,
                       position=1, **english)]  # fmt: skip


def test_a_pair_whose_english_post_failed_sums_nothing_and_says_why():
    failed = {"state": "failed", "status": "not published (failed)", "impressions": None,
              "engagements": None, "link_clicks": None, "shares": None}  # fmt: skip
    summary = summarise(Dataset("c", "Europe/London", _pair_rows(failed)))
    (pair,) = summary.units
    assert pair.members[0].engagements == 18  # the Welsh post's own figure stays shown
    assert (pair.impressions, pair.engagements, pair.engagement_rate) == (None, None, None)
    assert pair.why_not_summed("engagements") == "none from the English post"
    assert pair.status == "Cymraeg (Welsh): ok; English: not published (failed)"
    lines = {line.lang: line for line in summary.by_language}
    assert (lines["cy"].engagements, lines["en"].engagements) == (18, None)


def test_a_metric_neither_post_has_is_unavailable_not_unsummed():
    rows = [replace(r, link_clicks=None) for r in _pair_rows({})]
    (pair,) = summarise(Dataset("c", "Europe/London", rows)).units
    assert pair.link_clicks is None and pair.why_not_summed("link_clicks") is None
    assert (pair.impressions, pair.engagements, pair.shares) == (555 * 2, 18 * 2, 3 * 2)
