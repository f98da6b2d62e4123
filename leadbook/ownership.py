"""One lead per customer: who owns it, who repeated it (domain.md §4, 先报备者负责).

The same customer is recognised by normalised phone number. The earliest first
contact owns the lead, then the earliest row. A later row by another
consultant is an ownership conflict (撞单), by the same consultant a plain
duplicate. Neither is dropped: both are marked and reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .issue_codes import IssueCode, Part
from .model import Issue, Severity
from .records import Lead
from .rule_words import Rule
from .texts import said

CONFLICT, REPEAT = "conflict", "repeat"
_LATEST = dt.date.max


def _claim(lead: Lead) -> tuple[dt.date, int]:
    return (lead.first_contact or lead.last_contact or _LATEST, lead.seq)


def assign_owners(leads: Iterable[Lead]) -> list[Issue]:
    """Mark every repeated row with its owner; return one Issue per repeated row."""
    by_phone: dict[str, list[Lead]] = {}
    for lead in leads:
        if lead.phone:
            by_phone.setdefault(lead.phone, []).append(lead)
    issues: list[Issue] = []
    for group in by_phone.values():
        if len(group) < 2:
            continue
        group.sort(key=_claim)
        owner = group[0]
        for lead in group[1:]:
            lead.owner = owner
            same = (lead.consultant or "") == (owner.consultant or "")
            lead.duplicate_kind = REPEAT if same else CONFLICT
            where = Part.AT_ROW(file=owner.file, sheet=owner.sheet, row=owner.row)
            if same:
                code, values = IssueCode.DUPLICATE_LEAD, said(where=where)
            else:
                code = IssueCode.OWNERSHIP_CONFLICT
                values = said(owner=owner.consultant or Part.NO_CONSULTANT, where=where)
            issue = Issue(lead.file, lead.sheet, lead.row, None, None, code, values,
                          Severity.WARNING)
            lead.hints.append(issue.words)
            at = Part.AT_ROW(file=lead.file, sheet=lead.sheet, row=lead.row)
            owner.hints.append(
                Rule.CONFLICT_NOTE(consultant=lead.consultant or Part.NO_CONSULTANT, where=at)
                if not same else Rule.REPEAT_NOTE(where=at))
            issues.append(issue)
    return issues
