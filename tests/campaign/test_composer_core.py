"""The composer's core without Flask: a draft rendered and checked as `campaign check` would,
times read in the campaign's zone, uploads judged by their bytes."""

from __future__ import annotations

import io
import os
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from campaign.config import CampaignConfig
from campaign.content.drafts import Draft, DraftImage, copy_to, from_source, new_key, to_source
from campaign.content.images import ImageRefused, MediaFacts, check_media, check_upload
from campaign.content.live import check_draft, check_fields
from campaign.content.source import PostSource, join_parts
from campaign.content.when import resolve
from campaign.errors import RevisionConflict
from campaign.planning import store_plan
from campaign.store import Store
from campaign.store.content import StoredCampaign

SLUG = "stalking-awareness-week-2020"


def _content(config: CampaignConfig, store: Store) -> StoredCampaign:
    """The campaign planned, then read back from the store as the composer reads it."""
    store_plan(config, store, "olly")
    return store.content(SLUG)


@pytest.fixture
def content(shipped_config: CampaignConfig, store: Store) -> StoredCampaign:
    return _content(shipped_config, store)


@pytest.fixture
def year_long(shipped_config: CampaignConfig, store: Store) -> StoredCampaign:
    """The campaign stretched over both 2020 clock changes (29 March, 25 October)."""
    info = shipped_config.campaign.model_copy(
        update={"start": date(2020, 3, 1), "end": date(2020, 10, 31)}
    )
    return _content(shipped_config.model_copy(update={"campaign": info}), store)


def _draft(content: StoredCampaign, key: str, **changes: Any) -> PostSource:
    return replace(content.sources[key], **changes)


def _png(size: tuple[int, int] = (1200, 675), fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 40, 90)).save(buffer, fmt)
    return buffer.getvalue()


def test_a_three_part_thread_is_rendered_with_each_parts_count(content: StoredCampaign) -> None:
    source = content.sources["2020-04-21-x"]
    parts = [*source.parts_text(), "Call {{ helplines.stalking.number }} {{ campaign.hashtag }}"]
    live = check_draft(content, replace(source, text=join_parts(parts)))
    assert live.ok, live.findings
    assert len(live.parts) == 3
    assert live.parts[2] == "Call 0808 802 0300 #SeeStalkingClearly"
    assert [c.limit for c in live.counts] == [280, 280, 280]
    assert live.counts[2].count == len("Call 0808 802 0300 #SeeStalkingClearly")
    assert live.as_json()["time"]["zone"] == "BST (UTC+01:00)"


def test_a_part_over_the_limit_is_an_error_with_its_count(content: StoredCampaign) -> None:
    source = content.sources["2020-04-21-x"]
    long = "Stalking is a crime. " * 20 + "{{ campaign.hashtag }}"
    live = check_draft(content, replace(source, text=join_parts([long])))
    assert live.counts[0].over
    assert [f.rule for f in live.errors] == ["x-length"]
    assert not live.ok


def test_the_helpline_closed_at_the_weekend_is_a_warning(content: StoredCampaign) -> None:
    """Moved to Saturday, a post giving the stalking helpline's number warns it is closed."""
    live = check_draft(content, _draft(content, "2020-04-21-x", date=date(2020, 4, 25)))
    assert live.ok
    [warning] = live.warnings
    assert warning.rule == "helpline-closed"
    assert "closed at Saturday 10:00" in warning.message
    assert live.by_field()["when"] == [warning]


def test_a_time_in_the_spring_forward_gap_is_refused(year_long: StoredCampaign) -> None:
    draft = _draft(year_long, "2020-04-21-x", date=date(2020, 3, 29), time="01:30")
    live = check_draft(year_long, draft)
    assert not live.ok
    [error] = [f for f in live.errors if f.rule == "time"]
    assert "does not exist in Europe/London: the clocks go forward" in error.message
    assert live.parts, "the text is still shown"


def test_an_ambiguous_time_needs_a_fold(year_long: StoredCampaign) -> None:
    draft = _draft(year_long, "2020-04-21-x", date=date(2020, 10, 25), time="01:30", fold=None)
    live = check_draft(year_long, draft)
    assert [f.rule for f in live.errors] == ["time"]
    assert "happens twice" in live.time.problem
    assert [c.fold for c in live.time.choices] == [0, 1]
    assert "BST" in live.time.choices[0].label and "GMT" in live.time.choices[1].label

    second = check_draft(year_long, replace(draft, fold=1))
    assert second.ok, second.findings
    assert second.post is not None
    assert second.post.scheduled_at == datetime(2020, 10, 25, 1, 30, tzinfo=UTC)


