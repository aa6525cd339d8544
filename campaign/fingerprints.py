"""The fingerprint of a post's content: the start of its hash, shown beside the post and passed
back as `KEY@FINGERPRINT` to approve exactly what was read. Light, for every face."""

from __future__ import annotations

import re

SHORT_HASH = 12
FINGERPRINT = re.compile(rf"[0-9a-f]{{{SHORT_HASH},64}}")


def short_hash(content_hash: str) -> str:
    """The fingerprint shown beside a post, to pass back as `KEY@FINGERPRINT`."""
    return content_hash[:SHORT_HASH]
