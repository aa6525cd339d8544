"""Tidy exports: one row per post and snapshot, loading straight into pandas or a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from campaign.report.accounts import AccountTotals
from campaign.report.compare import Comparison, Pair, Side
from campaign.report.dataset import DEFINITIONS, EXPORTED, METRICS, Dataset
from campaign.report.languages import (
    LANGUAGE_DEFINITIONS,
    LanguageTotals,
    Unit,
    by_language,
    units,
)
from campaign.report.summary import Totals
from campaign.store.models import AuditRow

COLUMNS = list(EXPORTED)
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection);
# prefixing an apostrophe makes them show the text instead.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def rows_csv(dataset: Dataset) -> str:
    """CSV with a header; empty cells are unavailable metrics (never written as 0)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in dataset.rows:
        writer.writerow({k: _cell(v) for k, v in row.as_dict().items()})
    return out.getvalue()


def rows_json(dataset: Dataset) -> str:
    """JSON: the rows (null = unavailable), the metric definitions and what is missing; then,
    from each post's latest row, each language's totals and each unit (a pair's posts
    together, or a post alone) with its summed figures."""
    latest = dataset.latest
    together = units(latest)
    order = dataset.source.order if dataset.source else ()
    return json.dumps(
        {
            "campaign": dataset.campaign,
            "timezone": dataset.timezone,
            "definitions": DEFINITIONS | LANGUAGE_DEFINITIONS,
            "missing": dataset.missing,
            "rows": [row.as_dict() for row in dataset.rows],
            "by_language": [_language(line) for line in by_language(latest, order)],
            "units": [_unit(unit) for unit in together],
        },
        indent=2,
        ensure_ascii=False,
    )


def _language(line: LanguageTotals) -> dict[str, Any]:
    return {
        "lang": line.lang,
        "label": line.label,
        "bilingual": line.bilingual,
        "also_in_bilingual_posts": None if line.bilingual else line.in_bilingual,
    } | _measures(line)


def _unit(unit: Unit) -> dict[str, Any]:
    """A unit's figures summed over its posts; null where unavailable or not summed, and
    `not_summed` saying which languages' posts lack it."""
    return (
        {
            "unit": unit.key,
            "posts": [row.post_key for row in unit.members],
            "lang": [row.lang for row in unit.members],
            "pair": unit.pair,
        }
        | {name: getattr(unit, name) for name in METRICS}
        | {
            "not_summed": {name: list(langs) for name, langs in unit.not_summed.items()},
        }
    )


def _table(columns: list[str], records: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _cell(v) for k, v in record.items()})
    return out.getvalue()


def _measures(group: Totals) -> dict[str, Any]:
    return {"posts": group.posts, "measured": group.measured} | {
        name: getattr(group, name) for name in METRICS
    }


COMPARISON_COLUMNS = ["section", "group", "campaign", "date", "posts", "measured", *METRICS]


def _comparison_records(comparison: Comparison) -> Iterable[dict[str, Any]]:
    sections = (("campaign", [comparison.overall]), ("day", comparison.by_day))
    for section, pairs in (*sections, ("platform", comparison.by_platform)):
        for pair in pairs:
            for side, group, day in (
                (comparison.this, pair.this, pair.this_date),
                (comparison.other, pair.other, pair.other_date),
            ):
                when = day.isoformat() if day else None
                yield {"section": section, "group": pair.label, "campaign": side.slug,
                       "date": when} | _measures(group)  # fmt: skip


def comparison_csv(comparison: Comparison) -> str:
    """Two tidy rows per group (one per campaign); empty cells are unavailable, never 0."""
    return _table(COMPARISON_COLUMNS, _comparison_records(comparison))


def _side(side: Side) -> dict[str, Any]:
    return {
        "slug": side.slug,
        "name": side.name,
        "start": side.start.isoformat(),
        "end": side.end.isoformat(),
        "days": side.days,
        "timezone": side.timezone,
    }


def _pair(pair: Pair) -> dict[str, Any]:
    def day(value: date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "group": pair.label,
        "this": {"date": day(pair.this_date)} | _measures(pair.this),
        "other": {"date": day(pair.other_date)} | _measures(pair.other),
        # Rate: percentage points; counts: per cent of the other campaign's value.
        "change": {name: pair.change(name) for name in METRICS},
    }


def comparison_json(comparison: Comparison) -> str:
    """JSON: both campaigns, the definitions, how they are lined up, and each group side by
    side with its change (null = unavailable or not computable)."""
    return json.dumps(
        {
            "this": _side(comparison.this),
            "other": _side(comparison.other),
            "definitions": DEFINITIONS,
            "change": "engagement_rate: percentage points; counts: per cent of the other "
            "campaign's value",
            "notes": comparison.notes,
            "overall": _pair(comparison.overall),
            "by_day": [_pair(pair) for pair in comparison.by_day],
            "by_platform": [_pair(pair) for pair in comparison.by_platform],
        },
        indent=2,
        ensure_ascii=False,
    )


ACCOUNT_COLUMNS = ["account", "platform", "name", "campaign", "posts", "measured", *METRICS]


def _account_records(accounts: list[AccountTotals]) -> Iterable[dict[str, Any]]:
    for account in accounts:
        who = {"account": account.identity, "platform": account.platform, "name": account.name}
        yield who | {"campaign": "all"} | _measures(account.total)
        for share in account.campaigns:
            yield who | {"campaign": share.slug} | _measures(share.totals)


def accounts_csv(accounts: list[AccountTotals]) -> str:
    """Per account, a row over every campaign (`campaign` = all), then one per campaign."""
    return _table(ACCOUNT_COLUMNS, _account_records(accounts))


def accounts_json(accounts: list[AccountTotals]) -> str:
    return json.dumps(
        {
            "definitions": DEFINITIONS,
            "accounts": [
                {
                    "account": account.identity,
                    "platform": account.platform,
                    "name": account.name,
                    "total": _measures(account.total),
                    "campaigns": [
                        {"campaign": share.slug, "name": share.name} | _measures(share.totals)
                        for share in account.campaigns
                    ],
                    "notes": account.notes,
                }
                for account in accounts
            ],
        },
        indent=2,
        ensure_ascii=False,
    )


AUDIT_COLUMNS = ["id", "at", "actor", "action", "post", "platform_id", "reason", "details"]


def _audit_record(entry: AuditRow) -> dict[str, str]:
    details = dict(entry.details or {})
    return {
        "id": str(entry.id),
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "post": str(details.pop("post", "") or ""),
        "platform_id": str(details.get("platform_id", "") or ""),
        "reason": str(details.get("reason", details.get("error", "")) or ""),
        "details": json.dumps(details, sort_keys=True, ensure_ascii=False, default=str),
    }


def audit_csv(entries: list[AuditRow]) -> str:
    """The audit trail for records and FOI requests: who did what, when, and why."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=AUDIT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        writer.writerow({k: _cell(v) for k, v in _audit_record(entry).items()})
    return out.getvalue()


def audit_json(entries: list[AuditRow]) -> str:
    records = []
    for entry in entries:
        record = _audit_record(entry)
        record["details"] = json.loads(record["details"])
        records.append(record)
    return json.dumps(records, indent=2, ensure_ascii=False)
