"""The results report: one offline HTML page an analyst can trust, built from Dataset rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from campaign.report import charts
from campaign.report.dataset import DEFINITIONS, Dataset, Row
from campaign.report.html import render_report_html, report_context
from campaign.report.summary import summarise

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
METRIC_NAMES = ("impressions", "engagements", "link_clicks", "shares")
SCRIPT = "<script>alert('stalker')</script>"


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join(" ".join(parts).split())

    def find_all(self, tag: str, **attrs: str) -> list[Node]:
        """Descendants with this tag ("*": any) and attribute values, in document order."""
        found = []
        for child in self.children:
            if isinstance(child, Node):
                matches = tag in ("*", child.tag)
                if matches and all(child.attrs.get(k) == v for k, v in attrs.items()):
                    found.append(child)
                found.extend(child.find_all(tag, **attrs))
        return found

    def table(self, caption: str) -> list[dict[str, str]]:
        """A table's body rows as {column header: cell text}, found by its caption."""
        for table in self.find_all("table"):
            if table.find_all("caption")[0].text() == caption:
                head = [th.text() for th in table.find_all("thead")[0].find_all("th")]
                rows = [tr.find_all("*") for tr in table.find_all("tbody")[0].find_all("tr")]
                cells = [[c.text() for c in row if c.tag in ("th", "td")] for row in rows]
                return [dict(zip(head, row, strict=True)) for row in cells]
        raise LookupError(caption)


class Page(HTMLParser):
    """The page as a tree, with every mismatched closing tag noted."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.mismatched: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.stack[-1].tag != tag:
            self.mismatched.append(tag)
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def row(key: str, channel: str, at: datetime, theme: str, **overrides: object) -> Row:
    """A published post's snapshot with realistic values; overrides change any field, and the
    collection time and engagement rate follow from them as the dataset would compute them."""
    hours = overrides.get("hours_since_published", 1.0)
    base = Row(
        "stalking-week", key, at.date(), f"{at:%A}", theme, channel, channel, "published", at, at,
        "1252160072709046273", "1h", at + timedelta(hours=float(hours or 0)), 1.0, "ok",
        555, 18, None, 6, 3, "", "2", f"Post {key}.\nSecond line.",
    )  # fmt: skip
    made = replace(base, **overrides)  # type: ignore[arg-type]
    if made.engagement_rate is None and made.engagements is not None and made.impressions:
        made = replace(made, engagement_rate=round(100 * made.engagements / made.impressions, 2))
    return made


def later(first: Row, snapshot: str, hours: float, **metrics: object) -> Row:
    """The same post at a later snapshot."""
    again = {"text": first.text, "snapshot": snapshot, "hours_since_published": hours}
    return row(first.post_key, first.channel, first.scheduled_at, first.theme, **again, **metrics)


def counts(
    impressions: int | None, engagements: int | None, clicks: int | None, shares: int | None
) -> dict[str, object]:
    """A snapshot's metrics; Facebook's missing link clicks are recorded as unavailable."""
    unavailable = "link_clicks" if clicks is None and impressions else ""
    return {"impressions": impressions, "engagements": engagements, "link_clicks": clicks,
            "shares": shares, "unavailable": unavailable}  # fmt: skip


GONE = counts(None, None, None, None)
NOT_PUBLISHED = {"state": "failed", "published_at": None, "platform_post_id": None,
                 "snapshot": None, "collected_at": None, "hours_since_published": None,
                 "status": "not published (failed)", "api_version": ""}  # fmt: skip


def week() -> Dataset:
    """Three days, both channels: growth, a metric Facebook will not give, a deleted post, a
    failed post, and text that would be markup if it were not escaped."""
    mon, tue, wed = (datetime(2020, 4, d, 9, tzinfo=UTC) for d in (20, 21, 22))
    signs = "Know the signs <& spot them>"
    a = row("2020-04-20-x", "x", mon, "What stalking is")
    b = row("2020-04-20-facebook", "facebook", mon + timedelta(hours=2), "What stalking is",
            **counts(438, 27, None, 6))  # fmt: skip
    c = row("2020-04-21-x", "x", tue, signs, **counts(912, 40, 9, 4))
    d = row("2020-04-21-facebook", "facebook", tue, signs, **NOT_PUBLISHED, **GONE)
    e = row("2020-04-22-x", "x", wed, "Online stalking", **counts(1204, 95, 21, 11),
            text=f"{SCRIPT} Online stalking is stalking.\nMore.")  # fmt: skip
    f = row("2020-04-22-facebook", "facebook", wed + timedelta(hours=1), "Online stalking",
            **counts(2210, 120, None, 17))  # fmt: skip
    rows = [
        a, later(a, "24h", 24, **counts(2664, 164, 47, 29)),
        b, later(b, "24h", 24, **counts(3817, 224, None, 36)),
        c, later(c, "24h", 24, status="deleted", **GONE),
        d,
        e, later(e, "24h", 24, **counts(4341, 167, 33, 18)),
        later(e, "72h", 72, **counts(4610, 171, 35, 18)),
        f,
    ]  # fmt: skip
    return Dataset("Stalking Awareness Week 2020 & <Friends>", "Europe/London", rows)


def latest_by_hand(rows: list[Row]) -> dict[str, Row]:
    """Each post's most recent row, worked out independently of Dataset.latest."""
    never = datetime.min.replace(tzinfo=UTC)
    by_key = {r.post_key: [s for s in rows if s.post_key == r.post_key] for r in rows}
    return {k: max(snaps, key=lambda s: s.collected_at or never) for k, snaps in by_key.items()}


