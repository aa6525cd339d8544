"""Word-level differences between the approved text of a post and its text now.

An approver who signed off a post and sees it again after an edit needs to read what changed,
not the whole thread again. Each part is split into words and the spaces between them, compared
with `difflib.SequenceMatcher`, and returned as runs of (op, text): "same", "added" or
"removed". Whitespace stays in the runs, so joining the "same" and "added" text gives the new
part exactly, and "same" and "removed" the old one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import zip_longest
from typing import Literal

Op = Literal["same", "added", "removed"]
TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class PartDiff:
    """One thread part: its number (from 1) and its text as runs of (op, text)."""

    number: int
    runs: tuple[tuple[Op, str], ...]

    @property
    def changed(self) -> bool:
        return any(op != "same" for op, _ in self.runs)


def word_diff(old: str, new: str) -> tuple[tuple[Op, str], ...]:
    """The runs that turn `old` into `new`, word by word."""
    before, after = TOKENS.findall(old), TOKENS.findall(new)
    runs: list[tuple[Op, str]] = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _add(runs, "same", before[i1:i2])
            continue
        _add(runs, "removed", before[i1:i2])  # a replacement: the old words, then the new
        _add(runs, "added", after[j1:j2])
    return tuple(runs)


def parts_diff(old: Sequence[str], new: Sequence[str]) -> list[PartDiff]:
    """Part by part (a part added or removed at the end is all added or all removed)."""
    return [
        PartDiff(number, word_diff(before or "", after or ""))
        for number, (before, after) in enumerate(zip_longest(old, new), start=1)
    ]


def _add(runs: list[tuple[Op, str]], op: Op, tokens: list[str]) -> None:
    text = "".join(tokens)
    if not text:
        return
    if runs and runs[-1][0] == op:
        runs[-1] = (op, runs[-1][1] + text)
    else:
        runs.append((op, text))
