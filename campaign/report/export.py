"""Tidy exports: one row per post and snapshot, loading straight into pandas or a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields

from campaign.report.dataset import DEFINITIONS, Dataset, Row
from campaign.store.models import AuditRow

COLUMNS = [f.name for f in fields(Row)]
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
    """JSON: the rows (null = unavailable), the metric definitions and what is missing."""
    return json.dumps(
        {
            "campaign": dataset.campaign,
            "timezone": dataset.timezone,
            "definitions": DEFINITIONS,
            "missing": dataset.missing,
            "rows": [row.as_dict() for row in dataset.rows],
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
