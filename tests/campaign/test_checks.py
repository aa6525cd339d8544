"""Each content rule fires on its problem and names the template; the shipped week passes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from campaign.checks.content import HASHTAG_PLACE
from campaign.checks.readability import flesch_reading_ease
from campaign.config import load_config
from campaign.planning import check_plan

REPO = Path(__file__).resolve().parents[2]


def _findings(campaign_dir, rule=None):
    report = check_plan(load_config(campaign_dir / "config.toml")).report
    return [f for f in report.findings if rule is None or f.rule == rule]


def test_shipped_week_has_no_errors_and_no_warnings(shipped_config):
    report = check_plan(shipped_config).report
    assert report.errors == [] and report.warnings == []
    assert len(report.reading_ease) == 23
    assert all(
        score >= shipped_config.checks.min_reading_ease for score in report.reading_ease.values()
    )


def test_x_post_over_280_weighted_is_an_error_naming_the_part(campaign_dir, edit):
    edit(
        "posts/how-to-report/x.j2",
        "How to report stalking to us:",
        "How to report stalking to us: " + "🚨" * 100,
    )
    [finding] = _findings(campaign_dir, "x-length")
    assert finding.severity == "error" and finding.key == "2020-04-25-x"
    assert finding.template == "how-to-report/x.j2" and "weighted count" in finding.message


def test_long_links_count_23_on_x(campaign_dir, edit):
    edit(
        "posts/how-to-report/x.j2",
        "How to report stalking to us:",
        "https://example.police.uk/" + "a" * 200,
    )
    assert _findings(campaign_dir, "x-length") == []


def test_empty_thread_part(campaign_dir, edit):
    edit("posts/family-and-friends/x.j2", "---\n", "---\n---\n")
    [finding] = _findings(campaign_dir, "empty")
    assert "thread part 2 is empty" in finding.message and finding.line == 7


def test_leftover_template_syntax(campaign_dir, edit):
    edit(
        "posts/how-to-report/facebook.j2",
        "How do I report stalking?",
        "How do I report {{ '{{' }} stalking?",
    )
    [finding] = _findings(campaign_dir, "template-syntax")
    assert finding.key == "2020-04-25-facebook"


def test_missing_and_misspelt_hashtag(campaign_dir, edit):
    edit("posts/how-to-report/x.j2", '{% include "_partials/footer.j2" %}', "#seestalkingclearly")
    rules = {f.rule for f in _findings(campaign_dir) if f.key == "2020-04-25-x"}
    assert {"hashtag-missing", "hashtag-spelling"} <= rules


def test_hashtag_in_the_middle_and_too_many(campaign_dir, edit):
    edit(
        "posts/how-to-report/x.j2",
        "How to report stalking to us:",
        "How to #report #stalking #tous #now:",
    )
    rules = {f.rule for f in _findings(campaign_dir) if f.key == "2020-04-25-x"}
    assert {"hashtag-position", "hashtag-count"} <= rules


def test_lower_case_hashtag_is_a_warning_with_the_campaigns_hashtag_as_example(campaign_dir, edit):
    edit("config.toml", 'hashtag = "#SeeStalkingClearly"', 'hashtag = "#EndStalkingNow"')
    edit(
        "posts/how-to-report/x.j2",
        '{% include "_partials/footer.j2" %}',
        '{% include "_partials/footer.j2" %} #reportstalking',
    )
    [finding] = _findings(campaign_dir, "hashtag-camelcase")
    assert finding.severity == "warning" and "#reportstalking" in finding.message
    assert "#EndStalkingNow" in finding.fix and "#SeeStalkingClearly" not in finding.fix


def test_the_hashtag_belongs_to_the_first_part_of_a_thread(campaign_dir, edit):
    edit("posts/know-the-signs/x.j2", '{% include "_partials/footer.j2" %}\n---\n', "---\n")
    edit(
        "posts/know-the-signs/x.j2",
        "{{ helplines.stalking.number }}",
        '{{ helplines.stalking.number }}\n{% include "_partials/footer.j2" %}',
    )
    [finding] = _findings(campaign_dir, "hashtag-missing")
    assert finding.key == "2020-04-21-x" and "first thread part" in finding.message
    assert HASHTAG_PLACE in finding.fix


def test_the_documents_state_the_hashtag_rule_the_check_applies():
    """README.md and posts/README.md say where the hashtag goes in the words the check uses."""
    for document in (REPO / "README.md", REPO / "posts" / "README.md"):
        text = " ".join(document.read_text(encoding="utf-8").split())
        assert HASHTAG_PLACE in text, document


def test_phone_number_that_is_not_a_helpline(campaign_dir, edit):
    edit(
        "posts/how-to-report/facebook.j2",
        "How do I report stalking?",
        "How do I report stalking? Call 0800 555 0199.",
    )
    [finding] = _findings(campaign_dir, "phone-unknown")
    assert finding.severity == "error" and "0800 555 0199" in finding.message
    assert finding.template == "how-to-report/facebook.j2" and finding.line == 1


def test_helpline_given_while_it_is_closed(campaign_dir, edit):
    edit(
        "config.toml",
        '{ channel = "x", time = "13:30", template = "online-stalking/x.j2" }',
        '{ channel = "x", time = "10:00", template = "online-stalking/x.j2" }',
    )
    [finding] = _findings(campaign_dir, "helpline-closed")
    assert finding.severity == "warning" and "Wednesday 10:00" in finding.message


def test_helpline_closed_can_be_made_an_error(campaign_dir, edit):
    edit("config.toml", 'helpline_closed = "warning"', 'helpline_closed = "error"')
    edit(
        "config.toml",
        '{ channel = "x", time = "10:00", template = "helplines-and-support/x.j2"',
        '{ channel = "x", time = "08:00", template = "helplines-and-support/x.j2"',
    )
    findings = _findings(campaign_dir, "helpline-closed")
    # The post gives the number, and so does its image's alt text.
    assert [f.template for f in findings] == ["helplines-and-support/x.j2", "config.toml"]
    assert {f.severity for f in findings} == {"error"}


def test_image_without_alt_text(campaign_dir):
    path = campaign_dir / "config.toml"
    path.write_text(re.sub(r'alt = "Card listing[^"]*"', 'alt = " "', path.read_text(), count=1))
    findings = _findings(campaign_dir, "alt-text-missing")
    assert findings and findings[0].key == "2020-04-24-x"


def test_too_many_images_on_x(campaign_dir, edit):
    image = '{ file = "images/helpline-card.png", alt = "Card" }, '
    edit(
        "config.toml",
        '{ channel = "x", time = "11:00", template = "how-to-report/x.j2" }',
        '{ channel = "x", time = "11:00", template = "how-to-report/x.j2", images = ['
        + image * 5
        + "] }",
    )
    [finding] = _findings(campaign_dir, "image-count")
    assert "at most 4" in finding.message


def test_malformed_url(campaign_dir, edit):
    edit(
        "config.toml",
        'online_form = "www.derbyshire.police.uk/Contact-Us"',
        'online_form = "www.derbyshire/Contact-Us"',
    )
    assert {f.rule for f in _findings(campaign_dir)} >= {"url"}


def test_plan_that_breaks_the_free_tier_daily_cap_is_an_error(campaign_dir, edit):
    edit("config.toml", 'tier = "basic"', 'tier = "free"\nposts_per_24h = 2')
    [finding] = _findings(campaign_dir, "posting-limit")
    assert (
        finding.channel == "x"
        and "within 24 hours" in finding.message
        and "limit is 2" in finding.message
    )


def test_thread_parts_count_against_the_15_minute_cap(campaign_dir, edit):
    edit("config.toml", 'tier = "basic"', 'tier = "basic"\nposts_per_15min = 2')
    [finding] = _findings(campaign_dir, "posting-limit")
    assert finding.key == "2020-04-20-x" and "3 sends" in finding.message


def test_reading_ease_warns_on_dense_prose(campaign_dir, edit):
    edit(
        "posts/how-to-report/x.j2",
        "How to report stalking to us:",
        "Notwithstanding organisational considerations, comprehensive institutional "
        "responsibilities necessitate immediate notification.",
    )
    assert [f.key for f in _findings(campaign_dir, "readability")] == ["2020-04-25-x"]


def test_flesch_scores_order_plain_above_dense():
    plain = flesch_reading_ease("Call us. We will help you. You are not alone.")
    dense = flesch_reading_ease(
        "Organisational accountability necessitates comprehensive documentation."
    )
    assert plain is not None and dense is not None and plain > 80 > 20 > dense
    assert flesch_reading_ease("#SeeStalkingClearly 999") is None


def test_repeating_a_post_word_for_word_on_one_account_is_an_error(campaign_dir):
    posts = campaign_dir / "posts"
    (posts / "take-it-seriously" / "x.j2").write_text(
        (posts / "how-to-report" / "x.j2").read_text()
    )
    [finding] = _findings(campaign_dir, "duplicate-text")
    assert finding.key == "2020-04-26-x" and "repeats 2020-04-25-x" in finding.message


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("<script>alert('hi')</script>", "a script tag"),
        ("<b>Stalking is a crime</b>", "an HTML tag"),
        ("Read more: javascript:alert(1)", "a script address"),
        ("See data:text/html;base64,PHNjcmlwdD4=", "a data: address"),
        ('Look: <img src=x onerror="alert(1)">', "an event-handler attribute"),
    ],
)
def test_markup_and_script_like_text_is_a_warning(campaign_dir, edit, written, kind):
    edit(
        "posts/how-to-report/facebook.j2",
        "How do I report stalking?",
        f"How do I report stalking? {written}",
    )
    findings = _findings(campaign_dir, "markup")
    assert kind in {f.message.split(",")[0].removeprefix("the post holds ") for f in findings}
    assert {f.severity for f in findings} == {"warning"}
    assert {f.where for f in findings} == {"how-to-report/facebook.j2:1"}


def test_plain_text_with_angle_brackets_is_not_markup(campaign_dir, edit):
    edit(
        "posts/how-to-report/facebook.j2",
        "How do I report stalking?",
        "How do I report stalking? We <3 our helpline team, and 1 < 2 > 0.",
    )
    assert _findings(campaign_dir, "markup") == []


def test_markup_in_alt_text_is_a_warning_at_its_config_line(campaign_dir):
    path = campaign_dir / "config.toml"
    path.write_text(path.read_text().replace('alt = "Card listing', 'alt = "<i>Card</i> listing'))
    findings = _findings(campaign_dir, "markup")
    assert {f.key for f in findings} == {
        "2020-04-24-x",
        "2020-04-24-facebook",
        "2020-04-24-instagram",
    }
    assert all(f.severity == "warning" and f.template == "config.toml" for f in findings)


def test_account_placeholders_from_campaign_init_are_errors_naming_the_field(campaign_dir, edit):
    edit("config.toml", 'handle = "@DerbyshirePolice"', 'handle = "@YourHandle"')
    edit("config.toml", 'page_id = "104857361209584"', 'page_id = "1234567890"')
    findings = {f.message.split(" ")[0]: f for f in _findings(campaign_dir, "placeholder")}
    assert set(findings) == {"accounts.x.handle", "accounts.facebook.page_id"}
    lines = (campaign_dir / "config.toml").read_text().splitlines()
    for finding in findings.values():
        assert finding.severity == "error" and finding.template == "config.toml"
    assert lines[findings["accounts.x.handle"].line - 1].startswith("handle = ")
    assert lines[findings["accounts.facebook.page_id"].line - 1].startswith("page_id = ")
    assert "numeric id" in findings["accounts.facebook.page_id"].fix


def test_placeholder_text_in_a_post_is_an_error_at_its_line(campaign_dir, edit):
    edit(
        "posts/how-to-report/x.j2",
        "How to report stalking to us:",
        "[[Write the post for {{ day.weekday }} here.]]",
    )
    edit("posts/take-it-seriously/x.j2", "If you are worried", "Write the post for Sunday here.")
    findings = _findings(campaign_dir, "placeholder")
    assert [(f.where, f.severity) for f in findings] == [
        ("how-to-report/x.j2:1", "error"),
        ("take-it-seriously/x.j2:3", "error"),
    ]
    assert "[[Write the post for Saturday here.]]" in findings[0].message
