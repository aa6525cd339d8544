"""The template context is a contract with template authors: docs and code must agree."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from campaign.render import CampaignView, DayView, PostView, TemplateContext

README = Path(__file__).resolve().parents[2] / "posts" / "README.md"


def _documented() -> set[str]:
    return set(re.findall(r"^\| `([a-z_.<>]+)` \|", README.read_text(), flags=re.MULTILINE))


def test_every_context_variable_is_documented_and_nothing_more():
    fields = {f.name for f in dataclasses.fields(TemplateContext)}
    assert fields == {"campaign", "day", "post", "helplines", "contact"}
    expected = {
        f"{prefix}.{f.name}"
        for prefix, view in (("campaign", CampaignView), ("day", DayView), ("post", PostView))
        for f in dataclasses.fields(view)
    }
    expected |= {
        f"helplines.<id>.{name}" for name in ("name", "number", "purpose", "run_by", "hours_text")
    }
    expected.add("contact.<name>")
    assert _documented() == expected


def test_shipped_week_covers_the_press_release_themes(shipped_config):
    from campaign.render import render_plan

    text = "\n".join(post.text for post in render_plan(shipped_config)).lower()
    for fact in (
        "pattern of fixated and obsessive behaviour",  # the definition
        "follow",  # physical signs
        "email or whatsapp",  # online signs
        "phone or computer",  # spyware
        "social media",
        "family and friends",
        "0808 802 0300",
        "999",
        "101",
        "@derpolcontact",
        "/derbyshireconstabulary",
        "www.derbyshire.police.uk/contact-us",
    ):
        assert fact in text, fact
