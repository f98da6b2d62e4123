"""Apply the grading and scheduling rules to every lead and list the tasks.

Pure: leads in (mutated with their grade and due date), a task table out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd

from .config import Config
from .grading import MISSING_FLAG, PASSED_FLAG, grade_change, grade_lead
from .model import Status
from .records import Lead
from .schedule import QUASI_LOST, bucket, care_tasks, lost_review, next_due
from .values import mask_phone

TASK_COLUMNS = [
    "consultant", "kind", "task", "due", "days_late", "bucket", "escalation", "name", "phone",
    "phone_masked", "grade", "model", "source", "reason", "file", "sheet", "row",
]
FOLLOWUP, CARE, REVIEW = "followup", "care", "lost_review"
NO_CONSULTANT = "(未填顾问)"


def apply_rules(leads: Iterable[Lead], config: Config, as_of: dt.date) -> None:
    """Grade every lead and set its next due date (in place)."""
    scheme = config.scheme
    for lead in leads:
        g = grade_lead(
            status=lead.status,
            horizon=lead.horizon,
            horizon_text=lead.horizon_text,
            recorded=lead.grade_recorded,
            first_contact=lead.first_contact,
            last_contact=lead.last_contact,
            as_of=as_of,
            scheme=scheme,
        )
        lead.grade, lead.reason, lead.expected = g.grade, g.reason, g.expected
        lead.grade_change = grade_change(lead.grade_recorded, g.grade, lead.status)
        if "→" in lead.grade_change:
            lead.hints.append(f"级别 {lead.grade_change}: {g.reason}")
        if g.passed_days:
            lead.hints.append(PASSED_FLAG)
        if g.missing_horizon:
            lead.hints.append(MISSING_FLAG)
        if lead.status not in (Status.ACTIVE, Status.DORMANT):
            continue
        due = next_due(
            grade=g.grade,
            status=lead.status,
            first_contact=lead.first_contact,
            last_contact=lead.last_contact,
            next_contact=lead.next_contact,
            as_of=as_of,
            scheme=scheme,
            stale_factor=config.stale_factor,
            quasi_lost=g.quasi_lost,
        )
        lead.next_due, lead.days_late = due.next_due, due.days_late
        lead.bucket, lead.escalation = due.bucket, due.escalation
        lead.due_why = due.why
        if due.days_late is not None and due.days_late > 0:
            lead.hints.insert(0, f"已逾期 {due.days_late} 天")
        elif due.days_late == 0:
            lead.hints.insert(0, "今日应跟进")
        if due.escalation:
            lead.hints.append(
                f"{due.escalation}: 超过 {config.stale_factor:g} 个跟进周期未联系"
                "或预计购车时间已过 30 天以上"
                if due.escalation == QUASI_LOST
                else f"{due.escalation}: 逾期超过一个跟进周期 ({due.cadence} 天)"
            )


def build_tasks(leads: Iterable[Lead], as_of: dt.date) -> pd.DataFrame:
    """Follow-ups of active leads, care of won customers, review of lost ones."""
    rows: list[dict[str, Any]] = []
    for lead in leads:
        if lead.is_duplicate:
            continue
        if lead.status in (Status.ACTIVE, Status.DORMANT) and lead.next_due is not None:
            why = f"{lead.reason}; {lead.due_why}" if lead.due_why else lead.reason
            rows.append(_task(lead, FOLLOWUP, "跟进", lead.next_due, as_of, why))
        elif lead.status is Status.WON:
            delivered = lead.delivery_date or lead.latest_contact
            for task, day in care_tasks(delivered, lead.birthday, as_of):
                why = f"交车 {delivered.isoformat()}" if delivered else ""
                rows.append(_task(lead, CARE, task, day, as_of, why))
        elif lead.status is Status.LOST:
            lost_on = lead.latest_contact
            day = lost_review(lost_on, as_of)
            if day is not None and lost_on is not None:
                reason = lead.lost_reason or "未填"
                why = f"战败 {lost_on.isoformat()}, 原因: {reason}; 消除虚假战败"
                rows.append(_task(lead, REVIEW, "战败回访", day, as_of, why))
    frame = pd.DataFrame(rows, columns=TASK_COLUMNS)
    if not frame.empty:
        frame = frame.sort_values(
            ["consultant", "days_late", "due", "file", "row"],
            ascending=[True, False, True, True, True],
            kind="mergesort",
        ).reset_index(drop=True)
    return frame


def _task(
    lead: Lead, kind: str, task: str, day: dt.date, as_of: dt.date, reason: str
) -> dict[str, Any]:
    late = (as_of - day).days
    return {
        "consultant": lead.consultant or NO_CONSULTANT,
        "kind": kind,
        "task": task,
        "due": day,
        "days_late": late,
        "bucket": bucket(late),
        "escalation": lead.escalation if kind == FOLLOWUP else "",
        "name": lead.name or "",
        "phone": lead.phone or "",
        "phone_masked": mask_phone(lead.phone),
        "grade": lead.grade,
        "model": lead.model or "",
        "source": lead.source or "",
        "reason": reason,
        "file": lead.file,
        "sheet": lead.sheet,
        "row": lead.row,
    }
