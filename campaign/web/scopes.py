"""What a pause or resume from the dashboard applies to: this campaign, one account (for every
campaign that uses it: accounts belong to the organisation), or everything.

The form names the scope (`scope` = campaign | account | everything, and `account` = the
campaign's key for it); anything else is refused before anything changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import abort
from werkzeug.datastructures import MultiDict

from campaign.present.platforms import display_name
from campaign.store.audit import Actor
from campaign.store.models import AccountRow, DeploymentRow, PostRow
from campaign.store.sharing import shared_accounts
from campaign.web.current import CampaignPage

KINDS = ("campaign", "account", "everything")


@dataclass(frozen=True)
class AccountChoice:
    """One of the campaign's accounts as the pause page offers it."""

    key: str
    label: str  # "X @DerbyshirePolice"
    used_by: tuple[str, ...]  # the names of every campaign that publishes through it
    paused: bool
    reason: str | None
    # The other accounts of the pairs it carries (one post per language, sent together).
    paired_with: tuple[str, ...] = ()

    @property
    def used_by_text(self) -> str:
        return ", ".join(self.used_by)

    @property
    def pair_note(self) -> str:
        """What its pause does to its pairs: their other posts wait too."""
        if not self.paired_with:
            return ""
        return (
            f"its posts go out in pairs with {' and '.join(self.paired_with)} (one post per "
            "language, sent together), so while it is paused the other post of each pair "
            "waits too"
        )


@dataclass(frozen=True)
class Scope:
    kind: str
    campaign: str  # the page's campaign name
    account: AccountChoice | None = None

    @property
    def what(self) -> str:
        if self.kind == "everything":
            return "all publishing, in every campaign"
        if self.account is not None:
            used = self.account.used_by_text
            return f"{self.account.label} in every campaign that uses it ({used})"
        return f"all publishing for {self.campaign}"

    def paused_sentence(self, reason: str) -> str:
        if self.kind == "everything":
            return (
                "PAUSED EVERYTHING: nothing more will be published in any campaign until "
                f"someone resumes ({reason})."
            )
        if self.account is not None:
            pairs = f" As {self.account.pair_note}." if self.account.pair_note else ""
            return (
                f"PAUSED {self.account.label}: nothing more will be published on it, in "
                f"{self.account.used_by_text}, until someone resumes it ({reason}).{pairs}"
            )
        return f"PAUSED: nothing more will be published until someone resumes ({reason})."

    def resumed_sentence(self) -> str:
        if self.kind == "everything":
            return (
                "Publishing resumed everywhere: pauses of one campaign or one account still hold."
            )
        if self.account is not None:
            return f"{self.account.label} resumed: its approved posts go out at their times again."
        return "Publishing resumed: approved posts go out at their times again."

    @property
    def option(self) -> str:
        """The command line's option for the same pause, for the page that says one failed."""
        if self.kind == "everything":
            return " --all"
        if self.account is not None:
            return f" --account {self.account.key}"
        return ""


@dataclass(frozen=True)
class Choices:
    """What the pause and resume pages offer."""

    campaign_paused: bool
    accounts: list[AccountChoice] = field(default_factory=list)
    everything: DeploymentRow | None = None  # the pause of everything, if on

    @property
    def paused_accounts(self) -> list[AccountChoice]:
        return [account for account in self.accounts if account.paused]


def label(account: AccountRow) -> str:
    who = account.handle or account.name
    return f"{display_name(account.platform)} {who}"


def choices(page: CampaignPage) -> Choices:
    store = page.store
    shared = shared_accounts(store, page.slug)
    labels = {each.key: label(each.account) for each in shared}
    partners = pair_partners(store.posts(page.slug))
    accounts = [
        AccountChoice(
            each.key,
            labels[each.key],
            each.used_by,
            each.account.paused,
            each.account.pause_reason,
            tuple(labels.get(key, key) for key in sorted(partners.get(each.key, ()))),
        )
        for each in shared
    ]
    return Choices(store.campaign(page.slug).paused, accounts, store.everything_paused())


def pair_partners(rows: Iterable[PostRow]) -> dict[str, set[str]]:
    """By account key: the accounts its pairs' other posts go out on."""
    units: dict[str, set[str]] = {}
    for row in rows:
        if row.unit_key is not None:
            units.setdefault(row.unit_key, set()).add(row.channel)
    partners: dict[str, set[str]] = {}
    for accounts in units.values():
        for key in accounts:
            partners.setdefault(key, set()).update(accounts - {key})
    return partners


def chosen(page: CampaignPage, form: MultiDict[str, str]) -> Scope:
    """The scope a form names; 400 in plain words for one it cannot mean."""
    kind = form.get("scope", "campaign")
    if kind not in KINDS:
        abort(400, description="The form named nothing that can be paused. Nothing changed.")
    if kind != "account":
        return Scope(kind, page.row.name)
    key = form.get("account", "")
    for account in choices(page).accounts:
        if account.key == key:
            return Scope(kind, page.row.name, account)
    abort(400, description="Choose one of the campaign's accounts. Nothing changed.")


def pause(page: CampaignPage, scope: Scope, actor: Actor, reason: str) -> None:
    if scope.kind == "everything":
        page.store.pause_everything(actor, reason)
        return
    account = scope.account.key if scope.account else None
    page.store.pause(page.slug, actor, reason, account=account)


def resume(page: CampaignPage, scope: Scope, actor: Actor, reason: str) -> None:
    if scope.kind == "everything":
        page.store.resume_everything(actor, reason)
        return
    account = scope.account.key if scope.account else None
    page.store.resume(page.slug, actor, reason, account=account)
