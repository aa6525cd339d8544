"""Rendering templates: threads, hashing, and clear errors for broken templates."""

from __future__ import annotations

import pytest

from campaign.config import load_config
from campaign.errors import TemplateError
from campaign.render import render_plan, split_thread


def _render(campaign_dir):
    return {post.key: post for post in render_plan(load_config(campaign_dir / "config.toml"))}


def test_thread_separator_splits_parts_and_trims_them():
    assert split_thread("one\n---\n two \n  ---  \nthree\n") == ("one", "two", "three")
    assert split_thread("no thread here --- really") == ("no thread here --- really",)


def test_shipped_week_renders_every_post_in_time_order(shipped_config):
    posts = render_plan(shipped_config)
    assert len(posts) == 23
    assert [p.scheduled_at for p in posts] == sorted(p.scheduled_at for p in posts)
    assert all(p.text and "{{" not in p.text for p in posts)


def test_content_hash_is_stable_and_follows_image_bytes(campaign_dir):
    first = _render(campaign_dir)["2020-04-24-x"].content_hash
    assert _render(campaign_dir)["2020-04-24-x"].content_hash == first
    image = campaign_dir / "posts" / "images" / "helpline-card.png"
    image.write_bytes(image.read_bytes() + b"\0")
    assert _render(campaign_dir)["2020-04-24-x"].content_hash != first


def test_template_syntax_error_names_file_and_line(campaign_dir, edit):
    edit("posts/know-the-signs/x.j2", "• follow you", "• follow you {% endif %}")
    with pytest.raises(TemplateError) as info:
        _render(campaign_dir)
    assert str(info.value).startswith("know-the-signs/x.j2:4: template syntax error")
    assert "endif" in str(info.value)
    assert info.value.exit_code == 2


def test_syntax_error_in_a_partial_names_the_partial(campaign_dir, edit):
    edit("posts/_partials/footer.j2", "{{ campaign.hashtag }}", "{{ campaign.hashtag }")
    with pytest.raises(TemplateError, match=r"^_partials/footer.j2:1: template syntax error"):
        _render(campaign_dir)


def test_undefined_variable_names_template_line_and_variable(campaign_dir, edit):
    edit("posts/how-to-report/x.j2", "{{ contact.online_form }}", "{{ contact.web_form }}")
    with pytest.raises(TemplateError) as info:
        _render(campaign_dir)
    message = str(info.value)
    assert "how-to-report/x.j2:6" in message and "web_form" in message


def test_missing_template_file(campaign_dir):
    (campaign_dir / "posts" / "how-to-report" / "x.j2").unlink()
    with pytest.raises(TemplateError, match="'how-to-report/x.j2' not found"):
        _render(campaign_dir)


def test_a_byte_order_mark_in_a_template_or_partial_is_not_posted(campaign_dir):
    for relative in ("posts/know-the-signs/x.j2", "posts/_partials/footer.j2"):
        path = campaign_dir / relative
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    posts = _render(campaign_dir)
    for key in ("2020-04-21-x", "2020-04-21-facebook"):
        assert all("\ufeff" not in part for part in posts[key].parts)
    assert posts["2020-04-21-x"].parts[0].startswith("Know the signs")


def test_undefined_variable_points_at_the_guide_that_exists(campaign_dir, edit):
    edit("posts/how-to-report/x.j2", "{{ contact.online_form }}", "{{ contact.web_form }}")
    with pytest.raises(TemplateError) as info:
        _render(campaign_dir)
    message = str(info.value)
    assert message.startswith("how-to-report/x.j2:6: undefined variable")
    assert "posts/README.md" in message and "docs/templates.md" not in message
    guide = (campaign_dir / "posts" / "README.md").read_text()
    assert "| `contact.<name>` |" in guide  # the guide documents what the message lists


def test_missing_include_names_the_including_template_and_line(campaign_dir, edit):
    edit(
        "posts/how-to-report/x.j2",
        '{% include "_partials/footer.j2" %}',
        '{% include "_partials/fotter.j2" %}',
    )
    with pytest.raises(TemplateError) as info:
        _render(campaign_dir)
    assert info.value.template == "how-to-report/x.j2" and info.value.line == 7
    assert str(info.value).startswith("how-to-report/x.j2:7: includes '_partials/fotter.j2'")
    assert info.value.exit_code == 2
