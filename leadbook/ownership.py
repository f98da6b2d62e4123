"""One lead per customer: who owns it, who repeated it (domain.md §4, 先报备者负责).

The same customer is recognised by normalised phone number. The earliest first
contact owns the lead, then the earliest row. A later row by another
consultant is an ownership conflict (撞单), by the same consultant a plain
duplicate. Neither is dropped: both are marked and reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .model import Issue, Severity
from .records import Lead

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
            where = f"{owner.file} {owner.sheet} 第{owner.row}行"
            if same:
                code, message = "duplicate_lead", f"重复登记: 同一客户已在 {where} 登记"
            else:
                code = "ownership_conflict"
                message = (
                    f"撞单: 同一客户已由 {owner.consultant or '(未填顾问)'} 在 {where} 先报备,"
                    " 先报备者负责"
                )
            lead.hints.append(message)
            owner_note = (
                f"撞单: {lead.consultant or '(未填顾问)'} 在 {lead.file} {lead.sheet} "
                f"第{lead.row}行 重复登记"
                if not same
                else f"重复登记: 另见 {lead.file} {lead.sheet} 第{lead.row}行"
            )
            owner.hints.append(owner_note)
            issues.append(
                Issue(lead.file, lead.sheet, lead.row, None, None, code, message, Severity.WARNING)
            )
    return issues
