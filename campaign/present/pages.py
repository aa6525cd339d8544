"""The Jinja environment of our own pages (the preview and the report): one set of rules.

Every value is autoescaped and an unknown name is an error, so post text can never become markup
and a typo in a template fails a test instead of printing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2


def page_environment(**filters: Callable[..., Any]) -> jinja2.Environment:
    """Templates from `campaign/templates`, with these filters."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("campaign", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(filters)
    return env
