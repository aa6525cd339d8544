"""Posts in several languages, reported together and per language.

TOGETHER: a pair (one post per language on separate accounts) is one unit for people, so the
report shows it as one line with both posts' figures summed and each language's figures beneath.
A figure is summed only when every post of the pair has it: if one language's post lacks a
metric, the pair's total of it is "not summed" and says whose figure is missing, because adding
what is there would count the missing one as 0.

PER LANGUAGE: each language's posts on their own line. A bilingual post (one post holding both
texts) is counted once, under its own line ("Cymraeg + English"), never under each language: the
platforms give one set of figures for it that cannot be split by language, and counting it twice
would make the lines add up to more than the campaign. Each language's line says how many
bilingual posts also carried it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

import langcodes

from campaign.config.languages import language_name
from campaign.report.dataset import Row
from campaign.report.totals import Totals, totals
from campaign.words import all_of

SUMMED = ("impressions", "engagements", "link_clicks", "shares")
NOT_RECORDED = "Language not recorded"

# What an analyst needs to read the language columns and tables (exports and pages).
LANGUAGE_DEFINITIONS = {
    "lang": "The post's language as a BCP 47 tag (cy: Welsh, en: English). A bilingual post, "
    "one post holding a text in each language, lists its languages in order: 'cy, en'. A post "
    "written in one template has the campaign's language.",
    "unit": "What the post is reported with: the key of its pair when it is one post of a pair "
    "(one post per language on separate accounts, published together), otherwise its own key. "
    "A pair's figures are the sum of its posts' figures; a figure one of its posts lacks is not "
    "summed, never counted as 0.",
    "by_language": "Each language's posts, at their latest snapshot. A bilingual post is counted "
    "once, under its own line (e.g. Cymraeg + English), not under each language: its figures "
    "cannot be split by language, and the lines add up to the campaign's totals.",
}


def primary(tag: str) -> str:
    """The language of a tag, whatever its region or script: "en-GB" -> "en"."""
    return str(langcodes.Language.get(tag).language or tag)


def autonym(tag: str) -> str:
    """A language's own name, without its region: "Cymraeg", "English"."""
    return str(langcodes.Language.get(primary(tag)).autonym())


def languages_label(tags: Sequence[str]) -> str:
    """How a post's languages read: "Cymraeg (Welsh)", or "Cymraeg + English" for several."""
    if not tags:
        return NOT_RECORDED
    if len(tags) == 1:
        return language_name(tags[0])
    return " + ".join(autonym(tag) for tag in tags)


def label_of(lang: str) -> str:
    """`languages_label` of a `Row.lang` ("cy", or "cy, en" for a bilingual post)."""
    return languages_label(tuple(tag.strip() for tag in lang.split(",") if tag.strip()))


@dataclass(frozen=True)
class Unit:
    """A pair's posts (in their order), or a post that goes out alone, at the latest snapshot,
    with the figures summed over its posts (None: unavailable or not summed)."""

    key: str
    members: tuple[Row, ...]
    impressions: int | None
    engagements: int | None
    engagement_rate: float | None
    link_clicks: int | None
    shares: int | None
    # metric -> the languages (BCP 47) of the posts that lack it, when others have it.
    not_summed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def pair(self) -> bool:
        return len(self.members) > 1

    @property
    def first(self) -> Row:
        return self.members[0]

    @property
    def language(self) -> str:
        """The language cell: 'Pair: Cymraeg (Welsh), English', or the post's own languages."""
        if not self.pair:
            return languages_label(self.first.languages)
        return "Pair: " + ", ".join(languages_label(row.languages) for row in self.members)

    @property
    def channel(self) -> str:
        return " + ".join(row.channel for row in self.members)

    @property
    def unavailable(self) -> str:
        """The metric names any of its posts could not give."""
        names = (name.strip() for row in self.members for name in row.unavailable.split(","))
        return ", ".join(sorted({name for name in names if name}))

    @property
    def state(self) -> str:
        return self._alike("state")

    @property
    def status(self) -> str:
        return self._alike("status")

    @property
    def snapshot(self) -> str:
        return self._alike("snapshot")

    def _alike(self, name: str) -> str:
        """One value when the pair's posts agree; else each language's."""
        values = [str(getattr(row, name) or "none") for row in self.members]
        if len(set(values)) == 1:
            return values[0]
        return "; ".join(
            f"{languages_label(row.languages)}: {value}"
            for row, value in zip(self.members, values, strict=True)
        )

    def why_not_summed(self, metric: str) -> str | None:
        """'none from the English post', or None when the figure is summed or unavailable."""
        lacking = [label_of(lang) for lang in self.not_summed.get(metric, ())]
        if not lacking:
            return None
        return f"none from the {all_of(lacking)} post{'s' if len(lacking) > 1 else ''}"


