"""The sign-off preview: one offline HTML page showing every post, image, finding and state."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import tomllib
from datetime import UTC, datetime
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path

import pytest

from campaign.checks.findings import CheckReport, Finding
from campaign.config import CampaignConfig, Image, load_config
from campaign.platforms import facts
from campaign.preview import (
    AccountView,
    PostStatus,
    StoredPost,
    highlight,
    render_preview_html,
)
from campaign.render import RenderedPost, render_plan

REPO = Path(__file__).parents[2]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Page(HTMLParser):
    """The parts of the page a reviewer relies on, collected while checking tags are balanced."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.mismatched: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.cards: dict[str, list[str]] = {}  # post key -> text on its card
        self.outside: list[str] = []  # text not on any card (header, plan panel)
        self.texts: list[str] = []  # each post-text block, as displayed
        self.images: list[tuple[str | None, dict[str, str | None]]] = []  # (card key, attributes)
        self._card: str | None = None
        self._text_depth: int | None = None
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "img":
            self.images.append((self._card, attributes))
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag == "article":
            self._card = (attributes.get("id") or "").removeprefix("post-")
            self.cards[self._card] = []
        if "text" in (attributes.get("class") or "").split():
            self._text_depth = len(self.stack)
            self.texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.mismatched.append(tag)
            return
        if self._text_depth == len(self.stack):
            self._text_depth = None
        self.stack.pop()
        if tag == "article":
            self._card = None

    def handle_data(self, data: str) -> None:
        (self.cards[self._card] if self._card is not None else self.outside).append(data)
        if self._text_depth is not None:
            self.texts[-1] += data

    def card_text(self, key: str) -> str:
        return " ".join(" ".join(self.cards[key]).split())

    def outside_text(self) -> str:
        return " ".join(" ".join(self.outside).split())


@pytest.fixture(scope="module")
def config() -> CampaignConfig:
    return load_config(REPO / "config.toml")


@pytest.fixture(scope="module")
def posts(config: CampaignConfig) -> list[RenderedPost]:
    return render_plan(config)


def _post(posts: list[RenderedPost], key: str) -> RenderedPost:
    return next(post for post in posts if post.key == key)


def _report(posts: list[RenderedPost], *findings: Finding) -> CheckReport:
    return CheckReport(
        findings=list(findings),
        lengths={post.key: [len(part) for part in post.parts] for post in posts},
        reading_ease={post.key: 60.0 + index for index, post in enumerate(posts)},
    )


def _stored(config: CampaignConfig, post: RenderedPost, status: PostStatus) -> StoredPost:
    """`post` as `campaign plan` would have stored it, in `status`."""
    account = config.accounts[post.channel]
    return StoredPost(
        key=post.key,
        platform=post.platform,
        account=AccountView(account.name, account.handle),
        day=post.day.date,
        theme=post.day.theme,
        scheduled_at=post.scheduled_at,
        local_time=post.local_time,
        parts=post.parts,
        images=post.images,
        content_hash=post.content_hash,
        status=status,
    )


def _render(
    config: CampaignConfig,
    posts: list[RenderedPost],
    report: CheckReport | None = None,
    states: dict[str, PostStatus] | None = None,
    generated_at: datetime | None = None,
) -> str:
    report = report if report is not None else _report(posts)
    stored = [
        _stored(config, post, states[post.key]) for post in posts if post.key in (states or {})
    ]
    return render_preview_html(config, posts, report, stored, generated_at)


def test_page_is_one_well_formed_accessible_document(config, posts):
    markup = _render(config, posts)
    page = Page(markup)
    assert markup.startswith("<!DOCTYPE html>")
    assert not page.mismatched and not page.stack
    assert ("html", {"lang": "en-GB"}) in page.tags
    names = [tag for tag, _ in page.tags]
    assert {"header", "main", "section"} <= set(names)
    assert names.count("article") == len(posts)
    assert "@media print" in markup


def test_header_names_the_campaign_and_counts_posts_errors_and_warnings(config, posts):
    report = _report(
        posts,
        Finding("error", "length", "too long", "shorten it", key=posts[0].key),
        Finding("warning", "hashtags", "too many hashtags", "drop one", key=posts[1].key),
        Finding("warning", "rate", "busy hour", "spread them"),
    )
    page = Page(_render(config, posts, report=report))
    header = page.outside_text()
    for fact in (
        "Stalking Awareness Week 2020",
        "Derbyshire Constabulary",
        "#SeeStalkingClearly",
        "Monday 20 April 2020 to Sunday 26 April 2020",
        "Europe/London",
        f"{len(posts)} posts",
        "1 error",
        "2 warnings",
    ):
        assert fact in header


