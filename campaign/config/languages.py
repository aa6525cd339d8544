"""The languages a campaign posts in: BCP 47 tags, their order, and how each channel carries them.

Welsh public bodies must not treat Welsh less favourably than English: bilingual content goes
out at the same time, Welsh first being common practice. A post written in several languages
(one template per language) goes out on each channel either as one bilingual post holding the
texts in `order`, or as a pair of posts on separate accounts, one per language (`pairs`). A
campaign without `[languages]` posts in `campaign.language` alone, as before.
"""

from __future__ import annotations

from typing import Annotated

import langcodes
from pydantic import AfterValidator, Field, model_validator

from campaign.config.base import Frozen, Slug

HASHTAG_PATTERN = r"^#[A-Za-z][A-Za-z0-9_]*$"
# Between the texts of a bilingual post (and of each of its thread parts).
BILINGUAL_SEPARATOR = "\n\n"


def check_language_tag(value: str) -> str:
    """A well-formed, registered BCP 47 tag in its standard spelling ("cy", "en-GB")."""
    if not langcodes.tag_is_valid(value):
        raise ValueError(
            f"{value!r} is not a language tag: write a BCP 47 tag such as 'cy' (Welsh), "
            "'en' or 'en-GB' (English), 'pl' (Polish)"
        )
    return str(langcodes.standardize_tag(value))


LanguageTag = Annotated[str, AfterValidator(check_language_tag)]
Hashtag = Annotated[str, Field(pattern=HASHTAG_PATTERN)]


def language_name(tag: str) -> str:
    """The language's own name, with its English name where they differ: "Cymraeg (Welsh)"."""
    language = langcodes.Language.get(tag)
    own, english = language.autonym(), language.display_name()
    return own if own == english else f"{own} ({english})"


def same_language(tag: str, other: str) -> bool:
    """True if two tags name one language ("en" and "en-GB"), whatever their regions."""
    return bool(langcodes.Language.get(tag).language == langcodes.Language.get(other).language)


class Languages(Frozen):
    """`[languages]`: the order texts go in, each language's campaign hashtag, and the channels
    that carry a pair of posts (one account per language) instead of one bilingual post.

    `pairs` maps a channel name (what a day's post gives as `channel`) to the account key of
    each language: `x = { cy = "x-cymraeg", en = "x" }`.
    """

    order: tuple[LanguageTag, ...] = Field(min_length=2)
    hashtags: dict[LanguageTag, Hashtag] = Field(default_factory=dict)
    pairs: dict[Slug, dict[LanguageTag, Slug]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Languages:
        if len(set(self.order)) != len(self.order):
            raise ValueError(f"order {list(self.order)} names a language twice")
        for tag in self.hashtags:
            if tag not in self.order:
                raise ValueError(
                    f"hashtags.{tag}: {tag!r} is not in order {list(self.order)}: add it there "
                    "or remove the hashtag"
                )
        for name, accounts in self.pairs.items():
            if set(accounts) != set(self.order):
                raise ValueError(
                    f"pairs.{name} gives accounts for {sorted(accounts)}; give one account for "
                    f"each language in order: {', '.join(self.order)}"
                )
            if len(set(accounts.values())) != len(accounts):
                raise ValueError(
                    f"pairs.{name} sends two languages to one account: a pair needs an account "
                    "per language (or leave the channel out of pairs for one bilingual post)"
                )
        return self

    def hashtag(self, tag: str, fallback: str) -> str:
        """The campaign hashtag in language `tag`; `fallback` (the campaign's) where none."""
        return self.hashtags.get(tag, fallback)

    def accounts_of(self, channel: str) -> dict[str, str] | None:
        """The account of each language (in `order`) when `channel` is a pair; else None."""
        accounts = self.pairs.get(channel)
        return None if accounts is None else {tag: accounts[tag] for tag in self.order}
