"""The composer's fields from a form post or from the live check's JSON, and the part buttons.

Without JavaScript the part buttons (add, remove, move up and down) are submit buttons: the
form comes back with the parts rearranged and nothing saved. With it, `composer.js` does the
same in the page and only saving goes to the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from campaign.content.drafts import Draft, DraftImage

MAX_PARTS = 25  # X allows long threads; anything past this is a mistake, not a thread
MAX_PART_CHARS = 10_000


class FormError(ValueError):
    """The request itself is malformed (not something the officer typed): a 400."""


def draft_from_form(form: MultiDict[str, str], key: str | None) -> Draft:
    parts = tuple(form.getlist("part"))[:MAX_PARTS] or ("",)
    images = tuple(
        DraftImage(file, alt, sha)
        for file, alt, sha in zip(
            form.getlist("image_file"),
            form.getlist("image_alt"),
            form.getlist("image_sha256"),
            strict=False,
        )
        if sha and f"remove-image:{sha}" != form.get("action")
    )
    return Draft(
        key=key,
        channel=form.get("channel", ""),
        date=form.get("date", ""),
        time=form.get("time", ""),
        fold=_fold(form.get("fold")),
        theme=form.get("theme", ""),
        parts=tuple(p[:MAX_PART_CHARS] for p in parts),
        images=images,
        template=form.get("template", ""),
    )


def draft_from_json(body: Any) -> Draft:
    """The live check's body: the same fields as the form, as JSON."""
    if not isinstance(body, Mapping):
        raise FormError("the body must be a JSON object with the draft's fields")
    parts = body.get("parts", [""])
    images = body.get("images", [])
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        raise FormError("`parts` must be a list of texts")
    if not isinstance(images, list) or not all(isinstance(i, Mapping) for i in images):
        raise FormError("`images` must be a list of {file, alt, sha256}")
    key = body.get("key") or None
    return Draft(
        key=str(key) if key else None,
        channel=str(body.get("channel", "")),
        date=str(body.get("date", "")),
        time=str(body.get("time", "")),
        fold=_fold(body.get("fold")),
        theme=str(body.get("theme", "")),
        parts=tuple(p[:MAX_PART_CHARS] for p in parts[:MAX_PARTS]) or ("",),
        images=tuple(
            DraftImage(str(i.get("file", "")), str(i.get("alt", "")), str(i.get("sha256", "")))
            for i in images
            if i.get("sha256")
        ),
        template=str(body.get("template", "")),
    )


def _fold(value: object) -> int | None:
    if isinstance(value, int) and value in (0, 1):
        return value
    if isinstance(value, str) and value in ("0", "1"):
        return int(value)
    return None


def apply_part_action(parts: tuple[str, ...], action: str) -> tuple[tuple[str, ...], int | None]:
    """The parts after a part button ("add-part", "remove:2", "up:2", "down:2"; 1-based) and
    the part to bring the officer back to; (parts, None) for any other action."""
    items = list(parts)
    verb, _, number = action.partition(":")
    if verb == "add-part":
        if len(items) < MAX_PARTS:
            items.append("")
        return tuple(items), len(items)
    if not number.isdigit() or not 1 <= int(number) <= len(items):
        return parts, None
    index = int(number) - 1
    if verb == "remove" and len(items) > 1:
        del items[index]
        return tuple(items), min(index + 1, len(items))
    if verb == "up" and index > 0:
        items[index - 1], items[index] = items[index], items[index - 1]
        return tuple(items), index
    if verb == "down" and index < len(items) - 1:
        items[index + 1], items[index] = items[index], items[index + 1]
        return tuple(items), index + 2
    return parts, None
