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

Platform = Literal["x", "facebook"]

# Posting caps per X access tier (POST /2/tweets, per user): see the platform's rate-limit pages.
X_TIER_LIMITS: dict[str, tuple[int | None, int | None]] = {
    "free": (None, 17),
    "basic": (100, 10_000),
    "pro": (100, 10_000),
}
# Credentials each platform needs, as names of environment variables (never the secrets).
REQUIRED_CREDENTIALS: dict[str, tuple[str, ...]] = {
    "x": ("consumer_key", "consumer_secret", "access_token", "access_token_secret"),
    "facebook": ("page_access_token",),
}
DEFAULT_BASE_URLS = {"x": "https://api.twitter.com", "facebook": "https://graph.facebook.com"}
# Plain http is allowed only to this machine, where the rehearsal sandbox listens.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class Account(Frozen):
    """A force account on one platform; secrets are named, never written here."""

    platform: Platform
    name: str
    handle: str | None = None
    page_id: str | None = None
    base_url: str | None = None
    api_version: str | None = None
    tier: Literal["free", "basic", "pro"] | None = None
    posts_per_15min: int | None = Field(default=None, gt=0)
    posts_per_24h: int | None = Field(default=None, gt=0)
    credentials: dict[str, str] = Field(default_factory=dict)

    @field_validator("base_url")
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
        if self.platform == "facebook" and not self.page_id:
            raise ValueError("a facebook account needs page_id")
        return self

    @property
    def identity(self) -> str:
        """What makes two campaigns' accounts one account: the platform and the page or handle
        (an X account without a handle: the variable holding its access token)."""
        if self.platform == "facebook":
            return f"facebook:{self.page_id}"
        if self.handle:
            return f"{self.platform}:@{self.handle.lstrip('@').lower()}"
        return f"{self.platform}:token:{self.credentials.get('access_token', self.name)}"

    @property
    def resolved_base_url(self) -> str:
        return (self.base_url or DEFAULT_BASE_URLS[self.platform]).rstrip("/")

    @property
    def limits(self) -> dict[timedelta, int]:
        """Posting caps by window: the tier's defaults, overridden by explicit settings."""
        per_15, per_24 = X_TIER_LIMITS.get(self.tier or "", (None, None))
        found = {
            timedelta(minutes=15): self.posts_per_15min or per_15,
            timedelta(hours=24): self.posts_per_24h or per_24,
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
