"""The composer's live check: one draft post rendered and checked as `campaign check` would.

The draft is rendered with the campaign's stored facts and templates through the same code as
`campaign check` (`render_sources`), and judged by the same per-post rules (length, hashtag,
phone numbers, helpline open at the post's time, alt text, reading ease). The rules that need
the rest of the week (the account's posting caps, duplicate text) compare it with the other
posts' stored content instead of rendering the whole campaign again: a live check answers while
the officer types. Saving (`store.edit_post`) checks the whole campaign, so nothing the live
check leaves out can be saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from campaign.checks.content import check_post, part_lengths
from campaign.checks.findings import Finding, Findings, Severity
from campaign.checks.markup import check_markup
from campaign.checks.readability import check_readability, english_score, reading_scores
from campaign.config import CampaignConfig
from campaign.content.drafts import Draft, to_source
from campaign.content.images import MediaFacts, check_media
from campaign.content.library import Library
from campaign.content.neighbours import caps, duplicates
from campaign.content.render import render_sources
from campaign.content.source import PostSource
from campaign.content.when import ResolvedTime, resolve
from campaign.errors import CampaignError, TemplateError
from campaign.present.platforms import length_limit
from campaign.render import RenderedPost, own_template
from campaign.states import PostState


class CampaignContent(Protocol):
    """What a live check reads of a stored campaign (`store.content(slug)` gives it)."""

    @property
    def config(self) -> CampaignConfig: ...

    @property
    def library(self) -> Library: ...

    @property
    def sources(self) -> Mapping[str, PostSource]: ...

    @property
    def rows(self) -> Mapping[str, Any]: ...


# Which part of the composer a finding is about, so the page can show it beside that field.
FIELDS = {
    "time": "when",
    "date": "when",
    "helpline-closed": "when",
    "posting-limit": "when",
    "channel": "channel",
    "day-theme": "theme",
    "alt-text-missing": "images",
    "alt-text-length": "images",
    "image-count": "images",
    "image-format": "images",
    "image-size": "images",
    "image-dimensions": "images",
    "image-animated": "images",
}
# The composer's words for fixes the checks give in config.toml's terms (officers edit posts
# here, not files).
PLAIN_FIXES = {
    "hashtag-missing": "end the first part with the campaign hashtag (the Insert Hashtag button)",
    "phone-unknown": "use one of the campaign's numbers (the Insert buttons above the text); a "
    "new number must first be checked with its owner and added to the campaign's helplines by "
    "whoever looks after the campaign's settings",
    "template-syntax": "close or remove the {{ }} or {% %} left in the text",
    "alt-text-missing": "describe the picture, including any words in it, in its alt text",
    "image-count": "remove a picture",
    "markup": "remove it (paste plain text, not from a web page)",
    "hashtag-camelcase": "capitalise each word of the hashtag",
}
MediaLookup = Callable[[str], MediaFacts | None]  # sha256 -> what the stored image is


@dataclass(frozen=True)
class PartCount:
    count: int
    limit: int

    @property
    def over(self) -> bool:
        return self.count > self.limit


@dataclass(frozen=True)
class LiveCheck(Findings):
    """What the composer shows beside the draft: its rendered parts, each part's count against
    the platform's limit, and the findings in plain words (errors block saving)."""

    source: PostSource | None  # None: the fields do not make a post yet (no date)
    time: ResolvedTime
    post: RenderedPost | None  # None: it could not be rendered (the findings say why)
    counts: tuple[PartCount, ...] = ()
    findings: tuple[Finding, ...] = ()
    reading_ease: float | None = None
    platform: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def parts(self) -> tuple[str, ...]:
        return self.post.parts if self.post is not None else ()

    def by_field(self) -> dict[str, list[Finding]]:
        """Findings grouped by the composer field they are about ("text" when no other)."""
        grouped: dict[str, list[Finding]] = {}
        for finding in self.findings:
            grouped.setdefault(field_of(finding), []).append(finding)
        return grouped

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "platform": self.platform,
            "parts": list(self.parts),
            "counts": [{"count": c.count, "limit": c.limit, "over": c.over} for c in self.counts],
            "reading_ease": None if self.reading_ease is None else round(self.reading_ease),
            "time": {
                "ok": self.time.ok,
                "problem": self.time.problem,
                "zone": self.time.zone_label,
                "choices": [{"fold": c.fold, "label": c.label} for c in self.time.choices],
            },
            "findings": [
                {
                    "severity": f.severity,
                    "message": f.message,
                    "fix": f.fix,
                    "rule": f.rule,
                    "field": field_of(f),
                }
                for f in self.findings
            ],
        }


def field_of(finding: Finding) -> str:
    return FIELDS.get(finding.rule, "text")


