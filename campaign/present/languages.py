"""Which language each text of a card is in, in the words and marks the pages show.

Screen readers switch voice on `lang`: a Welsh text read with an English voice is noise, so
every text a page shows carries its own language tag (a bilingual post's texts each in their
own element), while the page around them stays in the interface's language. A pair's posts
(one per language, on separate accounts) are one unit for people: shown together under one
heading, approved together. Reading ease (Flesch) is a formula for English: any other language
is "not scored", never given an English score (the check report's scores by language).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import langcodes

from campaign.config import BILINGUAL_SEPARATOR, language_name, same_language

if TYPE_CHECKING:
    from campaign.present.cards import CardView
    from campaign.render import PostContent

SCORED_LANGUAGE = "en"  # the one language the reading-ease formula is made for
# Scripts written right to left: a text in one of them is marked dir="rtl".
RIGHT_TO_LEFT = {"Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm", "Rohg", "Mand", "Samr"}


@dataclass(frozen=True)
class Language:
    """A language as a page names it: "Cymraeg (Welsh)", the own name marked with its tag."""

    tag: str  # BCP 47, as configured ("cy", "en-GB")
    own: str  # its own name: "Cymraeg"
    english: str  # its name in English: "Welsh"
    name: str  # "Cymraeg (Welsh)"; "English"
    dir: str  # "ltr" or "rtl"

    @property
    def gloss(self) -> str:
        """What its name adds to its own name: " (Welsh)" ("" for English)."""
        return self.name.removeprefix(self.own)

    @property
    def scored(self) -> bool:
        """Whether the reading-ease formula applies to it (English only)."""
        return same_language(self.tag, SCORED_LANGUAGE)


@lru_cache(maxsize=64)
def language(tag: str) -> Language:
    found = langcodes.Language.get(tag)
    script = found.maximize().script
    return Language(
        tag=tag,
        own=found.autonym(),
        english=found.language_name(),
        name=language_name(tag),
        dir="rtl" if script in RIGHT_TO_LEFT else "ltr",
    )


@dataclass(frozen=True)
class Text:
    """One language's text (of one thread part, or of an image's alt text), shown in its own
    element; `language` None: not known (shown without a mark of its own)."""

    language: Language | None
    text: str

    @property
    def lang(self) -> str:
        return self.language.tag if self.language is not None else ""


def texts(post: PostContent, default: str) -> tuple[tuple[Text, ...], ...]:
    """Each thread part's texts, language by language in order. `default` is the language of a
    post stored without languages (a post in the campaign's one language)."""
    if len(post.variants) < 2:  # what is sent, in its one language
        held = language(post.lang or default)
        return tuple((Text(held, part),) for part in post.parts)
    count = max(len(variant.parts) for variant in post.variants)
    return tuple(
        tuple(
            Text(language(variant.lang), variant.parts[index])
            for variant in post.variants
            if index < len(variant.parts)
        )
        for index in range(count)
    )


def alt_texts(alt: str, held: Sequence[Language]) -> tuple[Text, ...]:
    """An image's alt text by language: a bilingual post's holds each language's, in order
    (`render._alt`); one text not known to be in one language is left unmarked."""
    if len(held) == 1:
        return (Text(held[0], alt),)
    pieces = alt.split(BILINGUAL_SEPARATOR)
    if len(pieces) != len(held):  # the same alt text in every language, or unsplittable
        return (Text(None, alt),)
    return tuple(Text(each, piece) for each, piece in zip(held, pieces, strict=True))


def languages_of(post: PostContent, default: str) -> tuple[Language, ...]:
    """The languages a post holds, in order."""
    return tuple(language(tag) for tag in post.languages or (default,))


@dataclass(frozen=True)
class Reading:
    """A text's reading ease: a score for English, "Not scored (Welsh)" for any other."""

    language: Language
    score: float | None

    @property
    def words(self) -> str:
        if not self.language.scored:
            return f"Not scored ({self.language.english})"
        return "not scored" if self.score is None else f"{self.score:.0f}"


def readings(
    post: PostContent,
    default: str,
    scores: Mapping[str, float | None] | None,
    reported: float | None,
    shown: bool,
) -> tuple[Reading, ...]:
    """Each text's reading ease, from the check report: `scores` its scores by language (None:
    not scored), `reported` the score of a post whose one text is English; `shown`: whether
    checks are shown for the post at all (the files give what is stored)."""
    held = languages_of(post, default)
    if not shown:
        return tuple(Reading(each, None) for each in held)
    if scores:
        return tuple(Reading(each, scores.get(each.tag) if each.scored else None) for each in held)
    return tuple(
        Reading(each, reported if each.scored and len(held) == 1 else None) for each in held
    )


def english_score(found: Sequence[Reading]) -> float | None:
    """The one score of a post whose one text is English (None for any other post)."""
    return found[0].score if len(found) == 1 and found[0].language.scored else None


def and_list(words: Sequence[str]) -> str:
    """'Welsh and English'; 'Welsh, English and Polish'."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


@dataclass(frozen=True)
class Unit:
    """Cards shown as one: a pair's posts (same `unit`, in their order), or one post alone."""

    key: str  # the pair's key, or the post's
    cards: tuple[CardView, ...]

    @property
    def paired(self) -> bool:
        return len(self.cards) > 1

    @property
    def languages(self) -> tuple[Language, ...]:
        return tuple(card.languages[0] for card in self.cards)

    @property
    def kind(self) -> str:
        return pair_kind(self.languages)

    @property
    def heading(self) -> str:
        return pair_heading(self.languages)


def pair_kind(held: Sequence[Language]) -> str:
    """'Welsh and English pair': what a pair's heading starts with."""
    names = and_list([each.english for each in held])
    return f"{names} pair" if len(held) == 2 else f"{names} posts"


def pair_heading(held: Sequence[Language]) -> str:
    """'Welsh and English pair: Cymraeg (Welsh) first, then English' (the pages mark each
    language's own name with its tag: `_cards.html.j2` unit_heading)."""
    names = [each.name for each in held]
    return f"{pair_kind(held)}: {names[0]} first, then {', then '.join(names[1:])}"


def units(cards: Iterable[CardView]) -> tuple[Unit, ...]:
    """The cards in their order, a pair's posts together where its first one is."""
    grouped: dict[tuple[bool, str], list[CardView]] = {}
    for card in cards:
        unit = card.post.unit
        grouped.setdefault((unit is not None, unit or card.post.key), []).append(card)
    return tuple(
        Unit(key, tuple(sorted(members, key=lambda card: card.post.position)))
        for (_, key), members in grouped.items()
    )


def card_label(card: CardView) -> str:
    """What a card says about its language: "Cymraeg (Welsh)" for a pair's post, "Bilingual:
    Cymraeg (Welsh), then English"; "" for a post of a campaign in one language."""
    held = card.languages
    if len(held) > 1:
        lead = "Bilingual" if len(held) == 2 else "Multilingual"
        return f"{lead}: {', then '.join(each.name for each in held)}"
    return held[0].name if card.post.unit is not None or card.multilingual else ""