def test_every_post_has_a_card_under_its_day_and_theme(config, posts):
    markup = _render(config, posts)
    page = Page(markup)
    assert set(page.cards) == {post.key for post in posts}
    positions = [markup.index(day.theme) for day in sorted(config.days, key=lambda d: d.date)]
    assert positions == sorted(positions)
    assert "Monday 20 April 2020" in markup and "Sunday 26 April 2020" in markup


def test_every_thread_part_is_shown_whole_with_its_line_breaks(config, posts):
    page = Page(_render(config, posts))
    expected = [
        part
        for post in posts
        for part in (post.parts if facts(post.platform).threads else (post.text,))
    ]
    assert page.texts == expected
    assert any(len(post.parts) > 1 for post in posts if post.platform == "x")


def test_every_image_is_embedded_with_its_alt_text_visible(config, posts):
    page = Page(_render(config, posts))
    wanted = [(post.key, image) for post in posts for image in post.images]
    assert wanted, "the shipped week has images"
    assert len(page.images) == len(wanted)
    for (key, image), (card, attributes) in zip(wanted, page.images, strict=True):
        assert card == key
        src = attributes["src"] or ""
        kind = "jpeg" if image.file.endswith(".jpg") else "png"
        assert src.startswith(f"data:image/{kind};base64,")
        data = base64.b64decode(src.split(",", 1)[1])
        assert data == (config.posts_dir / image.file).read_bytes()
        assert attributes["alt"] == image.alt
        assert image.alt in page.card_text(key)
        assert "ALT" in page.card_text(key)


def test_a_missing_image_file_is_named_instead_of_breaking_the_page(config, posts):
    first = dataclasses.replace(posts[0], images=(Image(file="images/gone.png", alt="A card"),))
    page = Page(_render(config, [first, *posts[1:]]))
    assert "Image missing: images/gone.png" in page.card_text(first.key)


def test_findings_appear_on_their_posts_card_and_plan_findings_at_the_top(config, posts):
    monday_x = posts[0].key
    report = _report(
        posts,
        Finding(
            "error",
            "length",
            "thread part 2 is 301 characters (X allows 280)",
            "cut 21 characters",
            key=monday_x,
            template="what-stalking-is/x.j2",
            line=8,
        ),
        Finding("warning", "rate", "three posts in one hour", "spread the posts out"),
        Finding("warning", "orphan", "post from an old plan", "re-run plan", key="2020-01-01-x"),
    )
    page = Page(_render(config, posts, report=report))
    card = page.card_text(monday_x)
    assert "thread part 2 is 301 characters (X allows 280)" in card
    assert "cut 21 characters" in card and "what-stalking-is/x.j2:8" in card
    others = [page.card_text(post.key) for post in posts[1:]]
    assert not any("301 characters" in text for text in others)
    top = page.outside_text()
    assert "three posts in one hour" in top and "post from an old plan" in top
    assert "301 characters" not in top


def test_findings_are_marked_by_severity_in_words_not_only_colour(config, posts):
    report = _report(
        posts,
        Finding("warning", "hashtags", "four hashtags", "drop one", key=posts[0].key),
        Finding("error", "phone", "unknown number", "use a listed helpline", key=posts[0].key),
    )
    markup = _render(config, posts, report=report)
    card = Page(markup).card_text(posts[0].key)
    assert card.index("error unknown number") < card.index("warning four hashtags")
    assert 'class="finding error"' in markup and 'class="finding warning"' in markup


def test_post_text_alt_text_and_findings_are_escaped(config, posts):
    hostile = "Hello <script>alert(1)</script> & #SeeStalkingClearly"
    alt = '"><img src=x onerror=alert(1)>'
    first = dataclasses.replace(
        posts[0], parts=(hostile,), images=(Image(file=posts[0].images[0].file, alt=alt),)
    )
    finding = Finding("error", "x", "<b>bold</b> message", "<i>fix</i>", key=first.key)
    report = _report([first, *posts[1:]], finding)
    markup = _render(config, [first, *posts[1:]], report=report)
    assert "<script" not in markup.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in markup
    assert "<b>bold</b>" not in markup and "&lt;b&gt;bold&lt;/b&gt;" in markup
    assert "onerror=alert(1)>" not in markup
    page = Page(markup)
    assert page.texts[0] == hostile
    assert page.images[0][1]["alt"] == alt


def test_page_loads_nothing_from_the_network(config, posts):
    markup = _render(config, posts)
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", markup, re.I)
    assert "<link" not in markup.lower()
    assert "@import" not in markup
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", markup, re.I)
    assert "<script" not in markup.lower()


def test_times_are_local_wall_clock_times_with_the_zone(config, posts):
    monday_x = posts[0]
    assert (monday_x.key, monday_x.scheduled_at.hour) == ("2020-04-20-x", 9)  # 10:00 BST in UTC
    page = Page(_render(config, posts))
    card = page.card_text(monday_x.key)
    assert "10:00 BST" in card and "09:00" not in card
    assert "12:00 BST" in page.card_text("2020-04-20-facebook")


