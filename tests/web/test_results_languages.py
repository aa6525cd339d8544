"""The dashboard's results page on a Welsh and English week: each language's totals, the
by-language chart, and each post text marked with its language."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaign.config import CampaignConfig, load_config
from campaign.store import Store
from campaign.store.users import add_user
from tests.campaign.test_report_html import Page
from tests.campaign.test_report_languages import FB, PAIR, plan, publish_and_measure, sample_week


@pytest.fixture
def config(tmp_path: Path) -> CampaignConfig:
    """The sample week in Welsh and English instead of the shipped one."""
    return load_config(sample_week(tmp_path) / "config.toml")


@pytest.fixture
def planned(store: Store, config: CampaignConfig) -> Store:
    plan(config, store)
    publish_and_measure(store)
    return store


def test_results_show_each_language_and_mark_each_text(web, planned: Store):
    add_user(planned, "ann", web.password, "analyst")
    page = Page(web.sign_in("ann").get("/results").text)
    assert page.mismatched == []
    lines = {r["Language"]: r for r in page.root.table("By language")}
    assert list(lines) == ["Cymraeg (Welsh)", "English", "Cymraeg + English (bilingual)"]
    assert lines["Cymraeg (Welsh)"]["Link clicks"] == "unavailable"  # never 0
    assert lines["English"]["Engagements"] == "70"
    assert page.root.find_all("figure", id="chart-by-language")
    top = {
        row.find_all("th")[0].text(): [
            (span.attrs.get("lang"), span.text())
            for span in row.find_all("span", **{"class": "text"})
        ]
        for row in page.root.find_all("tr")
        if row.find_all("td", **{"class": "opening"})
    }
    assert [lang for lang, _ in top[FB]] == ["cy", "en"]  # each text in its own element
    assert top[f"{PAIR}-cy"][0][0] == "cy"


@pytest.mark.browser
@pytest.mark.slow
def test_the_report_page_on_a_bilingual_week_is_accessible(browser, planned: Store, config):
    """The printable report with a pair, a bilingual post and the by-language table and chart:
    nothing axe-core can find against WCAG 2.1 AA, and the screen reader's language switches."""
    from campaign.report.dataset import load_dataset
    from campaign.report.html import render_report_html
    from campaign.report.summary import summarise
    from tests.web.conftest import axe_violations

    dataset = load_dataset(planned, config)
    output = config.base_dir / "report.html"
    output.write_text(render_report_html(dataset, summarise(dataset)), encoding="utf-8")
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(output.as_uri())
        welsh = page.locator(f'[id="post-{PAIR}-cy"] .opening [lang="cy"]')
        assert welsh.count() == 1
        assert page.locator(f'[id="post-{FB}"] .opening [lang]').count() == 2
        assert axe_violations(page) == []
    finally:
        context.close()
