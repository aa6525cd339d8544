"""The checks' patterns were rewritten to be searched faster: each finds exactly what the plain
form it replaced found (kept here as the reference), whatever the text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.checks import content, markup, readability
from campaign.phones import _SHORT

HASHTAG = re.compile(r"(?<![\w/&#])#([A-Za-z_][A-Za-z0-9_]*)")
SHORT = re.compile(r"(?<![\w+,.:/-])(\d{3} \d{3}|\d{3,6})(?![\w:/-]|[.,]\d)")
SENTENCE_END = re.compile(r"[.!?]+|\n+")
MARKUP = [re.compile(pattern.pattern, re.IGNORECASE) for _, _, pattern in markup._KINDS]

pieces = st.sampled_from(
    [
        "#",
        "#Tag",
        "#tag_1",
        "C#",
        "&#39;",
        "/#x",
        "##a",
        " ",
        "\n",
        "\n\n",
        "\u3000",
        "\xa0",
        "\t",
        ".",
        "!?",
        ",",
        ":",
        "-",
        "+",
        "/",
        "1",
        "116 123",
        "999",
        "0808 802 0300",
        "1.5",
        "12:30",
        "a",
        "Zz",
        "é",
        "٣",
        "<b>",
        "</i>",
        "< script src=x>",
        "ſcript",
        "SCRİPT",
        "<SCRİPT>",
        "javaſcrİpt:",
        "/999",
        ",101",
        "\u3000#Tag",
        "\t#a #B\n",
        "javascript:",
        "VBScript :",
        "data:text/html,",
        "DATA:image/png;",
        "onerror=",
        "ONLOAD = 'x'",
        "=",
    ]
)
texts = st.lists(st.one_of(pieces, st.text(max_size=3)), max_size=16).map("".join)


@settings(max_examples=400)
@given(texts)
def test_hashtags_are_the_ones_the_plain_pattern_finds(text):
    assert content._HASHTAG.findall(text) == HASHTAG.findall(text)


@settings(max_examples=400)
@given(texts)
def test_trailing_hashtags_are_the_ones_the_plain_pattern_removes(text):
    assert content._without_trailing_tags(text) == content._TRAILING_TAGS.sub("", text)


@settings(max_examples=400)
@given(texts)
def test_short_codes_are_the_ones_the_plain_pattern_finds(text):
    found = [(m.start(), m.group(1)) for m in _SHORT.finditer(text)]
    assert found == [(m.start(), m.group(1)) for m in SHORT.finditer(text)]


@settings(max_examples=400)
@given(texts)
def test_sentences_split_where_the_plain_pattern_splits(text):
    assert readability._SENTENCE_END.split(text) == SENTENCE_END.split(text)


@settings(max_examples=400)
@given(texts)
def test_markup_is_what_every_pattern_searched_everywhere_finds(text):
    seen: set[str] = set()
    expected = []
    for (kind, _, _), pattern in zip(markup._KINDS, MARKUP, strict=True):
        match = pattern.search(text)
        if match and not any(match.group() in earlier for earlier in seen):
            seen.add(match.group())
            expected.append((kind, match.group()[:40]))
    assert list(markup._markup(text)) == expected
