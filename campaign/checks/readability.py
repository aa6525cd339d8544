"""Flesch reading ease, so officers see how plain their English is.

The formula's weights were fitted to English: it scores only texts in English, and records any
other language's text as not scored (`None`), never an English score of Welsh text (Welsh words
run longer in syllables, so the formula would call plain Welsh hard).

Computed here on top of `pyphen` (a maintained hyphenation dictionary) for syllables: the
`textstat` package needs `pkg_resources` or NLTK data downloads, neither acceptable here.
Hashtags, handles, URLs, numbers and emoji are left out: they are not prose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import pyphen

from campaign.checks.findings import Finding, post_finding
from campaign.checks.texts import text_label, texts_of
from campaign.config import CampaignConfig, same_language
from campaign.render import RenderedPost

SCORED_LANGUAGE = "en"  # the language the formula is for

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


def can_score(tag: str) -> bool:
    """Whether a text in language `tag` can be scored (English, any region)."""
    return bool(tag) and same_language(tag, SCORED_LANGUAGE)


def reading_scores(post: RenderedPost, config: CampaignConfig) -> dict[str, float | None]:
    """Each text's score by its language tag, in order; None: not scored (not English, or no
    words to score)."""
    return {
        variant.lang: flesch_reading_ease(variant.text) if can_score(variant.lang) else None
        for variant in texts_of(post, config)
    }


def english_score(scores: dict[str, float | None]) -> float | None:
    """The post's one score: its text's when every text is English and scored; else None."""
    if scores and all(can_score(tag) for tag in scores) and len(scores) == 1:
        return next(iter(scores.values()))
    return None


def check_readability(
    post: RenderedPost, config: CampaignConfig, scores: dict[str, float | None]
) -> Iterator[Finding]:
    """A warning for each English text whose reading ease is below the house minimum."""
    least = config.checks.min_reading_ease
    for variant in texts_of(post, config):
        score = scores.get(variant.lang)
        if score is None or score >= least:
            continue
        yield post_finding(
            post,
            "warning",
            "readability",
            f"reading ease {score:.0f}"
            + (f" of {text_label(post, variant)}" if post.bilingual else "")
            + f" is below {least:.0f} (60-70 is plain English)",
            "use shorter sentences and everyday words",
            "",
            variant,
        )