def render(dataset: Dataset, generated_at: datetime | None = None) -> str:
    return render_report_html(dataset, summarise(dataset), generated_at)


@pytest.fixture(scope="module")
def markup() -> str:
    return render(week(), datetime(2020, 5, 4, 8, 30, tzinfo=UTC))


@pytest.fixture(scope="module")
def page(markup: str) -> Node:
    parsed = Page(markup)
    assert parsed.mismatched == [] and len(parsed.stack) == 1, "tags must balance"
    return parsed.root


def test_header_names_campaign_zone_time_and_counts(page: Node) -> None:
    assert [html.attrs["lang"] for html in page.find_all("html")] == ["en-GB"]
    header = page.find_all("header")[0].text()
    assert "Stalking Awareness Week 2020 & <Friends>" in header  # escaped in markup, intact here
    assert "Europe/London" in header
    assert "Monday 4 May 2020 at 09:30 BST" in header  # generated_at shown in the campaign zone
    rows = week().rows
    assert f"{len({r.post_key for r in rows})} posts" in header
    measured = sum(r.status == "ok" for r in latest_by_hand(rows).values())
    assert f"{measured} measured" in header
    assert f"{sum(r.collected_at is not None for r in rows)} snapshots" in header


def test_every_post_appears_in_the_post_table_at_its_latest_snapshot(page: Node) -> None:
    table = {r["Post"]: r for r in page.table("Post by post, at the latest snapshot")}
    latest = latest_by_hand(week().rows)
    assert set(table) == set(latest)
    for key, r in latest.items():
        cells = table[key]
        assert cells["Snapshot"] == (r.snapshot or "none")
        assert r.status in cells["State and status"] and r.state in cells["State and status"]
        assert cells["Impressions"] == (f"{r.impressions:,}" if r.impressions else "unavailable")
    assert table["2020-04-20-x"]["Scheduled"] == "Mon 20 Apr 10:00 BST"  # 09:00 UTC


def test_headline_totals_are_the_sums_of_each_posts_latest_values(page: Node) -> None:
    latest = latest_by_hand(week().rows).values()
    shown = headline(page)
    for name in METRIC_NAMES:
        total = sum(getattr(r, name) for r in latest if getattr(r, name) is not None)
        assert shown[name] == f"{total:,}", name
    impressions = sum(r.impressions for r in latest if r.impressions is not None)
    engagements = sum(r.engagements for r in latest if r.engagements is not None)
    assert shown["engagement_rate"] == f"{100 * engagements / impressions:.2f} %"


def test_unavailable_reads_unavailable_never_zero(page: Node) -> None:
    facebook = next(r for r in page.table("By channel") if r["Channel"] == "facebook")
    assert facebook["Link clicks"] == "unavailable"  # no Facebook post gave link clicks
    posts = {r["Post"]: r for r in page.table("Post by post, at the latest snapshot")}
    for key in ("2020-04-21-x", "2020-04-21-facebook"):  # deleted, never published
        cells = {posts[key][h] for h in ("Impressions", "Engagements", "Rate", "Shares")}
        assert cells == {"unavailable"}
    assert posts["2020-04-20-facebook"]["Unavailable"] == "link_clicks"


def test_all_unmeasured_shows_unavailable_totals_and_no_data_notes() -> None:
    failed = next(r for r in week().rows if r.status.startswith("not published"))
    root = Page(render(Dataset("Quiet week", "Europe/London", [failed]))).root
    shown = headline(root)
    assert set(shown.values()) == {"unavailable"}
    assert root.find_all("svg") == []
    notes = [div.text() for div in root.find_all("div", **{"class": "no-data"})]
    assert len(notes) == 4 and all(n.endswith("No data yet") for n in notes)


def test_four_charts_are_inline_svg_figures_with_text_alternatives(page: Node) -> None:
    figures = [f for f in page.find_all("figure") if f.find_all("svg")]
    assert len(page.find_all("svg")) == len(figures) == 4
    for figure in figures:
        assert figure.find_all("figcaption")[0].text()
        (chart,) = figure.find_all("div", role="img")
        assert len(chart.attrs["aria-label"] or "") > 40
    labels = " ".join(f.find_all("div", role="img")[0].attrs["aria-label"] or "" for f in figures)
    assert "What stalking is" in labels and "facebook" in labels


