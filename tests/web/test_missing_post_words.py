"""A post key that is not in the campaign (a stale page, an edited address) is answered on the
page in plain words, without command-line advice an officer cannot follow."""

from __future__ import annotations


def test_moving_a_post_that_does_not_exist_says_so_in_plain_words(web, planned):
    officer = web.sign_in("olly")
    response = web.post(
        officer, "/week/move", {"key": "2020-04-20-nope", "date": "2020-04-21", "time": "10:00"}
    )
    assert response.status_code == 404
    assert "campaign status" not in response.text and "stored plan" not in response.text
    assert "There is no post 2020-04-20-nope in this campaign" in response.text


def test_commenting_on_a_post_that_does_not_exist_says_so_in_plain_words(web, planned):
    officer = web.sign_in("olly")
    web.post(officer, "/review/comment", {"key": "2020-04-20-nope", "body": "Hi"}, "/review")
    page = officer.get("/review").text
    assert "campaign status" not in page and "stored plan" not in page
    assert "There is no post 2020-04-20-nope in this campaign" in page
