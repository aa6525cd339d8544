"""Flesch reading ease, so officers see how plain their English is.

Computed here on top of `pyphen` (a maintained hyphenation dictionary) for syllables: the
`textstat` package needs `pkg_resources` or NLTK data downloads, neither acceptable here.
Hashtags, handles, URLs, numbers and emoji are left out: they are not prose.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyphen

_NOT_PROSE = re.compile(r"(#\w+|@\w+|https?://\S+|www\.\S+|/\w+)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# A run of ".", "!" and "?", or of line breaks; written to start with one character class so
# the search skips to the next one instead of trying every position.
_SENTENCE_END = re.compile(r"[.!?\n](?:(?<=\n)\n*|[.!?]*)")


@lru_cache(maxsize=1)
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_GB")


@lru_cache(maxsize=65_536)
def syllables(word: str) -> int:
    """Syllables of one word; cached, as a plan's posts share most of their words."""
    return max(1, len(_dictionary().positions(word.lower())) + 1)


def flesch_reading_ease(text: str) -> float | None:
    """206.835 − 1.015 × words per sentence − 84.6 × syllables per word; None without words."""
    prose = _NOT_PROSE.sub(" ", text)
    words = _WORD.findall(prose)
    if not words:
        return None
    sentences = [s for s in _SENTENCE_END.split(prose) if _WORD.search(s)]
    count = sum(map(syllables, words))
    score = 206.835 - 1.015 * len(words) / max(1, len(sentences)) - 84.6 * count / len(words)
    return round(score, 1)
