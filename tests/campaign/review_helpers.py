"""A post changed in the dashboard, as an officer's edit saves it (`store.edit_post`): a new
revision by its author, the post's parts and hash, and its approval cleared."""

from __future__ import annotations

from campaign.content.source import join_parts
from campaign.store import Store


def revise(store: Store, slug: str, key: str, author: str, parts: list[str] | None = None) -> None:
    """Save `parts` as the post's new text (the campaign's hashtag, which the checks require,
    is added at the end of the first part); without parts, a line is added to the text."""
    stored = store.content(slug)
    source = stored.sources[key]
    if parts is not None:
        tag = stored.config.campaign.hashtag
        text = join_parts([f"{parts[0]} {tag}", *parts[1:]])
    else:
        text = f"{source.text.rstrip()}\n\nEdited."
    base = store.revisions(slug, key)[-1].number
    store.edit_post(slug, key, source.with_changes(text=text), author, base_revision=base)
