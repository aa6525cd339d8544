"""The week shows what is stored, dashboard edits included: a post changed in the dashboard is
not "different from the files", while a change in the files still is."""

from __future__ import annotations

SLUG = "stalking-awareness-week-2020"
KEY = "2020-04-20-x"
DIFFERS = "The files differ from the stored plan"
CHANGED = "The templates have changed since the plan was stored"


def _edit_in_the_dashboard(store, old: str, new: str) -> None:
    source = store.content(SLUG).sources[KEY]
    assert old in source.text
    base = store.revisions(SLUG, KEY)[-1].number
    store.edit_post(
        SLUG,
        KEY,
        source.with_changes(text=source.text.replace(old, new)),
        "olly",
        base_revision=base,
    )


def test_a_dashboard_edit_is_shown_and_checked_as_stored(web, planned):
    _edit_in_the_dashboard(planned, "Today is the start", "This week is the start")
    page = web.sign_in("alice").get("/week").text
    assert "This week is the start" in page
    assert DIFFERS not in page and CHANGED not in page
    card = page.split('id="post-2020-04-20-x"')[1].split("</article>")[0]
    assert "Reading ease" in card and "not scored" not in card  # checked: the checks ran


def test_a_files_change_after_a_dashboard_edit_is_still_listed(web, planned, edit):
    _edit_in_the_dashboard(planned, "Today is the start", "This week is the start")
    edit("posts/know-the-signs/x.j2", "Know the signs", "Learn the signs")
    page = web.sign_in("alice").get("/week").text
    assert CHANGED in page
    assert '<a href="#post-2020-04-21-x"><code>2020-04-21-x</code></a>' in page
    assert '<a href="#post-2020-04-20-x">' not in page.split(CHANGED)[1].split("</section>")[0]


def test_updating_the_plan_from_the_page_lists_posts_changed_in_both_places(
    web, planned, campaign_dir, edit
):
    """A file change meeting a dashboard edit is refused in plain words, not an error page."""
    content = planned.content("stalking-awareness-week-2020")
    source = content.sources["2020-04-21-x"]
    changed = source.with_changes(text=source.text.replace("stalker", "stalker, online or not,", 1))
    planned.edit_post(content.row.slug, source.key, changed, "olly", base_revision=1)
    edit("posts/know-the-signs/x.j2", "Know the signs", "Learn the signs")

    client = web.sign_in("alice")
    answer = web.post(client, "/week/plan", {})
    assert answer.status_code == 302
    page = client.get("/week").text
    assert "changed both here and in the campaign" in page and "2020-04-21-x" in page
    [row] = planned.posts("stalking-awareness-week-2020", keys=["2020-04-21-x"])
    assert "online or not" in row.parts[0]  # the dashboard's version stands
