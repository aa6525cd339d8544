"""The dashboard's roles and what each may do: plain data, so the CLI can offer the roles as
choices without loading the database layer (`campaign.store.users` enforces them)."""

from __future__ import annotations

ROLES = ("officer", "approver", "analyst", "admin")
CAPABILITIES: dict[str, frozenset[str]] = {
    "officer": frozenset({"view", "plan", "reports"}),
    "approver": frozenset({"view", "plan", "approve", "pause", "reports"}),
    "analyst": frozenset({"reports"}),
    # Everything an approver may do, and managing who may sign in (the user admin page).
    "admin": frozenset({"view", "plan", "approve", "pause", "reports", "users"}),
}
CAPABILITY_TEXT = {
    "view": "see the week and publishing status",
    "plan": "update the stored plan from the templates",
    "approve": "approve posts or withdraw approval",
    "pause": "pause and resume publishing",
    "reports": "see results and download exports",
    "users": "add users, disable them, change their roles and reset their passwords",
}
