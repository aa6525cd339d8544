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

import re
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
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# A run of non-ASCII text with the character before it: no emoji sequence holds an ASCII
# character except as its first (the keycaps "1\ufe0f\u20e3", "#\ufe0f\u20e3"), so every emoji
# in a text lies inside one of these runs.
_EMOJI_RUN = re.compile(r"[\x00-\x7f]?[^\x00-\x7f]+")
_ASCII_OR_NOT = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")


def _emoji_ends(text: str) -> dict[int, int]:
    """Map start -> end (code points) of each emoji sequence, per the ``emoji`` package.

    A single-code-point emoji followed by VS15 (e.g. "©\\ufe0e") is text, as in
    twitter-text's emoji regex; that only changes the count for © and ®, the other
    single-code-point emoji weigh 2 anyway. The package's tokenizer walks a text code point
    by code point in Python, so only the runs that can hold an emoji are given to it.
    """
    ends: dict[int, int] = {}
    for run in _EMOJI_RUN.finditer(text):
        for found in emoji.emoji_list(run.group()):
            start, end = run.start() + found["match_start"], run.start() + found["match_end"]
            if end - start == 1 and text[end : end + 1] == TEXT_PRESENTATION:
                continue
            ends[start] = end
    return ends


def measure(text: str) -> XLength:
    """Weigh ``text`` as X does (twitter-text ``parseTweet``, v3 config).

    The text is NFC-normalised first, so "A" + combining acute counts once, like "Á". URLs
    weigh 23, emoji sequences 2, other code points 1 or 2. A run of plain ASCII between them
    (most of a post in English) is counted at once: each of its characters weighs 1, is one
    UTF-16 unit and is valid, so only a run that crosses the limit is walked code point by
    code point, to find where the valid range ends.
    """
    normalized = unicodedata.normalize("NFC", text)
    units = {span.start: (span.end, TRANSFORMED_URL_LENGTH) for span in find_urls(normalized)}
    for start, end in _emoji_ends(normalized).items():
        units.setdefault(start, (end, EMOJI_WEIGHT))
    count = _Count()
    index = 0
    while index < len(normalized):
        if index in units:
            end, weight = units[index]
            count.add(weight, _utf16_len(normalized[index:end]), normalized[end - 1])
            index = end
            continue
        end = min([start for start in units if start > index], default=len(normalized))
        for piece in _ASCII_OR_NOT.findall(normalized, index, end):
            if piece.isascii() and count.fits(len(piece)):
                count.add_plain(len(piece))  # ASCII: 1 each, one UTF-16 unit each, all valid
            else:
                for char in piece:
                    count.add(_char_weight(char), 2 if ord(char) > 0xFFFF else 1, char)
        index = end
    # Ranges refer to the text as given, so shift by what normalisation added or removed.
    shift = _utf16_len(text) - _utf16_len(normalized)
    return _result(text, count.total, count.no_invalid, count.valid_end + shift)


class _Count:
    """The running weighted length, and the UTF-16 end of the longest start that fits."""

    def __init__(self) -> None:
        self.total = 0
        self.no_invalid = True
        self.valid_end = 0  # UTF-16 index of the last unit that still fits
        self.offset16 = 0  # UTF-16 units counted so far

    def fits(self, weight: int) -> bool:
        return self.no_invalid and self.total + weight <= MAX_WEIGHTED_LENGTH

    def add(self, weight: int, units16: int, last: str) -> None:
        """One URL, emoji or code point; like twitter-text, only its last code point is
        checked for invalid characters."""
        self.total += weight
        self.offset16 += units16
        self.no_invalid = self.no_invalid and last not in INVALID_CHARACTERS
        if self.no_invalid and self.total <= MAX_WEIGHTED_LENGTH:
            self.valid_end = self.offset16 - 1

    def add_plain(self, length: int) -> None:
        """`length` characters of weight 1 that all fit (see `fits`)."""
        self.total += length
        self.offset16 += length
        if length:
            self.valid_end = self.offset16 - 1


def _result(text: str, total: int, no_invalid: bool, valid_end: int) -> XLength:
    text_len16 = _utf16_len(text)
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
