"""What a plan from the files would change, as the week page says it: the posts whose files
changed since they were last planned, and the posts only in the files.

The cards show what is stored, dashboard edits and moves included: a post edited in the
dashboard is not "different from the files" (a plan keeps the edit while the files say what
they said at the last plan). Only a change in the files themselves is listed: the post's
source (template text, time, channel, images), or for a post still as the files wrote it,
what it renders to (a shared partial or an image's bytes changed).
"""

from __future__ import annotations

from dataclasses import dataclass

from campaign.config import CampaignConfig
from campaign.content.library import Library
from campaign.content.render import sources_from_config
from campaign.content.source import ORIGIN_FILES
from campaign.present.cards import SENDABLE
from campaign.render import render_plan
from campaign.store.content import StoredCampaign


@dataclass(frozen=True)
class FilesState:
    changed: list[str]  # stored posts the files now give otherwise (or no longer give)
    not_stored: list[str]  # posts only in the files


def files_state(config: CampaignConfig, content: StoredCampaign) -> FilesState:
    """Compare the files with what the last plan stored (CampaignError if they do not render)."""
    library = Library.from_folder(config.posts_dir)
    files = {source.key: source for source in sources_from_config(config, library)}
    rendered = {post.key: post for post in render_plan(config, library)}
    changed: list[str] = []
    for key, row in content.rows.items():
        if row.state not in SENDABLE or row.files_hash is None:  # sent, or made here
            continue
        source, revision = files.get(key), content.revisions.get(key)
        if source is None or source.source_hash != row.files_hash:
            changed.append(key)
        elif revision is not None and revision.origin == ORIGIN_FILES:
            now = rendered.get(key)
            if now is not None and now.content_hash != row.content_hash:
                changed.append(key)
    return FilesState(sorted(changed), sorted(set(files) - set(content.rows)))
