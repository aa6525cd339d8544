"""What a pre-flight check found: where (campaign, post, account), what is wrong and what to
do, in plain words. A problem means something will go wrong if nobody acts (exit 1); a
warning is worth reading but nothing breaks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

Severity = Literal["problem", "warning"]


@dataclass(frozen=True)
class Problem:
    severity: Severity
    check: str  # approvals | daemon | caps | images | accounts | credentials | token
    where: str  # "Stalking Awareness Week / Mon 20 Apr 10:00 BST / x / 2020-04-20-x"
    what: str
    fix: str
    campaign: str | None = None  # the campaign's slug
    post: str | None = None  # the post's key
    account: str | None = None  # the account's key

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PreflightReport:
    """Every finding of one pre-flight run, and the window it looked at."""

    now: datetime
    until: datetime
    campaigns: list[str]
    findings: list[Problem] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return [f for f in self.findings if f.severity == "problem"]

    @property
    def warnings(self) -> list[Problem]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "now": self.now.isoformat(),
            "until": self.until.isoformat(),
            "campaigns": self.campaigns,
            "problems": len(self.problems),
            "warnings": len(self.warnings),
            "findings": [f.as_dict() for f in self.findings],
        }
