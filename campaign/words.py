"""Lists written as people write them in messages and pages."""

from __future__ import annotations

from collections.abc import Sequence


def either(names: Sequence[str]) -> str:
    """['PNG', 'JPEG', 'GIF'] -> 'PNG, JPEG or GIF'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def all_of(names: Sequence[str]) -> str:
    """['Instagram', 'Bluesky', 'Threads'] -> 'Instagram, Bluesky and Threads'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
