"""The shipped config.toml's settings (everything before its days), for the platforms' small
test campaigns, without the shipped account a test campaign brings its own of."""

from __future__ import annotations

import re
from pathlib import Path

SHIPPED_CONFIG = Path(__file__).resolve().parents[2] / "config.toml"


def settings_without_account(key: str, text: str | None = None) -> str:
    """The config's text up to its first `[[days]]`, without `[accounts.KEY]` and its
    credentials table."""
    config = SHIPPED_CONFIG.read_text(encoding="utf-8") if text is None else text
    head = config[: config.index("[[days]]")]
    table = rf"\[accounts\.{re.escape(key)}(?:\.credentials)?\]\n(?:(?!\[).*\n)*"
    return re.sub(table, "", head)