def test_resolve_says_what_is_missing() -> None:
    zone = ZoneInfo("Europe/London")
    assert resolve(None, "10:00", zone, None).problem == "Give the date of the post."
    assert "is not a time" in resolve(date(2020, 4, 20), "25:00", zone, None).problem
    assert resolve(date(2020, 4, 20), "10:00", zone, None).moment == datetime(
        2020, 4, 20, 9, 0, tzinfo=UTC
    )


def test_alt_text_is_required(content: StoredCampaign) -> None:
    source = content.sources["2020-04-20-x"]
    [image] = source.images
    live = check_draft(content, replace(source, images=(replace(image, alt="  "),)))
    assert "alt-text-missing" in [f.rule for f in live.errors]
    assert "images" in live.by_field()


def test_a_date_without_a_day_asks_for_the_theme(year_long: StoredCampaign) -> None:
    draft = Draft(
        key=None,
        channel="x",
        date="2020-05-04",
        time="10:00",
        parts=("Stalking is a crime. {{ campaign.hashtag }}",),
    )
    live = check_fields(year_long, draft)
    assert [f.rule for f in live.errors] == ["day-theme"]
    themed = check_fields(year_long, replace(draft, theme="Where to get help"))
    assert themed.ok, themed.findings
    assert themed.source is not None
    assert themed.source.day_slug == "where-to-get-help"
    assert themed.source.key == "2020-05-04-x"


def test_a_date_outside_the_campaign_is_refused(content: StoredCampaign) -> None:
    live = check_draft(
        content, _draft(content, "2020-04-21-x", date=date(2020, 5, 4), theme="Later")
    )
    assert "date" in [f.rule for f in live.errors]


def test_no_date_is_a_finding_not_a_crash(content: StoredCampaign) -> None:
    live = check_fields(content, Draft(key=None, channel="x", date="", time="10:00"))
    assert [f.message for f in live.errors] == ["Give the date of the post."]


def test_an_undefined_name_is_a_finding(content: StoredCampaign) -> None:
    source = content.sources["2020-04-21-x"]
    live = check_draft(content, replace(source, text="Call {{ helplines.stalkin.number }}\n"))
    [error] = live.errors
    assert error.rule == "template"
    assert "stalkin" in error.message


def test_text_repeating_another_post_of_the_account_is_refused(content: StoredCampaign) -> None:
    """Duplicates are found against the other posts' stored text, whichever goes first."""
    monday = content.sources["2020-04-20-x"]
    copy = replace(content.sources["2020-04-26-x"], text=monday.text, images=monday.images)
    live = check_draft(content, copy)
    assert "duplicate-text" in [f.rule for f in live.errors]


def test_a_copy_to_another_channel_gets_a_new_key(content: StoredCampaign) -> None:
    draft = copy_to(content.sources["2020-04-21-x"], content, "facebook")
    assert draft.key is None and draft.channel == "facebook"
    source = to_source(content, draft)
    assert source.key == "2020-04-21-facebook-2"  # 2020-04-21-facebook exists
    assert source.text == content.sources["2020-04-21-x"].text
    assert new_key(content, date(2020, 4, 21), "x") == "2020-04-21-x-2"


def test_a_non_image_upload_is_refused_by_its_content() -> None:
    with pytest.raises(ImageRefused, match="not an image"):
        check_upload(b"%PDF-1.4 a document renamed\n", "poster.png", "x")


def test_an_image_is_known_by_its_bytes_not_its_name() -> None:
    checked = check_upload(_png(), "poster.jpg", "x")
    assert checked.facts.format == "PNG"
    assert checked.mime == "image/png"
    assert checked.name == "poster.png"


def test_size_limits_are_the_platforms() -> None:
    side = 1400  # random pixels do not compress: about 5.9 MB
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(3 * side * side)).save(buffer, "PNG")
    with pytest.raises(ImageRefused, match="up to 5 MB"):
        check_upload(buffer.getvalue(), "big.png", "x")
    with pytest.raises(ImageRefused, match="up to 4 MB"):
        check_upload(buffer.getvalue(), "big.png", "facebook")