def test_svg_ids_are_unique_across_the_page(markup: str) -> None:
    ids = re.findall(r'\bid="([^"]+)"', markup)
    assert len(ids) == len(set(ids))
    for ref in re.findall(r'(?:href="#|url\(#)([^")]+)', markup):
        assert ref in ids


def test_post_text_and_labels_are_escaped(markup: str, page: Node) -> None:
    assert "<script" not in markup
    assert "&lt;script&gt;" in markup
    assert page.find_all("script") == []
    top = page.table("Highest engagement rate") + page.table("Lowest engagement rate")
    assert any(r["Opening line"].startswith(SCRIPT) for r in top)
    themes = [r["Theme"] for r in page.table("By theme")]
    assert "Know the signs <& spot them>" in themes


def test_nothing_is_loaded_from_anywhere(markup: str, page: Node) -> None:
    assert "@import" not in markup
    assert re.findall(r"url\((?!#)", markup) == []
    for tag in ("link", "script", "img", "iframe", "object", "embed"):
        assert page.find_all(tag) == [], tag
    for node in page.find_all("*"):
        for name in ("src", "href", "xlink:href", "action", "poster"):
            value = node.attrs.get(name)
            assert value is None or value.startswith(("#", "data:")), (node.tag, name, value)


def test_definitions_and_what_is_missing(page: Node) -> None:
    text = page.text()
    for definition in DEFINITIONS.values():
        assert " ".join(definition.split()) in text
    missing = " ".join(li.text() for li in page.find_all("ul", **{"class": "missing-list"})[0]
                       .find_all("li"))  # fmt: skip
    for note in summarise(week()).missing:
        key, _, reason = note.partition(": ")
        assert f"{key} {reason}" in missing
    assert "Nothing missing" not in text
    measured = [r for r in week().rows if r.status == "ok" and not r.unavailable]
    clean = Page(render(Dataset("Clean week", "Europe/London", measured))).root.text()
    assert "Nothing missing" in clean


def test_numbers_have_separators_and_rates_two_decimals(page: Node) -> None:
    monday = [r for r in latest_by_hand(week().rows).values() if r.weekday == "Monday"]
    impressions = sum(r.impressions or 0 for r in monday)
    engagements = sum(r.engagements or 0 for r in monday)
    shown = {r["Day"]: r for r in page.table("By day")}["2020-04-20 Monday"]
    assert impressions > 999 and shown["Impressions"] == f"{impressions:,}"
    assert re.fullmatch(r"\d+\.\d\d %", shown["Engagement rate"])
    assert shown["Engagement rate"] == f"{100 * engagements / impressions:.2f} %"


def test_template_context_is_a_contract() -> None:
    dataset = week()
    context = report_context(dataset, summarise(dataset))
    assert [c.id for c in context.charts] == ["growth", "by-theme", "by-day", "by-channel"]
    assert all(c.svg and c.description and c.caption for c in context.charts)
    unmeasured = {k for k, r in latest_by_hand(dataset.rows).items() if r.status != "ok"}
    unavailable = {k for k, r in latest_by_hand(dataset.rows).items() if r.unavailable}
    # Besides each post, the notes say which totals cover only some posts (by metric name).
    partial = {"impressions", "engagements", "link_clicks", "shares"}
    keys = {note.post_key for note in context.missing}
    assert keys - partial == unmeasured | unavailable
    assert "link_clicks" in keys  # one post's link clicks are unavailable in this week
    assert set(context.colours) == {"x", "facebook"}
    assert [d.metric for d in context.definitions] == list(DEFINITIONS)


def test_same_data_gives_the_same_page(markup: str) -> None:
    assert render(week(), datetime(2020, 5, 4, 8, 30, tzinfo=UTC)) == markup


def test_charts_are_empty_without_data_and_take_labels_literally() -> None:
    assert charts.engagement_over_time([]) == ""
    assert charts.rate_by_theme([]) == charts.rate_by_day([]) == ""
    assert charts.reach_by_channel([]) == ""
    priced = [replace(t, label="Fraud: $5 & $10 <b>") for t in summarise(week()).by_theme]
    svg = charts.rate_by_theme(priced)  # "$...$" must not be parsed as mathtext
    assert svg.startswith("<svg") and 'id="theme-' in svg and "<style" not in svg


def headline(page: Node) -> dict[str, str]:
    """The headline figures by metric name, as displayed."""
    figures = [dd for dd in page.find_all("dd") if "data-metric" in dd.attrs]
    return {str(dd.attrs["data-metric"]): dd.text() for dd in figures}
