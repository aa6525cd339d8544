"""Engagement per account across campaigns as one self-contained HTML page (inline CSS, every
value escaped), for analysts who brief on the force's accounts over the year."""

from __future__ import annotations

from datetime import UTC, datetime

from campaign.present.pages import page_environment
from campaign.present.times import long_time
from campaign.report.accounts import AccountTotals
from campaign.report.dataset import DEFINITIONS
from campaign.report.html import LABELS, Definition, number, percent


def render_accounts_html(
    accounts: list[AccountTotals], generated_at: datetime | None = None
) -> str:
    """The page; `generated_at` is printed in UTC when given (the accounts span campaigns, and
    so their timezones)."""
    env = page_environment(number=number, percent=percent)
    return env.get_template("accounts.html.j2").render(
        accounts=accounts,
        generated=long_time(generated_at, UTC) if generated_at else None,
        definitions=[
            Definition(name, LABELS.get(name, name), text) for name, text in DEFINITIONS.items()
        ],
    )
