"""Phone numbers as their owners write them: found in text, compared in E.164, short codes too."""

from __future__ import annotations

import re

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign.config import load_config
from campaign.errors import ConfigError
from campaign.phones import _full_numbers, find_numbers, number_key
from campaign.planning import check_plan


def _found(text: str, region: str = "GB") -> list[tuple[str, str | None]]:
    return [(n.raw, n.key) for n in find_numbers(text, region)]


def _phone_findings(campaign_dir):
    report = check_plan(load_config(campaign_dir / "config.toml")).report
    return [f for f in report.findings if f.rule.startswith(("phone", "helpline"))]


def test_every_written_form_of_a_number_is_one_number():
    text = (
        "Call 0808 802 0300, +44 808 802 0300, +44 (0)808 802 0300 or 080 880 20300. "
        "Or ring (01267) 222020."
    )
    assert _found(text) == [
        ("0808 802 0300", "+448088020300"),
        ("+44 808 802 0300", "+448088020300"),
        ("+44 (0)808 802 0300", "+448088020300"),
        ("080 880 20300", "+448088020300"),
        ("(01267) 222020", "+441267222020"),
    ]


def test_victim_supports_own_grouping_is_one_number_not_111():
    assert _found("Victim Support: 08 08 16 89 111, free.") == [
        ("08 08 16 89 111", "+448081689111")
    ]


def test_short_codes_are_recognised_and_counts_are_not():
    assert _found("Call 0808 802 0300, or 999, or 101. Samaritans: call 116 123.") == [
        ("0808 802 0300", "+448088020300"),
        ("999", "999"),
        ("101", "101"),
        ("116 123", "116123"),
    ]
    assert _found("In 2020 at 10:00, 1,999 people and page 101.5; over 100 victims") == []


def test_a_mistyped_number_is_found_without_a_key():
    assert _found("Call 0808 802 030 today") == [("0808 802 030", None)]


def test_other_regions_read_their_own_national_numbers():
    example = phonenumbers.example_number("IE")
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    assert number_key(national, "IE") == e164
    assert _found(f"Ring us on {national}.", "IE") == [(national, e164)]


@pytest.mark.parametrize(
    "configured",
    ["+44 808 802 0300", "+44 (0)808 802 0300", "0808-802-0300", "080 880 20300"],
)
def test_a_helpline_configured_in_any_form_matches_itself_and_the_others(
    campaign_dir, edit, configured
):
    edit("config.toml", 'number = "0808 802 0300"', f'number = "{configured}"')
    edit(
        "posts/how-to-report/facebook.j2",
        "How do I report stalking?",
        "How do I report stalking? The helpline is on 0808 802 0300 on Mondays.",
    )
    # Matched to the helpline, so its hours apply: the post goes out on a Saturday.
    [finding] = _phone_findings(campaign_dir)
    assert finding.rule == "helpline-closed" and "National Stalking Helpline" in finding.message


def test_victim_support_written_its_own_way_is_accepted(campaign_dir, edit):
    edit(
        "config.toml",
        "[helplines.emergency]",
        '[helplines.victim_support]\nname = "Victim Support"\nnumber = "08 08 16 89 111"\n'
        'purpose = "free support"\n\n[helplines.emergency]',
    )
    edit(
        "posts/how-to-report/facebook.j2",
        "How do I report stalking?",
        "How do I report stalking? Victim Support: {{ helplines.victim_support.number }}.",
    )
    assert _phone_findings(campaign_dir) == []


def test_a_number_in_brackets_is_checked(campaign_dir, edit):
    edit(
        "posts/how-to-report/facebook.j2",
        "How do I report stalking?",
        "How do I report stalking? Ring the station on (01267) 222020.",
    )
    [finding] = _phone_findings(campaign_dir)
    assert finding.rule == "phone-unknown" and "(01267) 222020" in finding.message
    assert finding.where == "how-to-report/facebook.j2:1"


def test_a_mistyped_helpline_in_a_post_is_an_error(campaign_dir, edit):
    edit(
        "posts/how-to-report/facebook.j2",
        "How do I report stalking?",
        "How do I report stalking? Call 0808 802 030.",
    )
    [finding] = _phone_findings(campaign_dir)
    assert finding.severity == "error" and finding.rule == "phone-invalid"
    assert "0808 802 030" in finding.message


def test_numbers_in_alt_text_are_checked_at_their_config_line(campaign_dir, edit):
    path = campaign_dir / "config.toml"
    path.write_text(path.read_text().replace("Otherwise call 101.", "Or call 0800 555 0199."))
    findings = _phone_findings(campaign_dir)
    assert {f.key for f in findings} == {
        "2020-04-24-x",
        "2020-04-24-facebook",
        "2020-04-24-instagram",
    }
    finding = findings[0]
    assert finding.rule == "phone-unknown" and "alt text of images/helpline-card.png" in (
        finding.message
    )
    config_lines = (campaign_dir / "config.toml").read_text().splitlines()
    assert finding.template == "config.toml" and "0800 555 0199" in config_lines[finding.line - 1]


def test_a_helpline_that_is_no_number_is_a_config_error_naming_the_field(campaign_dir, edit):
    edit("config.toml", 'number = "0808 802 0300"', 'number = "0808 802 030"')
    with pytest.raises(ConfigError) as info:
        load_config(campaign_dir / "config.toml")
    assert "helplines.stalking.number" in str(info.value) and "0808 802 030" in str(info.value)
    assert info.value.exit_code == 2


def test_phone_region_is_validated(campaign_dir, edit):
    edit("config.toml", 'phone_region = "GB"', 'phone_region = "UK"')
    with pytest.raises(ConfigError, match=r"checks\.phone_region.*'UK'"):
        load_config(campaign_dir / "config.toml")


number_like = st.sampled_from(
    [
        "0808 802 0300",
        "+44 (0)808 802 0300",
        "08 08 16 89 111",
        "0808 802\n0300",
        "(01267) 222020",
        "999",
        "101",
        "116 123",
        "2027-03-01 08:00",
        "07:45",
        "ext. 12",
        "Call ",
        "x",
        "-",
        "(",
        "+",
        " ",
        "\n",
        "\n\n",
        ". ",
    ]
)


@given(
    st.lists(st.one_of(number_like, st.from_regex(r"[0-9 ]{1,14}", fullmatch=True)), max_size=12)
)
def test_numbers_found_line_by_line_are_those_found_in_the_whole_text(pieces):
    # find_numbers reads full numbers one line at a time (each distinct line once); that is
    # only right if the matcher never takes a line break into a number, whatever surrounds it.
    text = "".join(pieces)
    by_line = [
        (raw, line.start() + start, key)
        for line in re.finditer(r"[^\n]+", text)
        for raw, start, _, key in _full_numbers(line.group(), "GB")
    ]
    whole = [(raw, start, key) for raw, start, _, key in _full_numbers(text, "GB")]
    assert by_line == whole
    full = [
        (n.raw, n.start, n.key)
        for n in find_numbers(text, "GB")
        if (n.raw, n.start, n.key) in whole
    ]
    assert full == whole


def test_a_number_dialled_with_the_international_prefix_is_read_not_a_crash():
    # "00" is how the UK dials abroad; "00808" is no short code, and parsing it as one failed.
    assert "00808" not in [raw for raw, _ in _found("From abroad call 00808 802 0300.")]
    assert _found("From abroad call 0044 808 802 0300.") == [("0044 808 802 0300", "+448088020300")]
