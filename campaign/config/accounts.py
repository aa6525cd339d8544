"""Accounts: which platform, which page or handle, which caps, which environment variables.

Secrets are named, never written in the file; the API address is checked because tokens go there.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from campaign.config.base import Frozen
from campaign.platforms import PLATFORMS

Platform = Literal["x", "facebook", "instagram", "bluesky", "mastodon", "threads"]

# Posting caps per X access tier (POST /2/tweets, per user): see the platform's rate-limit pages.
X_TIER_LIMITS: dict[str, tuple[int | None, int | None]] = {
    "free": (None, 17),
    "basic": (100, 10_000),
    "pro": (100, 10_000),
}
# Credentials each platform needs, as names of environment variables (never the secrets).
REQUIRED_CREDENTIALS: dict[str, tuple[str, ...]] = {
    name: facts.credentials for name, facts in PLATFORMS.items()
}
DEFAULT_BASE_URLS = {
    name: facts.default_base_url for name, facts in PLATFORMS.items() if facts.default_base_url
}
# Plain http is allowed only to this machine, where the rehearsal sandbox listens.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class Account(Frozen):
    """A force account on one platform; secrets are named, never written here."""

    platform: Platform
    name: str
    handle: str | None = None
    page_id: str | None = None
    # The platform's numeric id for the account where it needs one (the Instagram
    # professional account's id, the Threads user id).
    user_id: str | None = None
    base_url: str | None = None
    # The public https address the campaign's images are put at, for platforms that fetch
    # an image from an address instead of taking its bytes (Instagram, Threads): an image
    # `images/card.jpg` is fetched from `<media_base_url>/images/card.jpg`.
    media_base_url: str | None = None
    # The instance's own limits (Mastodon): `campaign preflight` compares them with the
    # instance's; the platform's defaults when not given.
    max_characters: int | None = Field(default=None, gt=0)
    characters_reserved_per_url: int | None = Field(default=None, ge=0)
    api_version: str | None = None
    tier: Literal["free", "basic", "pro"] | None = None
    posts_per_15min: int | None = Field(default=None, gt=0)
    posts_per_24h: int | None = Field(default=None, gt=0)
    credentials: dict[str, str] = Field(default_factory=dict)

    @field_validator("base_url", "media_base_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None:
            check_base_url(value)
        return value

    @model_validator(mode="after")
    def _complete(self) -> Account:
        missing = [c for c in REQUIRED_CREDENTIALS[self.platform] if c not in self.credentials]
        if missing:
            raise ValueError(
                f"credentials must name the environment variables for {', '.join(missing)} "
                f'(e.g. {missing[0]} = "FORCE_{self.platform.upper()}_{missing[0].upper()}")'
            )
        for key, env_name in self.credentials.items():
            if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", env_name):
                raise ValueError(
                    f"credentials.{key} must be the NAME of an environment variable "
                    "(capitals, digits, underscores), not a secret"
                )
        for setting in PLATFORMS[self.platform].required_settings:
            if not getattr(self, setting):
                raise ValueError(f"a {self.platform} account needs {setting}")
        return self

    @property
    def identity(self) -> str:
        """What makes two campaigns' accounts one account: the platform and the page or handle
        (an X account without a handle: the variable holding its access token)."""
        if self.platform == "facebook":
            return f"facebook:{self.page_id}"
        if self.user_id:
            return f"{self.platform}:{self.user_id}"
        if self.handle:
            return f"{self.platform}:@{self.handle.lstrip('@').lower()}"
        return f"{self.platform}:token:{self.credentials.get('access_token', self.name)}"

    @property
    def resolved_base_url(self) -> str:
        # Every platform without a default (Mastodon) requires base_url: see _complete.
        return (self.base_url or DEFAULT_BASE_URLS[self.platform]).rstrip("/")

    @property
    def limits(self) -> dict[timedelta, int]:
        """Posting caps by window: the tier's defaults, overridden by explicit settings."""
        per_15, per_24 = X_TIER_LIMITS.get(self.tier or "", (None, None))
        platform = PLATFORMS[self.platform].default_limits
        day, quarter = timedelta(hours=24), timedelta(minutes=15)
        found = {
            quarter: self.posts_per_15min or per_15 or platform.get(quarter),
            day: self.posts_per_24h or per_24 or platform.get(day),
        }
        return {window: cap for window, cap in found.items() if cap}


def check_base_url(url: str) -> None:
    """Refuse anything but an https URL with a host (http only to loopback, for the sandbox).

    Tokens are sent to this address, so a typo or plain http would leak them. The URL itself is
    never echoed: it could hold a password.
    """
    parts = urlsplit(url)
    try:
        _ = parts.port  # a port that is not a number from 0 to 65535
    except ValueError:
        raise ValueError("has an invalid port: write e.g. https://api.twitter.com") from None
    example = "e.g. https://api.twitter.com, or http://127.0.0.1:PORT for the sandbox"
    host = parts.hostname
    if not (parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK_HOSTS)):
        raise ValueError(f"must be an https address ({example})")
    if not host:
        raise ValueError(f"must name a host ({example})")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not hold a user name or password: credentials name variables")
    if parts.query or parts.fragment:
        raise ValueError(f"must not have a query or fragment ({example})")
