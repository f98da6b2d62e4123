"""What is due: next follow-up, escalation, post-sale care, lost review (domain.md §3).

Pure: dates and grades in, dates and plain words out; the as-of date is a parameter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .config import NEW, Scheme
from .horizon import add_months
from .model import Status
from .rule_words import Bucket, Flag, Rule, TaskName

DAY = dt.timedelta(days=1)

# Upcoming work by how soon it falls due (parts-trade article, seeds/001):
# 紧急 within 7 days, 缓急 within 30, 不紧急 within 90, 可慢反应 later. The
# tables hold the codes (rule_words.Bucket); the writers show the words.
BUCKETS: tuple[tuple[int, str], ...] = (
    (7, Bucket.URGENT.code), (30, Bucket.SOON.code), (90, Bucket.LATER.code))
LATER = Bucket.NO_RUSH.code
OVERDUE, TODAY = Bucket.OVERDUE.code, Bucket.TODAY.code

# Escalations (domain.md §3), as codes (rule_words.Flag).
MANAGER = Flag.MANAGER.code  # overdue by more than one cadence
QUASI_LOST = Flag.QUASI_LOST.code  # stale, or purchase date long passed: manager confirms

# Post-sale care after delivery (dealer CRM maintenance manual, seeds/002):
# thank-you letter and the sales manager's call within 24 hours of delivery,
# the consultant's call at 7 days, then contact every 2 months (保养提醒),
# birthday and purchase anniversary.
CARE_AFTER_DELIVERY: tuple[tuple[str, int], ...] = (
    (TaskName.THANK_YOU_LETTER.code, 1), (TaskName.MANAGER_CALL.code, 1),
    (TaskName.CONSULTANT_CALL.code, 7))
CARE_EVERY_MONTHS = 2
CARE_REMINDER = TaskName.SERVICE_REMINDER.code
BIRTHDAY, ANNIVERSARY = TaskName.BIRTHDAY.code, TaskName.ANNIVERSARY.code
LOST_REVIEW, LOST_REVIEW_DAYS = TaskName.LOST_REVIEW.code, 3  # manager's review call within 3 days

# The week's work (domain.md §3): what is overdue, due today, or due within
# `[followups] list_days` days. A care or review task stays listed until it is
# done, for up to TASK_OPEN_DAYS past its date; then it is missed, and reported
# as missed for MISSED_REPORT_DAYS more (the month after it dropped off the list).
LIST_DAYS = 7
TASK_OPEN_DAYS = 30
MISSED_REPORT_DAYS = 30
LISTED, DONE, MISSED = "listed", "done", "missed"


@dataclass(frozen=True)
class Task:
    """A care or review task: its name (a rule_words.TaskName code), the day it is
    due, and the first day a contact with the customer counts as doing it."""

    task: str
    day: dt.date
    opens: dt.date


def task_state(task: Task, latest_contact: dt.date | None, as_of: dt.date,
               list_days: int = LIST_DAYS) -> str | None:
    """listed | done | missed, or None when the task is not this week's business.

    Done: the customer's latest contact is on or after the day the task opens.
    Listed: not done, due within ``list_days`` and at most TASK_OPEN_DAYS late.
    Missed: not done and TASK_OPEN_DAYS late, reported for MISSED_REPORT_DAYS.
    """
    late = (as_of - task.day).days
    if late < -list_days:
        return None
    if latest_contact is not None and latest_contact >= task.opens:
        return DONE
    if late <= TASK_OPEN_DAYS:
        return LISTED
    if late <= TASK_OPEN_DAYS + MISSED_REPORT_DAYS:
        return MISSED
    return None


@dataclass(frozen=True)
class Due:
    next_due: dt.date | None
    days_late: int | None  # as_of − next_due: > 0 overdue, 0 today, < 0 upcoming
    cadence: int  # the grade's contact interval in days
    bucket: str  # a rule_words.Bucket code
    escalation: str  # a rule_words.Flag code, or ""
    why: str  # how the next due date was set, in the run's language


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
    lang: str = "zh",
) -> Due:
    """Next due date for an active or dormant lead, with its escalation (why, in ``lang``)."""
    every = cadence_days(grade, status, scheme)
    latest = last_contact or first_contact
    if grade == NEW and status is not Status.DORMANT:
        start = first_contact or last_contact
        due = start + DAY if start else None
        why = Rule.NEW_LEAD.say(lang, date=start.isoformat()) if start else ""
    elif latest is None:
        due, why = None, ""
    else:
        due = latest + dt.timedelta(days=every)
        if status is Status.DORMANT:
            why = Rule.CADENCE_DORMANT.say(lang, date=latest.isoformat(), days=every)
        else:
            why = Rule.CADENCE.say(lang, date=latest.isoformat(), days=every, grade=grade)
        if next_contact is not None and next_contact >= latest and next_contact < due:
            due, why = next_contact, Rule.AGREED.say(lang, date=next_contact.isoformat())
    if due is None:
        return Due(None, None, every, "", QUASI_LOST if quasi_lost else "", "")
    late = (as_of - due).days
    escalation = ""
    if late > every:
        escalation = MANAGER
    if quasi_lost or (latest is not None and (as_of - latest).days > stale_factor * every):
        escalation = QUASI_LOST
    return Due(due, late, every, bucket(late), escalation, why)


def _horizon(as_of: dt.date, list_days: int) -> tuple[dt.date, dt.date]:
    """The days a care or review task can be of this week's business on: from
    the oldest still reported as missed to the last day of the list."""
    back = dt.timedelta(days=TASK_OPEN_DAYS + MISSED_REPORT_DAYS)
    return as_of - back, as_of + dt.timedelta(days=list_days)


def care_tasks(
    delivered: dt.date | None, birthday: dt.date | None, as_of: dt.date,
    list_days: int = LIST_DAYS,
) -> list[Task]:
    """Care tasks of a won customer that can be this week's business (see task_state)."""
    first, last = _horizon(as_of, list_days)
    tasks: list[Task] = []
    if delivered is not None:
        for task, days in CARE_AFTER_DELIVERY:
            day = delivered + dt.timedelta(days=days)
            tasks.append(Task(task, day, day))
        months = CARE_EVERY_MONTHS
        while True:
            day = add_months(delivered, months)
            if day > last:
                break
            if day >= first:
                tasks.append(Task(CARE_REMINDER, day, day))
            months += CARE_EVERY_MONTHS
        for year in range(first.year, last.year + 1):
            if year > delivered.year:
                day = _same_day_in(delivered, year)
                tasks.append(Task(ANNIVERSARY, day, day))
    if birthday is not None:
        for year in range(first.year, last.year + 1):
            day = _same_day_in(birthday, year)
            tasks.append(Task(BIRTHDAY, day, day))
    return sorted((t for t in tasks if first <= t.day <= last), key=lambda t: t.day)


def lost_review(lost_on: dt.date | None, as_of: dt.date,
                list_days: int = LIST_DAYS) -> Task | None:
    """The manager's review call for a lost lead, due within 3 days of the loss.

    Any contact after the day of the loss is the review (it opens the next day);
    without a 战败日期 column the loss is dated by the latest contact.
    """
    if lost_on is None:
        return None
    first, last = _horizon(as_of, list_days)
    day = lost_on + dt.timedelta(days=LOST_REVIEW_DAYS)
    if not first <= day <= last:
        return None
    return Task(LOST_REVIEW, day, lost_on + DAY)


def _same_day_in(day: dt.date, year: int) -> dt.date:
    """The same month and day in ``year``; 29 February falls on the 28th."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)
