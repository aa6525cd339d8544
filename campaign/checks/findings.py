"""What a check found: one finding names the post, the template (and line), the rule and the fix."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from campaign.config import CampaignConfig
    from campaign.render import RenderedPost, Variant

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    rule: str
    message: str
    fix: str
    key: str | None = None
    day: str | None = None
    channel: str | None = None
    template: str | None = None
    line: int | None = None

    @property
    def where(self) -> str:
        if not self.template:
            return self.key or "(plan)"
        return f"{self.template}:{self.line}" if self.line else self.template

    def as_dict(self) -> dict[str, object]:
        return asdict(self) | {"where": self.where}


class Findings:
    """Errors and warnings among `findings` (a check run's, or one draft's)."""

    findings: Sequence[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class CheckReport(Findings):
    """All findings of a check run, plus per-post figures shown to the officer."""

    findings: list[Finding] = field(default_factory=list)
    lengths: dict[str, list[int]] = field(default_factory=dict)  # key -> length of each part
    # key -> Flesch score, for a post whose one text is English (as before languages came)
    reading_ease: dict[str, float] = field(default_factory=dict)
    # key -> each text's score by language tag, in order; None: "not scored" (Flesch is for
    # English only, so a Welsh text never has a score), or no words to score
    reading_ease_by_language: dict[str, dict[str, float | None]] = field(default_factory=dict)
    # Findings by post key, rebuilt when `findings` grows or is replaced (see `for_post`).
    _by_key: dict[str | None, list[Finding]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _indexed: tuple[int, int] = field(default=(0, 0), repr=False, compare=False)

    def for_post(self, key: str) -> list[Finding]:
        """The post's findings. Indexed once, not searched per post: a table of 10,000 posts
        otherwise compares every post with every finding."""
        if self._indexed != (id(self.findings), len(self.findings)):
            self._by_key = {}
            for finding in self.findings:
                self._by_key.setdefault(finding.key, []).append(finding)
            self._indexed = (id(self.findings), len(self.findings))
        return list(self._by_key.get(key, ()))


def locate(template: Path, needle: str, *, table: str | None = None) -> int | None:
    """The first line of a template (or of config.toml) holding `needle`, to point the officer
    at it. In a TOML file, comment lines are passed over, and `table` (a header such as
    "[accounts.facebook]") says where to look first: the same words may stand in two tables."""
    try:
        stat = template.stat()
        lines = _lines(template, stat.st_mtime_ns, stat.st_size)
    except OSError:
        return None
    toml = template.suffix == ".toml"
    start: int = 0
    if table:
        start = next((n for n, line in enumerate(lines) if line.strip() == table), 0)
    order: list[int] = [*range(start, len(lines)), *range(start)]
    for number in order:
        line = lines[number]
        if toml and line.lstrip().startswith("#"):
            continue
        if needle and needle in line:
            return number + 1
    return None


@lru_cache(maxsize=64)
def _lines(path: Path, mtime_ns: int, size: int) -> tuple[str, ...]:
    """A file's lines, read once however many findings point into it (a large plan's
    config.toml has thousands of lines and thousands of findings). Keyed by the file's
    modification time and size, so a file edited since is read again."""
    return tuple(path.read_text(encoding="utf-8").splitlines())


def post_finding(
    post: RenderedPost,
    severity: Severity,
    rule: str,
    message: str,
    fix: str,
    needle: str = "",
    variant: Variant | None = None,
) -> Finding:
    """A finding about one rendered post, pointing at the template line holding `needle`: in
    the template of `variant` (one language's text), by default of the first text holding
    `needle` (or the post's first text)."""
    if variant is None and post.variants:
        holding = (v for v in post.variants if needle and needle in v.text)
        variant = next(holding, post.variants[0])
    return Finding(
        severity=severity,
        rule=rule,
        message=message,
        fix=fix,
        key=post.key,
        day=post.day.date.isoformat(),
        channel=post.channel,
        template=(variant.template if variant and variant.template else "") or post.spec.template,
        line=locate_in_post(post, needle, variant) if needle else None,
    )


def locate_in_post(post: RenderedPost, needle: str, variant: Variant | None = None) -> int | None:
    """The first line of the post's own template text (or `variant`'s) holding `needle`."""
    first = not post.variants or variant is None or variant == post.variants[0]
    source_text = variant.source_text if variant is not None else post.source_text
    if not source_text:
        return locate(post.template_path, needle) if first else None
    for number, line in enumerate(source_text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def config_finding(
    config: CampaignConfig,
    severity: Severity,
    rule: str,
    message: str,
    fix: str,
    needle: str = "",
    post: RenderedPost | None = None,
    *,
    field: str = "",
) -> Finding:
    """A finding about what config.toml (or the organisation.toml it names) says: a field, an
    image's alt text, at the line of the first of those files that holds `needle` (in the
    table of `field`, a dotted path such as "accounts.x.handle", when it has one)."""
    template, line = config.path.name, None
    table = f"[{field.rsplit('.', 1)[0]}]" if "." in field and "[" not in field else None
    if needle:
        for source in config.source_files:
            line = locate(source, needle, table=table)
            if line is not None:
                template = shown_file(config, source)
                break
    return Finding(
        severity=severity,
        rule=rule,
        message=message,
        fix=fix,
        key=post.key if post else None,
        day=post.day.date.isoformat() if post else None,
        channel=post.channel if post else None,
        template=template,
        line=line,
    )


def shown_file(config: CampaignConfig, source: Path) -> str:
    """A config file as the officer finds it: `config.toml`, `../organisation.toml`."""
    if source == config.path:
        return config.path.name
    return os.path.relpath(source, config.path.resolve().parent)