def units(latest: Iterable[Row]) -> list[Unit]:
    """Each pair as one unit and each other post as its own, in the order they go out."""
    grouped: dict[str, list[Row]] = {}
    for row in latest:
        grouped.setdefault(row.unit_key, []).append(row)
    return [
        _unit(key, sorted(rows, key=lambda r: (r.position, r.post_key)))
        for key, rows in grouped.items()
    ]


def _unit(key: str, rows: list[Row]) -> Unit:
    found: dict[str, int | None] = {}
    not_summed: dict[str, tuple[str, ...]] = {}
    for metric in SUMMED:
        values = [getattr(row, metric) for row in rows]
        known = [value for value in values if value is not None]
        found[metric] = sum(known) if known and len(known) == len(values) else None
        if known and len(known) < len(values):
            not_summed[metric] = tuple(row.lang for row in rows if getattr(row, metric) is None)
    impressions, engagements = found["impressions"], found["engagements"]
    if len(rows) == 1:
        rate = rows[0].engagement_rate
    else:
        both = engagements is not None and impressions
        rate = round(100 * (engagements or 0) / (impressions or 1), 2) if both else None
        lacking = not_summed.get("impressions", ()) + not_summed.get("engagements", ())
        if lacking:
            not_summed["engagement_rate"] = tuple(dict.fromkeys(lacking))
    return Unit(key, tuple(rows), engagement_rate=rate, not_summed=not_summed, **found)


def unit_notes(all_units: Iterable[Unit]) -> list[str]:
    """What the report cannot sum for a pair, in words ('<unit>: ...', as the dataset's notes)."""
    notes = []
    for unit in all_units:
        for metric in SUMMED:
            why = unit.why_not_summed(metric)
            if why:
                notes.append(f"{unit.key}: {metric} not summed for the pair: {why}")
    return notes


@dataclass(frozen=True)
class LanguageTotals(Totals):
    """One language's posts (or one set of languages' bilingual posts) summed."""

    lang: str = ""  # BCP 47; a bilingual line's tags in order, "cy, en"
    bilingual: bool = False
    in_bilingual: int = 0  # one language's line: the bilingual posts that also carried it


def by_language(latest: Sequence[Row], order: Sequence[str] = ()) -> list[LanguageTotals]:
    """Each language's posts, then each set of languages' bilingual posts, in `order`."""
    groups: dict[tuple[str, ...], list[Row]] = {}
    for row in latest:
        groups.setdefault(tuple(primary(tag) for tag in row.languages), []).append(row)
    rank = {primary(tag): i for i, tag in enumerate(order)}

    def place(key: tuple[str, ...]) -> tuple[int, list[int], tuple[str, ...]]:
        return (len(key) > 1, [rank.get(tag, len(rank)) for tag in key], key)

    lines = []
    for key in sorted(groups, key=place):
        rows = groups[key]
        seen = list(dict.fromkeys(row.lang for row in rows))
        lang = seen[0] if len(seen) == 1 else ", ".join(key)
        label = label_of(lang)
        if len(key) > 1:
            label += " (bilingual)"
        lines.append(
            LanguageTotals(
                **asdict(totals(label, rows)),
                lang=lang,
                bilingual=len(key) > 1,
                in_bilingual=_carried(key, groups) if len(key) == 1 else 0,
            )
        )
    return lines


def _carried(key: tuple[str, ...], groups: Mapping[tuple[str, ...], list[Row]]) -> int:
    """How many bilingual posts carried this one language too."""
    return sum(len(rows) for other, rows in groups.items() if len(other) > 1 and key[0] in other)


def several_languages(lines: Sequence[LanguageTotals], all_units: Sequence[Unit]) -> bool:
    """Whether the campaign posts in more than one language (or in pairs): worth explaining."""
    return len(lines) > 1 or any(line.bilingual for line in lines) or any(u.pair for u in all_units)