def check_draft(
    content: CampaignContent, source: PostSource, media: MediaLookup | None = None
) -> LiveCheck:
    """Render and check `source` (a new post, or a post's edit) against the stored campaign.

    Never raises for what the officer typed: a time that does not exist, an unknown channel, a
    template error are findings. `media` tells what each attached image is (by sha256), to
    judge it against the channel's platform.
    """
    config = content.config
    found: list[Finding] = []
    account = config.accounts.get(source.channel)
    if account is None:
        found.append(
            _finding(
                source,
                "error",
                "channel",
                "Choose the account to post from.",
                "pick one of the campaign's accounts",
            )
        )
    time = resolve(source.date, source.time, config.zone, source.fold)
    if not time.ok:
        found.append(
            _finding(
                source,
                "error",
                "time",
                time.problem,
                "pick a time of day, in the campaign's timezone",
            )
        )
    if not config.campaign.start <= source.date <= config.campaign.end:
        found.append(
            _finding(
                source,
                "error",
                "date",
                f"{source.date:%-d %B %Y} is outside the campaign "
                f"({config.campaign.start:%-d %B} to {config.campaign.end:%-d %B %Y}).",
                "choose a date within the campaign",
            )
        )
    if not any(d.date == source.date for d in config.days):
        if not source.theme.strip():
            found.append(
                _finding(
                    source,
                    "error",
                    "day-theme",
                    f"{source.date:%A %-d %B} has no posts yet: give the day's theme.",
                    "write the theme of the new day",
                )
            )
    if account is None or found:
        # Still show the text: rendered at noon, the rules about the time left out.
        if account is None or any(f.rule == "date" for f in found):
            return LiveCheck(source, time, None, findings=tuple(found))
        source = replace(source, time="12:00", fold=None)
    try:
        [post] = render_sources(config, [source], content.library)
    except TemplateError as exc:
        found.append(
            _finding(
                source,
                "error",
                "template",
                _plain_template_error(exc, source.key),
                "fix the text: {{ ... }} may only name the campaign's facts",
            )
        )
        return LiveCheck(source, time, None, findings=tuple(found), platform=account.platform)
    except CampaignError as exc:
        found.append(_finding(source, "error", "render", str(exc), "fix the text"))
        return LiveCheck(source, time, None, findings=tuple(found), platform=account.platform)
    lengths = part_lengths(post)
    findings = [*found, *check_post(post, config, lengths), *check_markup(post, config)]
    if not time.ok:  # rendered at a stand-in time: its opening hours say nothing
        findings = [f for f in findings if f.rule != "helpline-closed"]
    findings += _images(post, source, media)
    scores = reading_scores(post, config)  # English only: any other language is not scored
    findings += check_readability(post, config, scores)
    if time.ok:
        others = [
            row
            for key, row in content.rows.items()
            if key != source.key and row.state != PostState.CANCELLED
        ]
        findings += duplicates(post, others)
        findings += caps(post, others, config)
    findings = [replace(f, fix=PLAIN_FIXES.get(f.rule, f.fix)) for f in findings]
    limit = length_limit(post.platform, config.checks)
    return LiveCheck(
        source,
        time,
        post,
        counts=tuple(PartCount(n, limit) for n in lengths),
        findings=tuple(sorted(findings, key=lambda f: f.severity != "error")),
        reading_ease=english_score(scores),
        platform=post.platform,
    )


def check_fields(
    content: CampaignContent, draft: Draft, media: MediaLookup | None = None
) -> LiveCheck:
    """`check_draft` for the composer's fields as typed (a date may still be missing)."""
    if draft.day is None:
        problem = "Give the date of the post."
        finding = Finding(
            "error",
            "date",
            problem,
            "choose a day of the campaign",
            key=draft.key,
            channel=draft.channel,
        )
        return LiveCheck(None, ResolvedTime(None, problem), None, findings=(finding,))
    return check_draft(content, to_source(content, draft), media)


def _finding(source: PostSource, severity: Severity, rule: str, message: str, fix: str) -> Finding:
    return Finding(
        severity,
        rule,
        message,
        fix,
        key=source.key,
        day=source.date.isoformat(),
        channel=source.channel,
    )


def _plain_template_error(exc: TemplateError, key: str) -> str:
    """The template error in the post's own text without the file name it renders under (the
    officer never sees it); one in a shared template it includes names that template."""
    return exc.message if exc.template == own_template(key) else str(exc)


def _images(post: RenderedPost, source: PostSource, media: MediaLookup | None) -> Iterator[Finding]:
    """Each attached image against the platform, from what is stored about it (no decoding)."""
    if media is None:
        return
    for image in source.images:
        facts = media(image.sha256) if image.sha256 else None
        if facts is None:
            continue
        problem = check_media(facts, image.file, post.platform)
        if problem:
            yield _finding(source, "error", problem[0], problem[1], problem[2])
