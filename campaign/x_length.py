"""Count an X (Twitter) post the way X does, before we try to publish it.

X does not count characters: it counts a *weighted length* (twitter-text's ``parseTweet``
with the "v3" configuration). Latin text weighs 1 per character, CJK and most other scripts
2, each emoji sequence 2 however many code points it has, and every URL 23 however long it
is, because X replaces it with a t.co link. A post is accepted when that total is 1-280.
Counting it ourselves lets the planner reject or flag an over-long post when it is written,
not when the scheduled publish fails.

Ranges are reported in UTF-16 code units, like the reference implementation, so that they
can be compared with its conformance data and used by JavaScript front ends unchanged.
"""

import unicodedata
from dataclasses import dataclass

import emoji

from campaign.x_urls import find_urls

__all__ = ["MAX_WEIGHTED_LENGTH", "XLength", "measure", "weighted_length"]

MAX_WEIGHTED_LENGTH = 280
TRANSFORMED_URL_LENGTH = 23  # t.co link length
EMOJI_WEIGHT = 2
DEFAULT_WEIGHT = 2
# Code points that weigh 1 (twitter-text's v3 "ranges": Latin-1 to Hangul Jamo, and the
# spaces, dashes, quotes and primes of General Punctuation).
LIGHT_RANGES: tuple[tuple[int, int], ...] = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
INVALID_CHARACTERS = frozenset("\ufffe\ufeff\uffff")
TEXT_PRESENTATION = "\ufe0e"  # VS15: asks for the plain-text glyph, so not an emoji


@dataclass(frozen=True)
class XLength:
    """What X would say about a post's length (twitter-text ``parseTweet`` fields)."""

    weighted_length: int  # what X counts against the 280 limit
    permillage: int  # weighted_length * 1000 // 280
    valid: bool  # 0 < weighted_length <= 280 and no invalid characters
    display_range: tuple[int, int]  # inclusive UTF-16 range of the whole original text
    valid_range: tuple[int, int]  # inclusive UTF-16 range of the part that fits


def _char_weight(char: str) -> int:
    """Weight of one code point that is neither in a URL nor in an emoji."""
    code = ord(char)
    return 1 if any(low <= code <= high for low, high in LIGHT_RANGES) else DEFAULT_WEIGHT


def _utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit twitter-text's ranges use."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _emoji_ends(text: str) -> dict[int, int]:
    """Map start -> end (code points) of each emoji sequence, per the ``emoji`` package.

    A single-code-point emoji followed by VS15 (e.g. "©\\ufe0e") is text, as in
    twitter-text's emoji regex; that only changes the count for © and ®, the other
    single-code-point emoji weigh 2 anyway.
    """
    ends: dict[int, int] = {}
    for found in emoji.emoji_list(text):
        start, end = found["match_start"], found["match_end"]
        if end - start == 1 and text[end : end + 1] == TEXT_PRESENTATION:
            continue
        ends[start] = end
    return ends


def measure(text: str) -> XLength:
    """Weigh ``text`` as X does (twitter-text ``parseTweet``, v3 config).

    The text is NFC-normalised first, so "A" + combining acute counts once, like "Á".
    """
    normalized = unicodedata.normalize("NFC", text)
    url_ends = {span.start: span.end for span in find_urls(normalized)}
    emoji_ends = _emoji_ends(normalized)

    total = 0
    no_invalid = True
    valid_end = 0  # UTF-16 index (in `normalized`) of the last unit that still fits
    index = 0
    offset16 = 0  # UTF-16 index of `index`
    while index < len(normalized):
        if index in url_ends:
            end, weight = url_ends[index], TRANSFORMED_URL_LENGTH
        elif index in emoji_ends:
            end, weight = emoji_ends[index], EMOJI_WEIGHT
        else:
            end, weight = index + 1, _char_weight(normalized[index])
        total += weight
        offset16 += _utf16_len(normalized[index:end])
        # Like twitter-text, only the last code point of a URL or emoji is checked.
        no_invalid = no_invalid and normalized[end - 1] not in INVALID_CHARACTERS
        if no_invalid and total <= MAX_WEIGHTED_LENGTH:
            valid_end = offset16 - 1
        index = end

    # Ranges refer to the text as given, so shift by what normalisation added or removed.
    text_len16 = _utf16_len(text)
    valid_end += text_len16 - _utf16_len(normalized)
    return XLength(
        weighted_length=total,
        permillage=total * 1000 // MAX_WEIGHTED_LENGTH,
        valid=no_invalid and 0 < total <= MAX_WEIGHTED_LENGTH,
        display_range=(0, max(text_len16 - 1, 0)),
        valid_range=(0, valid_end),
    )


def weighted_length(text: str) -> int:
    """Just the number X counts against the 280 limit."""
    return measure(text).weighted_length
