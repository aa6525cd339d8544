"""Phone numbers as people write them, found and compared with `phonenumbers` (libphonenumber).

Full numbers are found by `PhoneNumberMatcher` and compared in E.164, so `0808 802 0300`,
`+44 808 802 0300`, `+44 (0)808 802 0300` and `080 880 20300` are one number, and Victim
Support's `08 08 16 89 111` is one number, not a stray `111`. A string that is dialled like a
number (it starts with `+` or the region's trunk prefix, `0` in the UK) but is no valid number is
kept too, with no E.164 form, so a mistyped helpline is caught rather than skipped.

Short codes (999, 101, 116 123) are not full numbers and the matcher does not find them. A run
of digits is one when `shortnumberinfo` says it is valid in the region and it is an emergency
number, a configured short code, or comes after a dialling word ("call", "ring", "text"...,
or Welsh: "ffoniwch") in its sentence; "over 100 victims" is a count, not the operator. A short
code means something only in its own region, so it is compared by its digits there.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher, shortnumberinfo

DEFAULT_REGION = "GB"
_MIN_DIALLED_DIGITS = 9  # shorter digit runs after a 0 are times and references, not numbers
# 3-6 digits (or "116 123"), not inside a longer number, a time, a decimal or a reference.
# Written digit first so the search skips to each digit instead of trying every position.
_SHORT = re.compile(r"(\d(?<![\w+,.:/-]\d)(?:\d\d \d{3}|\d{2,5}))(?![\w:/-]|[.,]\d)")
# English and Welsh (with the mutated forms: "ei rif", "fy nrhif", "y linell")
_DIALLING = re.compile(
    r"\b(call|ring|dial|phone|text|txt|tel|telephone|helpline|line|number"
    r"|ffoniwch|ffonia|ffonio|ffôn|galwch|tecstiwch|tecstia|tecstio|rhif|rif|nrhif"
    r"|llinell|linell)\b|📞|☎",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?\n](?:\s|$)")
_LINE = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class FoundNumber:
    """A number in a text: as written, where, and its key (None when it is no valid number)."""

    raw: str
    start: int
    key: str | None


def is_region(region: str) -> bool:
    """Whether `phonenumbers` knows the region code (e.g. 'GB', 'IE')."""
    return region in phonenumbers.SUPPORTED_REGIONS


@lru_cache(maxsize=1024)
def number_key(number: str, region: str) -> str:
    """The comparable form of a configured number: E.164 ('+448088020300') or a short code's
    digits ('116123'); ValueError says what is wrong with a number that is neither. Cached:
    every post's check compares with the same few helplines."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException as exc:
        reason = str(exc).split(") ", 1)[-1].rstrip(".").lower()
        raise ValueError(f"{number!r} is not a phone number: {reason}") from None
    if phonenumbers.is_valid_number(parsed):
        return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
    digits = re.sub(r"\D", "", number)
    if not number.lstrip().startswith("+") and shortnumberinfo.is_valid_short_number_for_region(
        phonenumbers.parse(digits, region), region
    ):
        return digits
    raise ValueError(
        f"{number!r} is not a valid phone number or short code in {region}: check the number "
        "with the line's owner (or set [checks] phone_region)"
    )


def find_numbers(text: str, region: str, known: Collection[str] = ()) -> list[FoundNumber]:
    """Every phone number and short code in `text`, in order; `known` are configured keys.

    Full numbers are looked for line by line: libphonenumber's matcher never takes a line
    break into a number, and the lines of a plan's posts repeat from post to post (the
    helpline block, the footer), so each distinct line is matched once (`_full_numbers`).
    """
    found: list[FoundNumber] = []
    taken: list[range] = []
    for line in _LINE.finditer(text):
        for raw, start, end, key in _full_numbers(line.group(), region):
            found.append(FoundNumber(raw, line.start() + start, key))
            taken.append(range(line.start() + start, line.start() + end))
    for match in _SHORT.finditer(text):
        if any(match.start() in span for span in taken):
            continue
        digits = match.group(1).replace(" ", "")
        if _is_short_code(digits, region, known, text[: match.start()]):
            found.append(FoundNumber(match.group(1), match.start(), digits))
    return sorted(found, key=lambda number: number.start)


@lru_cache(maxsize=8192)
def _full_numbers(text: str, region: str) -> tuple[tuple[str, int, int, str | None], ...]:
    """(as written, start, end, E.164 key or None) of each full number in `text`."""
    prefix = phonenumbers.ndd_prefix_for_region(region, True) or ""
    found = []
    for match in PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE):
        if phonenumbers.is_valid_number(match.number):
            key: str | None = phonenumbers.format_number(match.number, PhoneNumberFormat.E164)
        elif _dialled(match.raw_string, prefix):
            key = None
        else:
            continue
        found.append((match.raw_string, match.start, match.end, key))
    return tuple(found)


def _dialled(raw: str, trunk_prefix: str) -> bool:
    """Whether an invalid match is written the way a phone number is dialled."""
    digits = re.sub(r"\D", "", raw)
    start = raw.lstrip("( ")
    starts_like_a_number = start.startswith("+") or bool(
        trunk_prefix and start.startswith(trunk_prefix)
    )
    return starts_like_a_number and len(digits) >= _MIN_DIALLED_DIGITS


def _is_short_code(digits: str, region: str, known: Collection[str], before: str) -> bool:
    if digits in known:
        return True
    kind = _short_kind(digits, region)
    if kind is None:
        return False
    if kind == "emergency":
        return True
    sentence = _SENTENCE_END.split(before)[-1]
    return bool(_DIALLING.search(sentence))


@lru_cache(maxsize=4096)
def _short_kind(digits: str, region: str) -> str | None:
    """ "emergency", "short" (another valid short code) or None; cached, as a plan repeats its
    few short codes (and years, counts and times that are none) in post after post."""
    try:
        parsed = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:  # e.g. "00808": an international prefix
        return None
    if not shortnumberinfo.is_valid_short_number_for_region(parsed, region):
        return None
    return "emergency" if shortnumberinfo.is_emergency_number(digits, region) else "short"