def test_generated_time_is_shown_in_the_campaign_zone_only_when_given(config, posts):
    moment = datetime(2020, 4, 17, 15, 30, tzinfo=UTC)
    assert "Generated Friday 17 April 2020 at 16:30 BST" in _render(
        config, posts, generated_at=moment
    )
    assert "Generated" not in _render(config, posts)


def test_stored_states_and_approvals_are_shown(config, posts):
    states = {
        "2020-04-20-x": PostStatus("approved", "Sgt A. Example", approval_current=True),
        "2020-04-20-facebook": PostStatus("approved", "J. Smith", approval_current=False),
        "2020-04-21-x": PostStatus("scheduled", "Sgt A. Example", approval_current=True),
    }
    page = Page(_render(config, posts, states=states))
    assert "approved" in page.card_text("2020-04-20-x")
    assert "Approved by Sgt A. Example" in page.card_text("2020-04-20-x")
    stale = page.card_text("2020-04-20-facebook")
    assert "Approved by J. Smith" in stale and "no longer applies" in stale
    assert "scheduled" in page.card_text("2020-04-21-x")
    assert "not stored" in page.card_text("2020-04-22-x")


def test_without_stored_states_every_card_says_not_stored(config, posts):
    page = Page(_render(config, posts))
    assert all("not stored" in page.card_text(post.key) for post in posts)


def test_lengths_against_the_limit_and_reading_ease_are_shown(config, posts):
    report = _report(posts)
    report.lengths["2020-04-20-x"] = [142, 281, 90]
    page = Page(_render(config, posts, report=report))
    card = page.card_text("2020-04-20-x")
    assert "142 / 280" in card and "281 / 280" in card and "90 / 280" in card
    assert f"Reading ease {report.reading_ease['2020-04-20-x']:.0f}" in card
    facebook = _post(posts, "2020-04-20-facebook")
    limit = config.checks.facebook_max_length
    assert f"{len(facebook.text)} / {limit}" in page.card_text(facebook.key)


def test_posts_the_report_did_not_measure_still_render(config, posts):
    page = Page(render_preview_html(config, posts, CheckReport()))
    card = page.card_text("2020-04-20-x")
    assert "not counted / 280" in card and "not scored" in card


def test_x_cards_show_the_account_from_config(config, posts):
    card = Page(_render(config, posts)).card_text("2020-04-20-x")
    account = config.accounts["x"]
    assert account.name in card and account.handle in card and "DC" in card


def test_highlight_marks_hashtags_handles_and_links_and_escapes_the_rest():
    marked = str(highlight("DM @DerPolContact or see www.example.police.uk/contact. #Tag <b>"))
    assert '<span class="handle">@DerPolContact</span>' in marked
    assert '<span class="link">www.example.police.uk/contact</span>.' in marked
    assert '<span class="tag">#Tag</span>' in marked
    assert marked.endswith("&lt;b&gt;")


def test_the_page_template_ships_as_package_data():
    assert (files("campaign") / "templates" / "preview.html.j2").is_file()
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "templates/*.j2" in pyproject["tool"]["setuptools"]["package-data"]["campaign"]


def test_once_stored_the_preview_shows_the_stored_text_and_marks_files_that_differ(
    campaign_dir, edit, monkeypatch, tmp_path
):
    from click.testing import CliRunner

    from campaign.cli import main

    monkeypatch.setenv("CAMPAIGN_USER", "pc.tester")
    config_path = str(campaign_dir / "config.toml")

    def run(*args: str):
        return CliRunner().invoke(main, [*args, "--config", config_path], catch_exceptions=False)

    run("plan")
    run("approve", "2020-04-20-x")
    edit("posts/what-stalking-is/x.j2", "Today is the start", "This week is")  # not planned
    out = tmp_path / "preview.html"
    result = run("preview", "-o", str(out))
    assert result.exit_code == 0
    assert "1 post(s): the files differ from the stored plan" in " ".join(result.output.split())
    page = Page(out.read_text(encoding="utf-8"))
    card = page.card_text("2020-04-20-x")
    assert "Today is the start" in card and "This week is" not in card  # what would be sent
    assert "Approved by pc.tester" in card
    assert "The files differ from the stored plan: run plan" in card
    status = CliRunner().invoke(main, ["status", "--json", "--config", config_path]).output
    stored_hash = next(p for p in json.loads(status)["posts"] if p["key"] == "2020-04-20-x")
    assert f"@{stored_hash['content_hash'][:12]}" in card
    assert "files differ" not in page.card_text("2020-04-20-facebook")
    assert "1 post: the files differ from the stored plan" in page.outside_text()
