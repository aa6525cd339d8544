"""The composer through the dashboard: the page, the live check endpoint, saving, adding,
cancelling and copying posts, as the signed-in officer, with CSRF and roles enforced."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from campaign.content.images import MAX_UPLOAD_BYTES
from campaign.store.models import PostRow
from campaign.web.composer import UPLOAD_ROOM

SLUG = "stalking-awareness-week-2020"
KEY = "2020-04-21-x"
EDIT = f"/post/{KEY}/edit"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _png(size: tuple[int, int] = (1200, 675)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 40, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def _row(store, key: str = KEY) -> PostRow:
    [row] = store.posts(SLUG, keys=[key])
    return row


def _form(page: str) -> dict[str, list[str]]:
    """Every named field of the composer form, as the browser would send it (textareas too)."""
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page):
        fields.setdefault(name, []).append(_unescape(value))
    for name in ("channel",):
        selected = re.search(r'<option value="([^"]+)" selected', page)
        fields[name] = [selected.group(1)] if selected else []
    for name in ("date", "time", "theme"):
        found = re.search(rf'id="{name}" name="{name}" value="([^"]*)"', page)
        fields[name] = [_unescape(found.group(1))] if found else [""]
    fields["part"] = [
        _unescape(text)
        for text in re.findall(
            r'<textarea id="part-\d+" name="part"[^>]*>(.*?)</textarea>', page, re.S
        )
    ]
    fields["image_alt"] = [
        _unescape(text)
        for text in re.findall(r'name="image_alt"[^>]*>(.*?)</textarea>', page, re.S)
    ]
    return fields


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _file(data: bytes, name: str) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name, content_type="application/octet-stream")


def _save(client, path: str, fields: dict[str, list[str]], **extra):
    """Post the form as a browser does. The body is encoded here, in memory: the test client
    spools a large one to a temporary file it never closes."""
    values = MultiDict({**fields, "action": ["save"], **extra})
    boundary, body = encode_multipart(values)
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_the_composer_shows_each_part_the_palette_and_the_zone(web, planned):
    client = web.sign_in("olly")
    page = client.get(EDIT)
    assert page.status_code == 200
    html = page.text
    assert len(_form(html)["part"]) == 2
    for name in (
        "Move part 2 up",
        "Move part 1 down",
        "Remove part 2",
        "Add a part",
        "Insert National Stalking Helpline number",
        "Insert National Stalking Helpline hours",
        "Insert Hashtag",
        "Insert Contact: online form",
        "Insert Website",
    ):
        assert f">{name}<" in html, name
    assert 'data-insert="{{ helplines.stalking.number }}"' in html
    assert "Europe/London" in html
    assert "BST (UTC+01:00)" in html
    assert 'class="card"' in html  # the preview's card, drawn at once
    assert "<script" in html and "composer.js" in html
    assert "onclick" not in html


def test_an_analyst_may_not_compose_or_check(web, planned):
    client = web.sign_in("ann")
    assert client.get(EDIT).status_code == 403
    assert client.get("/post/new").status_code == 403
    token = web.token(client.get("/results").text)
    answer = client.post("/api/post/check", json={}, headers={"X-CSRFToken": token})
    assert answer.status_code == 403
    assert answer.is_json


def test_the_live_check_needs_the_csrf_token(web, planned):
    client = web.sign_in("olly")
    answer = client.post("/api/post/check", json={"key": KEY, "parts": ["x"]})
    assert answer.status_code == 400
    assert answer.is_json
    assert "security token" in answer.json["error"]


def test_the_live_check_answers_parts_counts_findings_and_the_card(web, planned):
    client = web.sign_in("olly")
    token = web.token(client.get(EDIT).text)
    source = planned.content(SLUG).sources[KEY]
    body = {
        "key": KEY,
        "channel": "x",
        "date": "2020-04-25",
        "time": "10:00",
        "parts": [*source.parts_text(), "Call {{ helplines.stalking.number }}"],
        "images": [],
    }
    answer = client.post("/api/post/check", json=body, headers={"X-CSRFToken": token})
    assert answer.status_code == 200, answer.text
    data = answer.json
    assert len(data["parts"]) == 3
    assert data["parts"][2] == "Call 0808 802 0300"
    assert [c["limit"] for c in data["counts"]] == [280, 280, 280]
    assert data["counts"][2]["count"] == 18
    rules = [f["rule"] for f in data["findings"]]
    assert "helpline-closed" in rules  # Saturday
    closed = next(f for f in data["findings"] if f["rule"] == "helpline-closed")
    assert closed["field"] == "when" and "Saturday" in closed["message"]
    assert 'class="card"' in data["card"] and "0808 802 0300" in data["card"]
    assert _row(planned).parts != data["parts"], "a check saves nothing"


def test_the_live_check_refuses_a_body_that_is_not_a_draft(web, planned):
    client = web.sign_in("olly")
    token = web.token(client.get(EDIT).text)
    answer = client.post("/api/post/check", json=["no"], headers={"X-CSRFToken": token})
    assert answer.status_code == 400 and "JSON object" in answer.json["error"]


def test_saving_makes_a_revision_and_clears_the_approval(web, planned):
    row = _row(planned)
    planned.approve(SLUG, "alice", keys=[KEY], expected={KEY: row.content_hash})
    client = web.sign_in("olly")
    fields = _form(client.get(EDIT).text)
    fields["part"][1] = fields["part"][1].replace("Worried?", "Worried about someone?")
    response = _save(client, EDIT, fields)
    assert response.status_code == 302, response.text
    after = _row(planned)
    assert after.state == "draft" and after.approved_by is None
    assert "Worried about someone?" in after.parts[1]
    revisions = planned.revisions(SLUG, KEY)
    assert [r.origin for r in revisions] == ["files", "browser"]
    assert revisions[-1].author == "olly"
    page = client.get(response.headers["Location"]).text
    assert "needs approval again" in page


def test_a_concurrent_save_is_refused_in_plain_words(web, planned):
    first, second = web.sign_in("olly"), web.sign_in("alice")
    mine, theirs = _form(first.get(EDIT).text), _form(second.get(EDIT).text)
    theirs["part"][0] = theirs["part"][0].replace("Know the signs", "Know the signs now")
    assert _save(second, EDIT, theirs).status_code == 302
    mine["part"][0] = mine["part"][0].replace("Know the signs", "Learn the signs")
    refused = _save(first, EDIT, mine)
    assert refused.status_code == 409
    assert "changed while you were writing" in refused.text
    assert "Learn the signs" in refused.text  # the officer's text is kept on the page
    assert "Know the signs now" in _row(planned).parts[0]
    assert len(planned.revisions(SLUG, KEY)) == 2


def test_errors_block_saving_and_are_shown_by_field(web, planned):
    client = web.sign_in("olly")
    fields = _form(client.get(EDIT).text)
    fields["part"][1] = "Stalking is a crime. " * 20
    refused = _save(client, EDIT, fields)
    assert refused.status_code == 400
    assert "Not saved: 1 thing needs fixing" in refused.text
    assert 'href="#field-text"' in refused.text
    assert "X&#39;s weighted count" in refused.text or "weighted count" in refused.text
    assert len(planned.revisions(SLUG, KEY)) == 1


def test_warnings_do_not_block_saving(web, planned):
    client = web.sign_in("olly")
    fields = _form(client.get(EDIT).text)
    fields["date"] = ["2020-04-25"]  # Saturday: the stalking helpline is closed
    response = _save(client, EDIT, fields)
    assert response.status_code == 302, response.text
    assert _row(planned).day.isoformat() == "2020-04-25"
    assert "1 warning to look at" in client.get(response.headers["Location"]).text


def test_a_time_that_is_not_a_time_is_refused(web, planned):
    client = web.sign_in("olly")
    fields = _form(client.get(EDIT).text)
    fields["time"] = ["25:00"]
    refused = _save(client, EDIT, fields)
    assert refused.status_code == 400
    assert "is not a time" in refused.text


def test_part_buttons_work_without_javascript(web, planned):
    client = web.sign_in("olly")
    fields = _form(client.get(EDIT).text)
    first, second = fields["part"]
    moved = client.post(EDIT, data={**fields, "action": "up:2"}, content_type="multipart/form-data")
    assert moved.status_code == 200
    assert _form(moved.text)["part"] == [second.replace("\r\n", "\n"), first]
    added = client.post(
        EDIT, data={**fields, "action": "add-part"}, content_type="multipart/form-data"
    )
    assert len(_form(added.text)["part"]) == 3
    assert ">Remove part 3<" in added.text
    removed = client.post(
        EDIT, data={**fields, "action": "remove:1"}, content_type="multipart/form-data"
    )
    assert _form(removed.text)["part"] == [second]
    assert len(planned.revisions(SLUG, KEY)) == 1, "a part button saves nothing"


def test_an_upload_that_is_not_an_image_is_refused_by_its_content(web, planned):
    client = web.sign_in("olly")
    fields = _form(client.get(EDIT).text)
    response = _save(
        client, EDIT, fields, upload=_file(b"%PDF-1.4\n", "card.png"), upload_alt=["A card"]
    )
    assert response.status_code == 400
    assert "The picture was not added" in response.text and "not an image" in response.text
    assert _row(planned).media == []


def test_an_uploaded_image_is_saved_with_its_alt_text(web, planned):
    client = web.sign_in("olly")
    fields = _form(client.get(EDIT).text)
    missing_alt = _save(client, EDIT, fields, upload=_file(_png(), "card.png"))
    assert missing_alt.status_code == 400
    assert "card.png has no alt text" in missing_alt.text
    kept = _form(missing_alt.text)  # the picture stays attached, waiting for its alt text
    [file] = kept["image_file"]
    assert file.startswith("uploads/") and file.endswith("-card.png")
    assert ">Remove picture card.png<" in missing_alt.text
    kept["image_alt"] = ["A dark blue card: Know the signs of stalking."]
    saved = _save(client, EDIT, kept)
    assert saved.status_code == 302, saved.text
    [image] = _row(planned).media
    assert image["alt"] == "A dark blue card: Know the signs of stalking."
    [image] = planned.revisions(SLUG, KEY)[-1].images
    served = client.get(f"/post/media/{image['sha256']}")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.data == _png()


def test_the_week_links_each_card_to_the_composer(web, planned):
    page = web.sign_in("olly").get("/week").text
    assert ">Edit Monday 10:00 X post<" in page
    assert ">Cancel Monday 10:00 X post<" in page
    assert ">Copy Monday 10:00 X post to Derbyshire Constabulary on Facebook<" in page
    assert "Edit Monday" not in web.sign_in("ann").get("/results").text


def test_cancelling_needs_a_reason_and_is_audited(web, planned):
    client = web.sign_in("olly")
    path = f"/post/{KEY}/cancel"
    assert "Cancel the Tuesday 10:00 X post?" in client.get(path).text
    refused = web.post(client, path, {"reason": " "}, page=path)
    assert refused.status_code == 400 and _row(planned).state != "cancelled"
    done = web.post(client, path, {"reason": "Replaced by a video post"}, page=path)
    assert done.status_code == 302
    assert _row(planned).state == "cancelled"
    entry = planned.audit_log(SLUG)[-1]
    assert entry.actor == "olly" and "Replaced by a video post" in str(entry.details)


def test_a_copy_to_another_channel_opens_the_composer_with_the_text(web, planned):
    client = web.sign_in("olly")
    page = client.get("/post/new?copy=2020-04-20-facebook&channel=x").text
    fields = _form(page)
    assert fields["channel"] == ["x"]
    assert "key" not in fields
    facebook = planned.content(SLUG).sources["2020-04-20-facebook"]
    assert fields["part"] == facebook.parts_text()
    fields["part"] = ["Stalking is a crime. See it clearly. {{ campaign.hashtag }}"]
    fields["time"] = ["15:00"]
    response = _save(client, "/post/new", fields)
    assert response.status_code == 302, response.text
    assert response.headers["Location"].endswith("/post/2020-04-20-x-2/edit")
    assert _row(planned, "2020-04-20-x-2").state == "draft"


@pytest.fixture
def sunday_free(campaign_dir: Path) -> None:
    """The shipped week without Sunday's posts: a date of the campaign with no day yet."""
    path = campaign_dir / "config.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[[days]]\ndate = 2020-04-26")
    path.write_text(text[:start], encoding="utf-8")


