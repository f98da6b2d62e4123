"""What is due: next follow-up, escalation, post-sale care, lost review (domain.md §3).

Pure: dates and grades in, dates and plain words out; the as-of date is a parameter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .config import NEW, Scheme
from .horizon import add_months
from .model import Status

DAY = dt.timedelta(days=1)

# Upcoming work by how soon it falls due (parts-trade article, seeds/001):
# 紧急 within 7 days, 缓急 within 30, 不紧急 within 90, 可慢反应 later.
BUCKETS: tuple[tuple[int, str], ...] = ((7, "紧急"), (30, "缓急"), (90, "不紧急"))
LATER = "可慢反应"
OVERDUE, TODAY = "逾期", "今日"

# Escalation words (domain.md §3).
MANAGER = "经理关注"  # overdue by more than one cadence
QUASI_LOST = "建议准战败"  # stale, or purchase date long passed: manager confirms

# Post-sale care after delivery (dealer CRM maintenance manual, seeds/002):
# thank-you letter and the sales manager's call within 24 hours of delivery,
# the consultant's call at 7 days, then contact every 2 months (保养提醒),
# birthday and purchase anniversary.
CARE_AFTER_DELIVERY: tuple[tuple[str, int], ...] = (("感谢信", 1), ("经理致电", 1), ("顾问回访", 7))
CARE_EVERY_MONTHS = 2
CARE_REMINDER, BIRTHDAY, ANNIVERSARY = "保养提醒", "生日关怀", "购车周年"
LOST_REVIEW, LOST_REVIEW_DAYS = "战败回访", 3  # sales-manager review call within 3 days
TASK_WINDOW_DAYS = 7  # care and review tasks dated within 7 days either side of as-of


@dataclass(frozen=True)
class Due:
    next_due: dt.date | None
    days_late: int | None  # as_of − next_due: > 0 overdue, 0 today, < 0 upcoming
    cadence: int  # the grade's contact interval in days
    bucket: str
    escalation: str
    why: str  # plain words: how the next due date was set


def cadence_days(grade: str, status: Status, scheme: Scheme) -> int:
    if status is Status.DORMANT:
        return scheme.slowest_days
    found = scheme.by_name.get(grade)
    return found.every_days if found else 1


def bucket(days_late: int | None) -> str:
    if days_late is None:
        return ""
    if days_late > 0:
        return OVERDUE
    if days_late == 0:
        return TODAY
    ahead = -days_late
    for limit, word in BUCKETS:
        if ahead <= limit:
            return word
    return LATER


def next_due(
    *,
    grade: str,
    status: Status,
    first_contact: dt.date | None,
    last_contact: dt.date | None,
    next_contact: dt.date | None,
    as_of: dt.date,
    scheme: Scheme,
    stale_factor: float,
    quasi_lost: bool = False,
) -> Due:
    """Next due date for an active or dormant lead, with its escalation."""
    every = cadence_days(grade, status, scheme)
    latest = last_contact or first_contact
    if grade == NEW and status is not Status.DORMANT:
        start = first_contact or last_contact
        due = start + DAY if start else None
        why = f"新线索, 首次接触 {start.isoformat()} 次日跟进" if start else ""
    elif latest is None:
        due, why = None, ""
    else:
        due = latest + dt.timedelta(days=every)
        cycle = "休眠" if status is Status.DORMANT else grade
        why = f"最近跟进 {latest.isoformat()} + {every} 天 ({cycle}级周期)"
        if next_contact is not None and next_contact >= latest and next_contact < due:
            due, why = next_contact, f"按约定下次跟进日期 {next_contact.isoformat()}"
    if due is None:
        return Due(None, None, every, "", QUASI_LOST if quasi_lost else "", "")
    late = (as_of - due).days
    escalation = ""
    if late > every:
        escalation = MANAGER
    if quasi_lost or (latest is not None and (as_of - latest).days > stale_factor * every):
        escalation = QUASI_LOST
    return Due(due, late, every, bucket(late), escalation, why)


def in_window(day: dt.date, as_of: dt.date) -> bool:
    return abs((day - as_of).days) <= TASK_WINDOW_DAYS


def care_tasks(
    delivered: dt.date | None, birthday: dt.date | None, as_of: dt.date
) -> list[tuple[str, dt.date]]:
    """Care tasks of a won customer dated within the window around as-of."""
    tasks: list[tuple[str, dt.date]] = []
    if delivered is not None:
        for task, days in CARE_AFTER_DELIVERY:
            tasks.append((task, delivered + dt.timedelta(days=days)))
        months = CARE_EVERY_MONTHS
        while True:
            day = add_months(delivered, months)
            if day > as_of + dt.timedelta(days=TASK_WINDOW_DAYS):
                break
            tasks.append((CARE_REMINDER, day))
            months += CARE_EVERY_MONTHS
        for year in (as_of.year - 1, as_of.year, as_of.year + 1):
            if year > delivered.year:
                tasks.append((ANNIVERSARY, _same_day_in(delivered, year)))
    if birthday is not None:
        for year in (as_of.year - 1, as_of.year, as_of.year + 1):
            tasks.append((BIRTHDAY, _same_day_in(birthday, year)))
    return sorted((t for t in tasks if in_window(t[1], as_of)), key=lambda t: t[1])


def lost_review(lost_on: dt.date | None, as_of: dt.date) -> dt.date | None:
    """The manager's review call for a lost lead, when it falls in the window."""
    if lost_on is None:
        return None
    due = lost_on + dt.timedelta(days=LOST_REVIEW_DAYS)
    return due if in_window(due, as_of) else None


def _same_day_in(day: dt.date, year: int) -> dt.date:
    """The same month and day in ``year``; 29 February falls on the 28th."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)
