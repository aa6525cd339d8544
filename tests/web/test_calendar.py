"""The month calendar: every campaign's posts on their local days, today marked, each entry
naming its time, platform, account and campaign in words."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.web.conftest import SECOND


def cell(page: str, day: str) -> str:
    """The table cell of one day."""
    match = re.search(rf'<td[^>]*data-day="{day}">(.*?)</td>', page, re.S)
    assert match, f"no cell for {day}"
    return match.group(1)


def test_the_month_shows_both_campaigns_posts_on_their_days(web, two_campaigns):
    page = web.sign_in("olly").get("/calendar?month=2020-04").text
    assert "<caption>April 2020</caption>" in page
    assert page.count('<th scope="col">') == 7
    tuesday = cell(page, "2020-04-14")  # the second campaign's first day only
    assert "Road Safety Week 2020" in tuesday and "Stalking Awareness Week" not in tuesday
    assert "10:00 BST X @DerbyshirePolice" in re.sub(r"<[^>]+>", "", tuesday)
    monday = cell(page, "2020-04-20")  # both campaigns post on the 20th
    assert "Road Safety Week 2020" in monday and "Stalking Awareness Week 2020" in monday
    assert "Facebook /DerbyshireConstabulary" in re.sub(r"<[^>]+>", "", monday)
    assert f'href="/c/{SECOND}/week#post-2020-04-20-x"' in monday
    assert "Road Safety Week" not in cell(page, "2020-04-21")
    assert cell(page, "2020-04-13").count("<li") == 0
    # 23 posts each; a colour and a legend per campaign.
    assert "46 posts on the force" in page
    assert 'class="camp-0"' in page and 'class="camp-1"' in page
    assert re.search(r"Road Safety Week 2020 <small>\(14 Apr – 20 Apr 2020; 23 this month\)", page)


def test_today_is_marked_and_the_months_link_to_each_other(web, two_campaigns):
    page = web.sign_in("olly").get("/calendar").text  # the store's clock: 13 April 2020
    assert "<caption>April 2020</caption>" in page
    assert re.search(r'<td class=" today" aria-current="date" data-day="2020-04-13">', page)
    assert "Today" in cell(page, "2020-04-13")
    assert page.count('aria-current="date"') == 1
    assert 'href="/calendar?month=2020-03" rel="prev"' in page
    assert 'href="/calendar?month=2020-05" rel="next"' in page
    may = web.sign_in("olly").get("/calendar?month=2020-05").text
    assert "0 posts on the force" in may and 'aria-current="date"' not in may


def test_times_are_in_each_campaigns_timezone(web, two_campaigns, planned):
    """Near midnight the day is the campaign's: 23:30 BST on the 19th is the 19th, not the
    20th (22:30 UTC)."""
    [row] = planned.posts(SECOND, keys=["2020-04-19-x"])
    with planned.transaction() as session:
        session.get(type(row), row.id).scheduled_at = datetime(2020, 4, 19, 22, 30, tzinfo=UTC)
    page = web.sign_in("olly").get("/calendar?month=2020-04").text
    assert "23:30 BST" in cell(page, "2020-04-19")


def test_a_month_that_is_not_one_is_a_plain_bad_request(web, two_campaigns):
    response = web.sign_in("olly").get("/calendar?month=April")
    assert response.status_code == 400 and "for example 2020-04" in response.text


def test_analysts_do_not_see_the_calendar(web, two_campaigns):
    assert web.sign_in("ann").get("/calendar").status_code == 403


def test_the_month_filters_by_channel_and_state_and_keeps_them_across_months(
    web, two_campaigns, planned
):
    planned.approve(SECOND, "alice", keys=("2020-04-14-x",))
    client = web.sign_in("alice")
    page = client.get("/calendar?month=2020-04&channel=x").text
    assert "Facebook" not in re.sub(r"<[^>]+>", "", cell(page, "2020-04-20"))
    assert "14 posts on the force" in page  # 7 X posts in each campaign
    assert 'href="/calendar?month=2020-05&amp;channel=x" rel="next"' in page
    approved = client.get("/calendar?month=2020-04&state=approved").text
    assert "1 post on the force" in approved and "Road Safety Week 2020" in cell(
        approved, "2020-04-14"
    )
    assert client.get("/calendar?channel=myspace").status_code == 400


def test_the_month_as_a_list_is_one_line_per_post(web, two_campaigns, planned):
    page = web.sign_in("alice").get("/calendar?month=2020-04&view=list").text
    assert "<table" not in page
    lines = re.findall(r'<li class="line camp-\d">(.*?)</li>', page, re.S)
    assert len(lines) == 46  # 23 posts in each campaign
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", lines[0])).strip()
    first = planned.posts(SECOND, keys=["2020-04-14-x"])[0].parts[0].splitlines()[0][:30]
    assert text.startswith("10:00 BST X @DerbyshirePolice Draft") and first in text
    assert '<h3 class="list-day" aria-current="date">Monday 13 April 2020' not in page  # no posts
