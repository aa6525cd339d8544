"""Results for analysts: the report's figures, charts and tables, and the exports as downloads.

Everything is computed by the report core (`campaign.report`); this module only serves it.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from campaign.config import CampaignConfig
from campaign.report.dataset import Dataset, load_dataset
from campaign.report.export import rows_csv, rows_json
from campaign.report.html import render_report_html, report_context
from campaign.report.summary import summarise
from campaign.store import Store
from campaign.web.auth import requires
from campaign.web.current import current, route
from campaign.web.week import needs_files

bp = Blueprint("analytics", __name__)


@route(bp, "/results")
@requires("reports")
def results() -> str:
    store, dataset = _dataset()
    context = report_context(dataset, summarise(dataset), store.clock.now())
    return render_template("results.html.j2", report=context)


@route(bp, "/results/engagement.csv")
@requires("reports")
def engagement_csv() -> Response:
    _, dataset = _dataset()
    return _download(rows_csv(dataset), "text/csv", "engagement.csv")


@route(bp, "/results/engagement.json")
@requires("reports")
def engagement_json() -> Response:
    _, dataset = _dataset()
    return _download(rows_json(dataset), "application/json", "engagement.json")


@route(bp, "/results/report.html")
@requires("reports")
def report_page() -> Response:
    """The self-contained printable report, the same file `campaign report --format html` writes."""
    store, dataset = _dataset()
    page = render_report_html(dataset, summarise(dataset), store.clock.now())
    return _download(page, "text/html", "report.html")


def _dataset() -> tuple[Store, Dataset]:
    """The campaign's figures; the report reads its settings and accounts from its files."""
    page = current()
    config: CampaignConfig = needs_files(page)
    return page.store, load_dataset(page.store, config)


def _download(body: str, mimetype: str, name: str) -> Response:
    slug = current().slug
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{slug}-{name}"'},
    )
