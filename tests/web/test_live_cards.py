"""Live updates refresh the whole card: /api/status gives each post's version, and the page
asks /api/week/cards for the cards whose version changed: the card as the page renders it
(text, approver line, controls), its chip, the counts, and what to announce."""

from __future__ import annotations

import re

SLUG = "stalking-awareness-week-2020"
KEY = "2020-04-20-x"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_a_posts_version_changes_when_it_is_approved(web, planned):
    client = web.sign_in("alice")
    before = client.get("/api/status").json["posts"]
    assert f'data-card="{KEY}" data-version="{before[KEY]["version"]}"' in client.get("/week").text
    planned.approve(SLUG, "alice", keys=(KEY,))
    after = client.get("/api/status").json["posts"]
    assert after[KEY]["version"] != before[KEY]["version"]
    unchanged = [key for key in before if key != KEY]
    assert all(after[key]["version"] == before[key]["version"] for key in unchanged)


def test_the_cards_endpoint_answers_the_whole_card_the_chip_the_counts(web, planned):
    planned.approve(SLUG, "alice", keys=(KEY,))
    client = web.sign_in("alice")
    answer = client.get(f"/api/week/cards?key={KEY}&key=no-such-post").json
    assert list(answer["posts"]) == [KEY]
    fresh = answer["posts"][KEY]
    card = fresh["card"]
    assert card.startswith(f'<div class="card-slot" data-card="{KEY}"')
    assert "Approved by alice" in _text(card)
    assert "Withdraw approval of Monday 10:00 X post" in card
    assert planned.posts(SLUG, keys=[KEY])[0].parts[0].splitlines()[0][:30] in card
    assert 'data-chip="2020-04-20-x"' in fresh["chip"] and "Approved" in fresh["chip"]
    assert fresh["version"] == client.get("/api/status").json["posts"][KEY]["version"]
    assert "1 approved, waiting to go out" in _text(answer["summary"])
    assert answer["announce"] == "Monday 10:00 X post approved by alice."
    # What the page would show for the same card, the same markup.
    page = client.get("/week").text
    assert _text(card) in _text(page)


def test_the_compact_list_gets_its_line_back(web, planned):
    client = web.sign_in("alice")
    answer = client.get(f"/api/week/cards?key={KEY}&view=list").json
    line = answer["posts"][KEY]["card"]
    assert line.strip().startswith('<li class="line') and "Draft – needs approval" in line


def test_the_live_region_is_not_the_heartbeat(web, planned):
    page = web.sign_in("alice").get("/week").text
    assert page.count("aria-live") == 0 and page.count('role="status"') == 1
    assert '<p class="visually-hidden" role="status" data-live="announce"' in page


def test_analysts_get_no_cards(web, planned):
    response = web.sign_in("ann").get(f"/api/week/cards?key={KEY}")
    assert response.status_code == 403 and "error" in response.json