def test_facebook_takes_no_webp() -> None:
    with pytest.raises(ImageRefused, match="Facebook post takes PNG, JPEG or GIF"):
        check_upload(_png(fmt="WEBP"), "card.webp", "facebook")
    assert check_upload(_png(fmt="WEBP"), "card.webp", "x").mime == "image/webp"
    problem = check_media(MediaFacts("image/webp", 1000, 1200, 675), "card.webp", "facebook")
    assert problem is not None and problem[0] == "image-format"


def test_a_stored_image_is_judged_against_the_posts_platform(content: StoredCampaign) -> None:
    source = content.sources["2020-04-20-facebook"]
    [image] = source.images
    facts = {image.sha256: MediaFacts("image/webp", 2000, 1200, 675)}
    live = check_draft(content, source, facts.get)
    assert "image-format" in [f.rule for f in live.errors]


def test_draft_images_keep_their_alt_text(content: StoredCampaign) -> None:
    draft = Draft(
        key="2020-04-20-x",
        channel="x",
        date="2020-04-20",
        time="10:00",
        parts=("a",),
        images=(DraftImage("a.png", " Alt ", "abc"),),
    )
    assert to_source(content, draft).images[0].alt == "Alt"


def test_the_accounts_cap_counts_the_other_stored_posts(shipped_config, store) -> None:
    """Four sends per 15 minutes on X: Monday's three-part 10:00 thread plus a two-part post
    at 10:05 is over; at 10:20 it is not."""
    x = shipped_config.accounts["x"].model_copy(update={"posts_per_15min": 4})
    config = shipped_config.model_copy(update={"accounts": {**shipped_config.accounts, "x": x}})
    content = _content(config, store)
    assert len(content.rows["2020-04-20-x"].parts) == 3
    draft = Draft(
        key=None,
        channel="x",
        date="2020-04-20",
        time="10:05",
        parts=("Stalking is a crime. {{ campaign.hashtag }}", "See it clearly."),
    )
    live = check_fields(content, draft)
    [error] = live.errors
    assert error.rule == "posting-limit" and "more than 4 times within 15 minutes" in error.message
    assert error.key == "2020-04-20-x-2"
    assert check_fields(content, replace(draft, time="10:20")).ok


def test_a_draft_saved_from_the_composers_fields_clears_the_approval(content, store) -> None:
    row = content.rows["2020-04-21-x"]
    store.approve(SLUG, "alice", keys=[row.key], expected={row.key: row.content_hash})
    draft = from_source(content.sources[row.key])
    changed = replace(draft, parts=(draft.parts[0], draft.parts[1].replace("Worried?", "Scared?")))
    base = content.revisions[row.key].number
    result = store.edit_post(SLUG, row.key, to_source(content, changed), "olly", base_revision=base)
    assert result.revision == base + 1
    assert "Scared?" in result.row.parts[1]
    [after] = store.posts(SLUG, keys=[row.key])
    assert after.state == "draft" and after.approved_by is None


def test_a_concurrent_save_is_refused(content, store) -> None:
    """Two officers open the same post; the second to save is told, and nothing of theirs is
    written."""
    key = "2020-04-21-x"
    base = content.revisions[key].number
    draft = from_source(content.sources[key])
    first = replace(draft, parts=("Know the signs. {{ campaign.hashtag }}", draft.parts[1]))
    second = replace(draft, parts=("Learn the signs. {{ campaign.hashtag }}", draft.parts[1]))
    store.edit_post(SLUG, key, to_source(content, first), "olly", base_revision=base)
    with pytest.raises(RevisionConflict, match="changed by olly since you opened it"):
        store.edit_post(SLUG, key, to_source(content, second), "alice", base_revision=base)
    [row] = store.posts(SLUG, keys=[key])
    assert row.parts[0] == "Know the signs. #SeeStalkingClearly"


def test_a_template_error_in_the_composer_names_no_file_an_officer_never_sees(
    content: StoredCampaign,
) -> None:
    source = content.sources["2020-04-21-x"]
    for text in ("Call {{ helplines.stalkin.number }}\n", "Call {% if %}\n"):
        [error] = check_draft(content, replace(source, text=text)).errors
        assert error.rule == "template"
        assert ".j2" not in error.message and "README" not in error.message, error.message


def test_a_cut_short_upload_is_refused_in_plain_words() -> None:
    with pytest.raises(ImageRefused) as refused:
        check_upload(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "poster.png", "x")
    said = str(refused.value)
    assert "damaged or cut short" in said
    assert "(" not in said.split("cut short", 1)[1], said  # no Pillow exception text