def test_a_post_on_a_date_without_a_day_asks_for_the_theme(sunday_free, web, planned):
    client = web.sign_in("olly")
    page = client.get("/post/new?date=2020-04-26&channel=x").text
    assert "Theme of the day" in page
    fields = _form(page)
    fields["time"] = ["11:00"]
    fields["part"] = ["Stalking is taken seriously. {{ campaign.hashtag }}"]
    refused = _save(client, "/post/new", fields)
    assert refused.status_code == 400 and "give the day&#39;s theme" in refused.text
    fields["theme"] = ["Stalking is taken seriously"]
    saved = _save(client, "/post/new", fields)
    assert saved.status_code == 302, saved.text
    row = _row(planned, "2020-04-26-x")
    assert (row.theme, row.day_slug) == (
        "Stalking is taken seriously",
        "stalking-is-taken-seriously",
    )


def test_a_picture_of_a_few_megabytes_goes_through_the_form(web, planned):
    """The app refuses bodies over 64 KB; the composer's forms take a picture up to the
    largest any platform takes."""
    client = web.sign_in("olly")
    fields = _form(client.get(EDIT).text)
    side = 700  # random pixels do not compress: about 1.5 MB
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(3 * side * side)).save(buffer, "PNG")
    data = buffer.getvalue()
    assert len(data) > 1024 * 1024
    saved = _save(client, EDIT, fields, upload=_file(data, "noise.png"), upload_alt=["Noise"])
    assert saved.status_code == 302, saved.text
    [image] = _row(planned).media
    assert image["file"].endswith("-noise.png")
    too_big = _save(
        client, EDIT, fields, upload=_file(b"0" * (MAX_UPLOAD_BYTES + UPLOAD_ROOM), "big.png")
    )
    assert too_big.status_code == 413
    assert "The picture is too large" in too_big.text


