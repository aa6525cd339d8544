"""The web dashboard: the week, sign-off, pause and results in a browser (`campaign serve`)."""

from campaign.web.app import create_app

__all__ = ["create_app"]
