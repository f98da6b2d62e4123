"""Apply the grading and scheduling rules to every lead and list the week's work.

Pure: leads in (mutated with their grade and due date), a task table out.
The task table is the week's work (domain.md §3): follow-ups overdue, due
today or due within ``list_days``; care and review tasks not yet done, from
``list_days`` ahead to TASK_OPEN_DAYS late. ``followup_counts`` counts it for
every output, so the terminal, the page, report.xlsx and summary.json agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from .config import Config
from .grading import grade_change, grade_lead
from .issue_codes import IssueCode, Part
from .model import Issue, Severity, Status
from .records import Lead
from .rule_words import Flag, Rule, TaskName
from .schedule import (
    BUCKETS,
    LATER,
    LIST_DAYS,
    LISTED,
    MISSED,
    OVERDUE,
    QUASI_LOST,
    TASK_OPEN_DAYS,
    TODAY,
    Task,
    bucket,
    care_tasks,
    lost_review,
    next_due,
    task_state,
)
from .texts import said
from .values import mask_phone, mask_text

TASK_COLUMNS = [
    "consultant", "kind", "task", "due", "days_late", "bucket", "escalation", "name", "phone",
    "phone_masked", "grade", "model", "source", "reason", "file", "sheet", "row",
]
FOLLOWUP, CARE, REVIEW = "followup", "care", "lost_review"
NO_CONSULTANT = "(未填顾问)"  # the consultant column of a lead without one
TASK_NAMES = {t.code: t for t in TaskName}


def apply_rules(leads: Iterable[Lead], config: Config, as_of: dt.date, lang: str = "zh"
                ) -> None:
    """Grade every lead and set its next due date (in place); the reasons and hints in
    ``lang``."""
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
            lang=lang,
        )
        lead.grade, lead.reason, lead.expected = g.grade, g.reason, g.expected
        lead.grade_change = grade_change(lead.grade_recorded, g.grade, lead.status)
        if "→" in lead.grade_change:
            lead.hints.append(Rule.GRADE_CHANGED.say(lang, change=lead.grade_change,
                                                     reason=g.reason))
        if g.passed_days:
            lead.hints.append(Rule.PASSED.say(lang))
        if g.requalify:
            lead.hints.append(Rule.REQUALIFY.say(lang))
        if g.missing_horizon:
            lead.hints.append(Rule.NO_HORIZON.say(lang))
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
            lang=lang,
        )
        lead.next_due, lead.days_late = due.next_due, due.days_late
        lead.bucket, lead.escalation = due.bucket, due.escalation
        lead.due_why = due.why
        if due.days_late is not None and due.days_late > 0:
            lead.hints.insert(0, Rule.OVERDUE_DAYS.say(lang, days=due.days_late))
        elif due.days_late == 0:
            lead.hints.insert(0, Rule.DUE_TODAY.say(lang))
        if due.escalation:
            lead.hints.append(
                Rule.STALE.say(lang, flag=Flag.QUASI_LOST.say(lang),
                               factor=f"{config.stale_factor:g}")
                if due.escalation == QUASI_LOST
                else Rule.LATE_CYCLE.say(lang, flag=Flag.MANAGER.say(lang), days=due.cadence)
            )


def build_tasks(leads: Iterable[Lead], as_of: dt.date, list_days: int = LIST_DAYS,
                lang: str = "zh") -> tuple[pd.DataFrame, list[Issue]]:
    """The week's work, and the care and review tasks missed (one warning each).

    Follow-ups of active and dormant leads due by as-of + ``list_days``; care
    of won customers and the review of lost ones while not done (schedule.task_state).
    Each task's 原因 is in ``lang``: the table goes to the writers as it is.
    """
    rows: list[dict[str, Any]] = []
    missed: list[Issue] = []
    horizon = -list_days
    for lead in leads:
        if lead.is_duplicate:
            continue
        if lead.status in (Status.ACTIVE, Status.DORMANT) and lead.next_due is not None:
            if lead.days_late is not None and lead.days_late >= horizon:
                why = (Rule.REASON_AND_DUE.say(lang, reason=lead.reason, due=lead.due_why)
                       if lead.due_why else lead.reason)
                rows.append(_task(lead, FOLLOWUP, TaskName.FOLLOWUP.code, lead.next_due, as_of,
                                  why))
        elif lead.status is Status.WON:
            delivered = lead.delivery_date or lead.latest_contact
            why = Rule.DELIVERED.say(lang, date=delivered.isoformat()) if delivered else ""
            for task in care_tasks(delivered, lead.birthday, as_of, list_days):
                _place(lead, CARE, task, why, as_of, list_days, rows, missed)
        elif lead.status is Status.LOST:
            lost_on = lead.lost_on
            review = lost_review(lost_on, as_of, list_days)
            if review is not None and lost_on is not None:
                why = Rule.LOST_ON.say(lang, date=lost_on.isoformat(),
                                       reason=lead.lost_reason or Rule.NOT_FILLED.say(lang))
                _place(lead, REVIEW, review, why, as_of, list_days, rows, missed)
    frame = pd.DataFrame(rows, columns=TASK_COLUMNS)
    if not frame.empty:
        frame = frame.sort_values(
            ["consultant", "days_late", "due", "file", "row"],
            ascending=[True, False, True, True, True],
            kind="mergesort",
        ).reset_index(drop=True)
    return frame, missed


def _place(lead: Lead, kind: str, task: Task, why: str, as_of: dt.date,
           list_days: int, rows: list[dict[str, Any]], missed: list[Issue]) -> None:
    """A care or review task onto the list, or into the missed warnings."""
    state = task_state(task, lead.latest_contact, as_of, list_days)
    if state == LISTED:
        rows.append(_task(lead, kind, task.task, task.day, as_of, why))
    elif state == MISSED:
        who = mask_text(lead.consultant) if lead.consultant else Part.NO_CONSULTANT
        customer = " ".join(p for p in (lead.name, mask_phone(lead.phone)) if p)
        missed.append(Issue(
            lead.file, lead.sheet, lead.row, None, None, IssueCode.TASK_MISSED,
            said(task=TASK_NAMES.get(task.task, task.task), day=task.day.isoformat(),
                 days=TASK_OPEN_DAYS, consultant=who,
                 customer=mask_text(customer) if customer else Part.NO_CUSTOMER),
            Severity.WARNING))


def followup_counts(tasks: pd.DataFrame) -> dict[str, Any]:
    """summary.json's ``followups`` (domain.md §8) from the week's work.

    Of the follow-ups: ``due`` days_late ≥ 0, ``overdue`` > 0, ``upcoming`` < 0
    (within list_days: the list holds nothing later); ``care`` and
    ``lost_review`` count those tasks on the list; ``by_kind`` splits all three;
    ``by_consultant`` counts the follow-ups of each consultant with any.
    """
    def split(frame: pd.DataFrame) -> dict[str, int]:
        late = frame["days_late"]
        return {"due": int((late >= 0).sum()), "overdue": int((late > 0).sum()),
                "upcoming": int((late < 0).sum())}

    kinds = {k: split(tasks[tasks["kind"] == k]) for k in (FOLLOWUP, CARE, REVIEW)}
    follow = tasks[tasks["kind"] == FOLLOWUP]
    by_consultant = {str(who): split(group)
                     for who, group in follow.groupby("consultant", sort=True)}
    return {
        **kinds[FOLLOWUP],
        "care": int((tasks["kind"] == CARE).sum()),
        "lost_review": int((tasks["kind"] == REVIEW).sum()),
        "by_kind": kinds,
        "by_consultant": by_consultant,
    }


SCHEDULE_BUCKETS = (OVERDUE, *(word for _, word in BUCKETS), LATER)
SCHEDULE_COLUMNS = ["consultant", "grade", *SCHEDULE_BUCKETS, "total"]


def schedule_table(leads: pd.DataFrame, grades: Sequence[str]) -> pd.DataFrame:
    """日程: per consultant and grade, how many leads fall due in each bucket, from the
    leads' table (leadbook.frames).

    Every scheduled active or dormant lead counts, however far its next due
    date; one due today counts as 紧急 (within 7 days).
    """
    scheduled = leads[~leads["duplicate"].to_numpy() & leads["days_late"].notna().to_numpy()]
    named = scheduled["consultant"]
    who = named.where(named.notna() & (named != ""), NO_CONSULTANT)
    word = scheduled["bucket"].where(scheduled["bucket"] != TODAY, BUCKETS[0][1])
    counts = pd.crosstab([who.to_numpy(), scheduled["grade"].to_numpy()], word.to_numpy())
    counts = counts.reindex(columns=list(SCHEDULE_BUCKETS), fill_value=0)
    order = {g: i for i, g in enumerate(grades)}
    keys = sorted(counts.index, key=lambda k: (k[0], order.get(k[1], len(order)), k[1]))
    rows = []
    for key in keys:
        row = {b: int(n) for b, n in counts.loc[key].items()}
        rows.append({"consultant": key[0], "grade": key[1], **row, "total": sum(row.values())})
    table: pd.DataFrame = pd.DataFrame(rows, columns=SCHEDULE_COLUMNS)
    return table


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
