"""Moving a post from the week page (the Move form; drag and drop posts the same form): through
the core's edit, with the same checks, and plain words when it does not move."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from campaign.config import load_config
from campaign.planning import store_plan

SLUG = "stalking-awareness-week-2020"
KEY = "2020-04-20-x"


def _row(store, key=KEY, slug=SLUG):
    [row] = store.posts(slug, keys=[key])
    return row


def _revision(store, key=KEY, slug=SLUG) -> int:
    return store.revisions(slug, key)[-1].number


def _move(web, client, data, *, slug=""):
    prefix = f"/c/{slug}" if slug else ""
    response = web.post(client, f"{prefix}/week/move", data, page=f"{prefix}/week")
    return response


def _flashes(client, response) -> str:
    page = client.get(response.headers["Location"]).text
    found = re.findall(r'<li class="flash (\w+)">(.*?)</li>', page, re.S)
    return " ".join(f"{kind}: {re.sub(r'<[^>]+>', '', text)}" for kind, text in found)


def test_move_an_approved_post_to_saturday_it_is_a_draft_again(web, planned):
    planned.approve(SLUG, "alice", keys=(KEY,))
    base = _revision(planned)
    client = web.sign_in("olly")
    form = {"key": KEY, "revision": str(base), "date": "2020-04-25", "time": "14:00"}
    response = _move(web, client, form)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#post-{KEY}")
    said = _flashes(client, response)
    assert "ok: Done: Moved the Monday 10:00 X post to Saturday Saturday 25 April 2020" not in said
    assert "Moved the Monday 10:00 X post to Saturday 25 April 2020 at 14:00" in said
    assert "It is a draft again: its approval was cleared" in said
    row = _row(planned)
    assert row.scheduled_at == datetime(2020, 4, 25, 13, 0, tzinfo=UTC)  # 14:00 BST
    assert (row.state, row.approved_by) == ("draft", None)
    assert row.day.isoformat() == "2020-04-25" and row.theme == "How to report stalking"
    latest = planned.revisions(SLUG, KEY)[-1]
    assert (latest.number, latest.author, latest.origin) == (base + 1, "olly", "browser")
    assert (latest.day.isoformat(), latest.time) == ("2020-04-25", "14:00")
    page = client.get("/week").text
    assert re.search(r'id="day-2020-04-25".*id="post-2020-04-20-x"', page, re.S)  # under Saturday
    assert "The files differ from the stored plan" not in page  # the move is what is stored


def test_a_move_from_an_old_page_changes_nothing(web, planned):
    client = web.sign_in("olly")
    base = _revision(planned)
    form = {"key": KEY, "revision": str(base), "date": "2020-04-22", "time": "10:00"}
    _move(web, client, form)
    before = _row(planned).scheduled_at
    stale = {**form, "date": "2020-04-23"}
    said = _flashes(client, _move(web, client, stale))
    assert "Not moved: someone else changed the Wednesday 10:00 X post" in said
    assert _row(planned).scheduled_at == before


def test_a_time_the_clocks_skip_or_a_day_outside_the_campaign_is_refused(web, planned):
    client = web.sign_in("olly")
    base = str(_revision(planned))
    outside = {"key": KEY, "revision": base, "date": "2020-05-02", "time": "10:00"}
    said = _flashes(client, _move(web, client, outside))
    assert "Not moved: the Monday 10:00 X post stays where it was." in said
    assert "Saturday 2 May 2020 is not a day of this campaign" in said
    assert _row(planned).scheduled_at == datetime(2020, 4, 20, 9, 0, tzinfo=UTC)
    assert _revision(planned) == int(base)


def test_a_sent_post_has_no_move_control_and_cannot_be_moved(web, planned):
    with planned.transaction() as session:
        from campaign.store.models import PostRow

        row = session.query(PostRow).filter_by(key=KEY).one()
        row.state, row.platform_post_id = "published", "1250000000000000001"
    client = web.sign_in("olly")
    page = client.get("/week").text
    assert "Move Monday 10:00 X post" not in page
    assert not re.search(r'data-chip="2020-04-20-x"[^>]*draggable', page)
    form = {"key": KEY, "revision": str(_revision(planned)), "date": "2020-04-22", "time": "10:00"}
    said = _flashes(client, _move(web, client, form))
    assert "Not moved" in said and "cannot change" in said
    assert _row(planned).state == "published"


def test_an_analyst_cannot_move(web, planned):
    client = web.sign_in("ann")
    form = {"key": KEY, "revision": "1", "date": "2020-04-22", "time": "10:00"}
    assert client.post("/week/move", data=form).status_code in (400, 403)


def test_an_ambiguous_time_asks_which_and_moves_at_the_one_chosen(web, planned, another_campaign):
    """Sunday 25 October 2020: the clocks go back at 02:00 BST, so 01:30 happens twice."""
    autumn = load_config(another_campaign("autumn-week-2020", shift_days=182))
    store_plan(autumn, planned, "olly")
    slug, key = "autumn-week-2020", "2020-10-19-x"
    client = web.sign_in("olly")
    form = {"key": key, "revision": str(_revision(planned, key, slug))}
    form |= {"date": "2020-10-25", "time": "01:30"}
    asked = _move(web, client, form, slug=slug)
    assert asked.status_code == 200
    assert "01:30 happens twice on Sunday 25 October 2020" in asked.text
    assert 'value="01:30+01:00"' in asked.text and "01:30 BST (the first time" in asked.text
    assert 'value="01:30+00:00"' in asked.text and "01:30 GMT (the second time" in asked.text
    assert _row(planned, key, slug).scheduled_at.date().isoformat() == "2020-10-19"  # not yet
    chosen = web.post(
        client, f"/c/{slug}/week/move", {**form, "which": "01:30+00:00"}, page=f"/c/{slug}/week"
    )
    assert chosen.status_code == 302, chosen.text
    assert _row(planned, key, slug).scheduled_at == datetime(2020, 10, 25, 1, 30, tzinfo=UTC)
    assert planned.revisions(slug, key)[-1].time == "01:30+00:00"
