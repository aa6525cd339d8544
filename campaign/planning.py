"""The planning core the CLI and tests call: render, check, store, approve."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from campaign.checks import CheckReport, Finding, run_checks
from campaign.checks.facts import check_facts
from campaign.checks.placeholders import check_placeholders
from campaign.config import CampaignConfig
from campaign.content.library import Library
from campaign.content.render import render_sources, sources_from_config
from campaign.content.source import PostSource
from campaign.errors import CheckFailed, PlanConflict, TemplateError
from campaign.render import RenderedPost, render_plan

if TYPE_CHECKING:  # checking a plan needs no database layer; storing one is given a Store
    from campaign.store import Actor, PlanChanges, Store
    from campaign.store.sources import Side


@dataclass(frozen=True)
class CheckedPlan:
    posts: list[RenderedPost]
    report: CheckReport


def check_plan(config: CampaignConfig, library: Library | None = None) -> CheckedPlan:
    """Render every post and run every check (raises only for bad input, not for findings).

    A fact a national pack needs and the force left out is a finding, not a template error:
    when the posts cannot be rendered without it, the missing facts are the report, with the
    placeholders left in the config (so one run names everything the force must still give).
    """
    library = library or Library.from_folder(config.posts_dir)
    return _checked(config, library, lambda: render_plan(config, library))


def check_sources(
    config: CampaignConfig, sources: Iterable[PostSource], library: Library
) -> CheckedPlan:
    """`check_plan` for posts given as sources (the stored plan, a merge, a draft)."""
    return _checked(config, library, lambda: render_sources(config, sources, library))


def _checked(
    config: CampaignConfig, library: Library, render: Callable[[], list[RenderedPost]]
) -> CheckedPlan:
    missing = check_facts(config)
    try:
        posts = render()
    except TemplateError:
        if missing:
            findings = [*missing, *check_placeholders([], config)]
            return CheckedPlan([], CheckReport(findings=findings))
        raise
    report = run_checks(posts, config, library)
    report.findings[:0] = missing
    return CheckedPlan(posts, report)


def store_plan(
    config: CampaignConfig,
    store: Store,
    actor: str | Actor,
    *,
    dry_run: bool = False,
    update_accounts: bool = False,
    take: Side | None = None,
) -> tuple[CheckedPlan, PlanChanges]:
    """Check the plan (with the caps it shares with the campaigns already stored) and, when it
    has no errors, upsert it; with errors nothing is written.

    The plan is the files merged with the posts edited in the dashboard (`store.sources`): a
    post both changed is a `PlanConflict` unless `take` says which side wins.
    """
    library = Library.from_folder(config.posts_dir)
    files = sources_from_config(config, library)
    merge = store.merge_plan(config.campaign.slug, files, take)
    if merge.conflicts:
        raise PlanConflict(merge.conflicts)
    checked = check_sources(config, merge.sources.values(), library)
    shared = check_shared_caps(config, checked.posts, store, updating_accounts=update_accounts)
    checked.report.findings.extend(shared)
    if not checked.report.ok:
        raise CheckFailed(checked.report.findings)
    changes = store.sync_plan(
        config,
        checked.posts,
        actor,
        dry_run=dry_run,
        update_accounts=update_accounts,
        merge=merge,
        library=library,
    )
    return checked, changes


def check_shared_caps(
    config: CampaignConfig,
    posts: list[RenderedPost],
    store: Store,
    *,
    updating_accounts: bool = False,
) -> list[Finding]:
    """The caps this plan would break together with the other campaigns stored in the
    database on the same accounts (one account, one set of caps, whichever campaign sends),
    and the shared accounts it configures otherwise than stored (unless `updating_accounts`:
    the change is meant)."""
    from campaign.checks.limits import check_shared_limits

    identities = {key: account.identity for key, account in config.accounts.items()}
    others = store.other_sends(identities.values(), excluding=config.campaign.slug)
    shared = [
        Finding(
            "error",
            "shared-account",
            message,
            "give every campaign that uses the account the same settings, or plan with "
            "--update-accounts if the account really changed",
            channel=key,
        )
        for key, message in store.account_conflicts(config).items()
        if not updating_accounts
    ]
    return shared + list(check_shared_limits(posts, config, others, identities))
