"""The results page offers a comparison with another campaign in the database: side by side by
campaign day and platform, with downloads, for every role that sees results."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from campaign.planning import store_plan

SLUG = "stalking-awareness-week-2020"
LAST = "stalking-awareness-week-2019"


@pytest.fixture
def last_year(planned, config):
    """A 5-day week a year before (same weekdays), planned into the same database."""
    shift = timedelta(days=-364)
    info = config.campaign.model_copy(
        update={
            "slug": LAST,
            "name": "Stalking Awareness Week 2019",
            "start": config.campaign.start + shift,
            "end": config.campaign.start + shift + timedelta(days=4),
        }
    )
    days = tuple(day.model_copy(update={"date": day.date + shift}) for day in config.days[:5])
    store_plan(config.model_copy(update={"campaign": info, "days": days}), planned, "olly")
    return planned


def test_results_offer_a_comparison_with_the_other_campaigns(web, last_year):
    client = web.sign_in("ann")
    page = client.get("/results").text
    assert "Compare with another campaign" in page
    assert f'<option value="{LAST}">Stalking Awareness Week 2019</option>' in page
    assert f'<option value="{SLUG}"' not in page  # not with itself

    response = client.get(f"/results/compare?with={LAST}")
    assert response.status_code == 200
    page = response.text
    assert "Stalking Awareness Week 2020 compared with Stalking Awareness Week 2019" in page
    assert "Mon 22 Apr 2019" in page and "after its last day" in page
    assert 'id="table-day"' in page and 'id="table-platform"' in page
    assert "by campaign day" in page and "differ in length" in page
    whole = page.split('id="table-campaign"', 1)[1].split("</table>", 1)[0]
    # Nothing measured yet: each side's five measures read unavailable, never 0.
    assert whole.count('<span class="na">unavailable</span>') == 2 * 5

    download = client.get(f"/results/compare?with={LAST}&format=csv")
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="{SLUG}-compared-with-{LAST}.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert {row["campaign"] for row in rows} == {SLUG, LAST}
    assert all(row["impressions"] == "" for row in rows)  # nothing measured: empty, not 0
    assert client.get(f"/results/compare?with={LAST}&format=json").json["other"]["days"] == 5
    printable = client.get(f"/results/compare?with={LAST}&format=html")
    assert printable.mimetype == "text/html" and "<style>" in printable.text


def test_a_comparison_with_an_unknown_campaign_says_so_plainly(web, last_year):
    client = web.sign_in("olly")
    response = client.get("/results/compare?with=stalking-week-1999")
    assert response.status_code == 400
    assert "no campaign &#39;stalking-week-1999&#39; in the database" in response.text
    assert "Traceback" not in response.text
    assert client.get("/results/compare").status_code == 400
    assert client.get(f"/results/compare?with={LAST}&format=pdf").status_code == 400


def test_a_comparison_needs_sign_in(app, last_year):
    response = app.test_client().get(f"/results/compare?with={LAST}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_with_one_campaign_there_is_nothing_to_compare(web):
    assert "Compare with another campaign" not in web.sign_in("ann").get("/results").text
