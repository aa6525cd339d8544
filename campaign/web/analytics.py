"""Results for analysts: the report's figures, charts and tables, and the exports as downloads.

Everything is computed by the report core (`campaign.report`); this module only serves it. A
campaign's results come from its config when its files are here, else from what is stored.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from campaign.present.times import dated_day
from campaign.report.compare import Comparison, compare
from campaign.report.comparison_html import change, comparison_context, render_comparison_html
from campaign.report.dataset import Dataset, load_campaign, load_dataset
from campaign.report.export import comparison_csv, comparison_json, rows_csv, rows_json
from campaign.report.html import render_report_html, report_context
from campaign.report.summary import summarise
from campaign.store import Store
from campaign.web.auth import requires
from campaign.web.current import current, route

bp = Blueprint("analytics", __name__)
bp.add_app_template_filter(change, "change")
bp.add_app_template_filter(dated_day, "dated_day")


@route(bp, "/results")
@requires("reports")
def results() -> str:
    store, dataset = _dataset()
    context = report_context(dataset, summarise(dataset), store.clock.now())
    slug = current().slug
    others = [(row.slug, row.name) for row in store.campaigns() if row.slug != slug]
    return render_template("results.html.j2", report=context, others=others)


@route(bp, "/results/compare")
@requires("reports")
def comparison() -> str | Response:
    """This campaign beside another in the database (`?with=SLUG`), by campaign day and
    platform; `&format=csv|json|html` downloads it instead."""
    store, result = _comparison()
    downloads = {
        "csv": (comparison_csv, "text/csv"),
        "json": (comparison_json, "application/json"),
    }
    fmt = request.args.get("format")
    if fmt in downloads:
        make, mimetype = downloads[fmt]
        return _download(make(result), mimetype, f"compared-with-{result.other.slug}.{fmt}")
    if fmt == "html":
        page = render_comparison_html(result, store.clock.now())
        return _download(page, "text/html", f"compared-with-{result.other.slug}.html")
    if fmt is not None:
        abort(400, description="A comparison downloads as CSV, JSON or a printable page.")
    context = comparison_context(result, store.clock.now())
    return render_template("compare.html.j2", comparison=context)


def _comparison() -> tuple[Store, Comparison]:
    other = request.args.get("with", "")
    if not other:
        abort(400, description="Choose a campaign to compare with.")
    store, dataset = _dataset()
    return store, compare(dataset, load_campaign(store, other))


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
    """The page's campaign's figures: from its config, or as stored when its files are gone."""
    page = current()
    if page.config is None:
        return page.store, load_campaign(page.store, page.slug)
    return page.store, load_dataset(page.store, page.config)


def _download(body: str, mimetype: str, name: str) -> Response:
    slug = current().slug
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{slug}-{name}"'},
    )
