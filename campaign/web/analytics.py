"""Results for analysts: the report's figures, charts and tables, and the exports as downloads.

Everything is computed by the report core (`campaign.report`); this module only serves it.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from campaign.present.times import dated_day
from campaign.report.compare import Comparison, compare
from campaign.report.comparison_html import change, comparison_context, render_comparison_html
from campaign.report.dataset import load_campaign, load_dataset
from campaign.report.export import comparison_csv, comparison_json, rows_csv, rows_json
from campaign.report.html import render_report_html, report_context
from campaign.report.summary import summarise
from campaign.web.auth import requires, settings

bp = Blueprint("analytics", __name__)
bp.add_app_template_filter(change, "change")
bp.add_app_template_filter(dated_day, "dated_day")


@bp.get("/results")
@requires("reports")
def results() -> str:
    store, config = settings().store, settings().config
    dataset = load_dataset(store, config)
    context = report_context(dataset, summarise(dataset), store.clock.now())
    slug = settings().config.campaign.slug
    others = [(row.slug, row.name) for row in store.campaigns() if row.slug != slug]
    return render_template("results.html.j2", report=context, others=others)


@bp.get("/results/compare")
@requires("reports")
def comparison() -> str | Response:
    """This campaign beside another in the database (`?with=SLUG`), by campaign day and
    platform; `&format=csv|json|html` downloads it instead."""
    result = _comparison()
    downloads = {
        "csv": (comparison_csv, "text/csv"),
        "json": (comparison_json, "application/json"),
    }
    fmt = request.args.get("format")
    if fmt in downloads:
        make, mimetype = downloads[fmt]
        return _download(make(result), mimetype, f"compared-with-{result.other.slug}.{fmt}")
    if fmt == "html":
        page = render_comparison_html(result, settings().store.clock.now())
        return _download(page, "text/html", f"compared-with-{result.other.slug}.html")
    if fmt is not None:
        abort(400, description="A comparison downloads as CSV, JSON or a printable page.")
    context = comparison_context(result, settings().store.clock.now())
    return render_template("compare.html.j2", comparison=context)


def _comparison() -> Comparison:
    other = request.args.get("with", "")
    if not other:
        abort(400, description="Choose a campaign to compare with.")
    store = settings().store
    return compare(load_dataset(store, settings().config), load_campaign(store, other))


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
