"""Results for analysts: the report's figures, charts and tables, and the exports as downloads.

Everything is computed by the report core (`campaign.report`); this module only serves it.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from campaign.report.dataset import load_dataset
from campaign.report.export import rows_csv, rows_json
from campaign.report.html import render_report_html, report_context
from campaign.report.summary import summarise
from campaign.web.auth import requires, settings

bp = Blueprint("analytics", __name__)


@bp.get("/results")
@requires("reports")
def results() -> str:
    store, config = settings().store, settings().config
    dataset = load_dataset(store, config)
    context = report_context(dataset, summarise(dataset), store.clock.now())
    return render_template("results.html.j2", report=context)


@bp.get("/results/engagement.csv")
@requires("reports")
def engagement_csv() -> Response:
    dataset = load_dataset(settings().store, settings().config)
    return _download(rows_csv(dataset), "text/csv", "engagement.csv")


@bp.get("/results/engagement.json")
@requires("reports")
def engagement_json() -> Response:
    dataset = load_dataset(settings().store, settings().config)
    return _download(rows_json(dataset), "application/json", "engagement.json")


@bp.get("/results/report.html")
@requires("reports")
def report_page() -> Response:
    """The self-contained printable report, the same file `campaign report --format html` writes."""
    store = settings().store
    dataset = load_dataset(store, settings().config)
    page = render_report_html(dataset, summarise(dataset), store.clock.now())
    return _download(page, "text/html", "report.html")


def _download(body: str, mimetype: str, name: str) -> Response:
    slug = settings().config.campaign.slug
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{slug}-{name}"'},
    )