def test_an_uploaded_picture_shows_on_the_weeks_card(web, planned):
    """The week draws a post's pictures from the posts folder; an upload lives only in the
    database, and its card must show it, not "Image missing"."""
    client = web.sign_in("olly")
    fields = _form(client.get(EDIT).text)
    saved = _save(client, EDIT, fields, upload=_file(_png(), "card.png"), upload_alt=["A card"])
    assert saved.status_code == 302, saved.text
    week = client.get("/week").text
    [file] = [item["file"] for item in _row(planned).media]
    assert f'src="/media/{file}"' in week
    assert f"Image missing: {file}" not in week
    served = client.get(f"/media/{file}")
    assert served.status_code == 200 and served.data == _png()


def test_the_composer_shows_why_a_post_was_sent_back(web, planned):
    planned.review.request_changes(
        "stalking-awareness-week-2020", "2020-04-21-x", "alice", "Give the helpline's hours."
    )
    page = web.sign_in("olly").get("/post/2020-04-21-x/edit").text
    assert "Comments from review" in page
    assert "Give the helpline&#39;s hours." in page and "asked for changes" in page


def test_a_new_post_for_an_account_the_campaign_does_not_have_is_refused(web, planned):
    answer = web.sign_in("olly").get("/post/new?channel=bogus&date=2020-04-22")
    assert answer.status_code == 404
    assert "no account of that name" in answer.text
